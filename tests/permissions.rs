//! The permissions matrix: every operation in the OpenAPI document, called by each of eight
//! roles, with the status (and, for refusals, the error code) each must get. The expectations
//! come from the design, the README and the handlers' own documentation, not from what the
//! server happens to answer.
//!
//! The test reads `/api/openapi.json` and fails when an operation has no row here, or a row
//! names an operation the document does not have, so no endpoint ships without one. Each cell
//! is a fresh, valid call: a request that changes state gets fixtures of its own (a new help
//! request, need, pledge or target account), so what a cell shows is permission, not what an
//! earlier cell left behind.

mod common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};

use antes::config::AppConfig;
use common::app::{Posted, Reply, Session, TestApp};
use rocket::http::Method;
use rocket::http::Method::{Delete, Get, Patch, Post, Put};
use serde_json::{json, Value};
use sqlx::PgPool;

const SANTA_FE: (f64, f64) = (-31.6333, -60.7);
/// Where the help requests under test are: 500 m from every volunteer's home.
const REQUEST_AT: (f64, f64) = (-31.6373, -60.6962);
/// Query strings that make valid calls.
const IN_BBOX: &str = "?bbox=-60.75,-31.68,-60.65,-31.58";
const NEAR: &str = "?lat=-31.6333&lon=-60.7";
const ADDRESS: &str = "?q=San%20Mart%C3%ADn%202450";
/// The account every role signs in as in the log-in row.
const LOGIN_EMAIL: &str = "login@example.org";
/// A password the app accepts for a new account, a change or a reset.
const NEW_PASSWORD: &str = "lentejas con arroz los jueves de invierno";

/// Who calls. The assigned volunteer and the token holder are relative to the help request of
/// the cell: the volunteer who claimed it, and an anonymous caller with its manage token in
/// `X-Manage-Token`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Anonymous,
    Unverified,
    Volunteer,
    Assigned,
    Organizer,
    OtherOrganizer,
    Coordinator,
    TokenHolder,
}

/// The table's column order.
const ROLES: [Role; 8] = [
    Role::Anonymous,
    Role::Unverified,
    Role::Volunteer,
    Role::Assigned,
    Role::Organizer,
    Role::OtherOrganizer,
    Role::Coordinator,
    Role::TokenHolder,
];

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Anonymous => "anonymous",
            Role::Unverified => "unverified volunteer",
            Role::Volunteer => "verified volunteer",
            Role::Assigned => "assigned volunteer",
            Role::Organizer => "organizer of this kitchen",
            Role::OtherOrganizer => "organizer of another kitchen",
            Role::Coordinator => "coordinator",
            Role::TokenHolder => "token holder",
        }
    }
}

/// What a cell must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// This status.
    Status(u16),
    /// This status with this error code.
    Refused(u16, &'static str),
    /// 200 with a help request's `view`: `public` or `full`.
    View(&'static str),
}

use Expect::{Refused, Status, View};

const OK: Expect = Status(200);
const CREATED: Expect = Status(201);
const EMPTY: Expect = Status(204);
const SIGN_IN: Expect = Refused(401, "unauthorized");
const COORD: Expect = Refused(403, "coordinators_only");
const NOT_ORG: Expect = Refused(403, "not_an_organizer");
const ORGS: Expect = Refused(403, "organizers_only");
const UNVERIF: Expect = Refused(403, "not_verified");
const VOLS: Expect = Refused(403, "volunteers_only");
const NOT_ASG: Expect = Refused(403, "not_assignee");
const NOT_YOUR: Expect = Refused(403, "not_your_pledge");
const FORBID: Expect = Refused(403, "forbidden");
const PUBLIC: Expect = View("public");
const FULL: Expect = View("full");

impl Expect {
    fn met_by(self, reply: &Reply) -> bool {
        match self {
            Status(s) => reply.status == s,
            Refused(s, code) => reply.code() == (s, Some(code)),
            View(v) => reply.status == 200 && reply.body["view"] == v,
        }
    }

    fn describe(self) -> String {
        match self {
            Status(s) => s.to_string(),
            Refused(s, code) => format!("{s} {code}"),
            View(v) => format!("200 with the {v} view"),
        }
    }
}

fn describe(reply: &Reply) -> String {
    match (reply.body["error"].as_str(), reply.body["view"].as_str()) {
        (Some(code), _) => format!("{} {code}", reply.status),
        (None, Some(view)) => format!("{} with the {view} view", reply.status),
        (None, None) => reply.status.to_string(),
    }
}

/// What fills the path's `{id}` or `{cell}`, and which fixtures a cell gets of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fixture {
    /// No path parameter.
    Nothing,
    /// The kitchen of "organizer of this kitchen".
    Kitchen,
    /// A new place, waiting for review.
    PendingPlace,
    /// The kitchen's shift need.
    Shift,
    /// The kitchen's supplies need.
    Supplies,
    /// A new supplies need of the kitchen.
    NewSupplies,
    /// A new shift of the kitchen, at its own time.
    NewShift,
    /// A new shift of the kitchen on which the caller (when signed in) has taken a slot.
    MySlot,
    /// A new pledge by the verified volunteer on the kitchen's supplies need.
    NewPledge,
    /// The verified volunteer's account.
    Account,
    /// A new account: an unverified volunteer.
    NewUnverified,
    /// A new account: a verified volunteer.
    NewVerified,
    /// A new account: a suspended volunteer.
    NewSuspended,
    /// A coordinator's password reset link for a new account (no path parameter).
    ResetLink,
    /// The help request under test: open, then claimed by the assigned volunteer.
    Request,
    /// A new help request, posted anonymously and waiting for review.
    NewPending,
    /// A new help request, approved and open.
    NewOpen,
    /// A new help request, claimed by a new volunteer, who is the assigned volunteer.
    NewAssigned,
    /// The public (res-8) cell of the help request under test.
    Cell,
    /// A new live report on the kitchen, by an anonymous neighbour.
    NewReport,
    /// The mail unsubscribe token of a new account that gets mail.
    Unsubscribe,
}

/// The JSON body a valid call sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    None,
    NewPlace,
    EditPlace,
    AddOrganizer,
    Supplies,
    Pledge,
    Register,
    Login,
    HelpRequest,
    Cancel,
    Profile,
    NewPassword,
    ResetLink,
    Report,
    NotifySettings,
    PushSubscription,
    PushEndpoint,
}

struct Row {
    method: Method,
    /// As in the OpenAPI document.
    path: &'static str,
    /// Query parameters a valid call needs.
    query: &'static str,
    fixture: Fixture,
    body: Body,
    expect: [Expect; 8],
}

/// The matrix. Columns, in [`ROLES`] order: anonymous, unverified volunteer, verified
/// volunteer, assigned volunteer, organizer of this kitchen, organizer of another kitchen,
/// coordinator, token holder. Every account except the unverified volunteer is verified.
/// Rows run in this order; the last one gives organizers a volunteer profile, so it comes
/// after the claims.
#[rustfmt::skip]
fn matrix() -> Vec<Row> {
    use Body as B;
    use Fixture as F;
    let row = |method, path, query, fixture, body, expect| Row { method, path, query, fixture, body, expect };
    vec![
        //                                                                                                  anonymous  unverified verified   assigned   organizer  other org  coordinator token
        row(Get,    "/healthz",                          "",                      F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/api/openapi.json",                 "",                      F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/api/config",                       "",                      F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/api/categories",                   "",                      F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/api/places",                       IN_BBOX,                 F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/api/places/nearby",                NEAR,                    F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/api/geocode",                      ADDRESS,                 F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/api/places/{id}",                  "",                      F::Kitchen,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Post,   "/api/places",                       "",                      F::Nothing,       B::NewPlace,     [SIGN_IN,  ORGS,      ORGS,      ORGS,      CREATED,   CREATED,   CREATED,   SIGN_IN]),
        row(Patch,  "/api/places/{id}",                  "",                      F::Kitchen,       B::EditPlace,    [SIGN_IN,  NOT_ORG,   NOT_ORG,   NOT_ORG,   OK,        NOT_ORG,   OK,        SIGN_IN]),
        row(Post,   "/api/places/{id}/approve",          "",                      F::PendingPlace,  B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Post,   "/api/places/{id}/organizers",       "",                      F::Kitchen,       B::AddOrganizer, [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     EMPTY,     SIGN_IN]),
        row(Get,    "/api/me/places",                    "",                      F::Nothing,       B::None,         [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Post,   "/api/places/{id}/needs",            "",                      F::Kitchen,       B::Supplies,     [SIGN_IN,  NOT_ORG,   NOT_ORG,   NOT_ORG,   CREATED,   NOT_ORG,   CREATED,   SIGN_IN]),
        row(Get,    "/api/places/{id}/needs",            "",                      F::Kitchen,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/tiles/places/{z}/{x}/{y}.mvt",     "",                      F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/tiles/request-cells/{z}/{x}/{y}.mvt", "",                   F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/tiles/needs/{z}/{x}/{y}.mvt",      "",                      F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Post,   "/api/places/{id}/reports",          "",                      F::Kitchen,       B::Report,       [CREATED,  CREATED,   CREATED,   CREATED,   CREATED,   CREATED,   CREATED,   CREATED]),
        row(Get,    "/api/places/{id}/reports",          "",                      F::Kitchen,       B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Get,    "/api/places/{id}/report-history",   "",                      F::Kitchen,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Post,   "/api/place-reports/{id}/hide-reporter", "",                  F::NewReport,     B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Get,    "/api/needs/nearby",                 NEAR,                    F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/api/needs/{id}",                   "",                      F::Shift,         B::None,         [SIGN_IN,  NOT_ORG,   NOT_ORG,   NOT_ORG,   OK,        NOT_ORG,   OK,        SIGN_IN]),
        row(Post,   "/api/needs/{id}/close",             "",                      F::NewSupplies,   B::None,         [SIGN_IN,  NOT_ORG,   NOT_ORG,   NOT_ORG,   OK,        NOT_ORG,   OK,        SIGN_IN]),
        row(Post,   "/api/needs/{id}/signup",            "",                      F::NewShift,      B::None,         [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Delete, "/api/needs/{id}/signup",            "",                      F::MySlot,        B::None,         [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Get,    "/api/me/shifts",                    "",                      F::Nothing,       B::None,         [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Post,   "/api/needs/{id}/pledge",            "",                      F::Supplies,      B::Pledge,       [SIGN_IN,  CREATED,   CREATED,   CREATED,   CREATED,   CREATED,   CREATED,   SIGN_IN]),
        row(Post,   "/api/pledges/{id}/withdraw",        "",                      F::NewPledge,     B::None,         [SIGN_IN,  NOT_YOUR,  OK,        NOT_YOUR,  NOT_YOUR,  NOT_YOUR,  NOT_YOUR,  SIGN_IN]),
        row(Post,   "/api/pledges/{id}/received",        "",                      F::NewPledge,     B::None,         [SIGN_IN,  NOT_ORG,   NOT_ORG,   NOT_ORG,   OK,        NOT_ORG,   OK,        SIGN_IN]),
        row(Get,    "/api/me/pledges",                   "",                      F::Nothing,       B::None,         [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Post,   "/api/auth/register",                "",                      F::Nothing,       B::Register,     [CREATED,  CREATED,   CREATED,   CREATED,   CREATED,   CREATED,   CREATED,   CREATED]),
        row(Post,   "/api/auth/login",                   "",                      F::Nothing,       B::Login,        [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Post,   "/api/auth/logout",                  "",                      F::Nothing,       B::None,         [EMPTY,    EMPTY,     EMPTY,     EMPTY,     EMPTY,     EMPTY,     EMPTY,     EMPTY]),
        row(Get,    "/api/me",                           "",                      F::Nothing,       B::None,         [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Post,   "/api/me/password",                  "",                      F::Nothing,       B::NewPassword,  [SIGN_IN,  EMPTY,     EMPTY,     EMPTY,     EMPTY,     EMPTY,     EMPTY,     SIGN_IN]),
        row(Post,   "/api/accounts/{id}/password-reset", "",                      F::NewVerified,   B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     CREATED,   SIGN_IN]),
        row(Post,   "/api/auth/password-reset",          "",                      F::ResetLink,     B::ResetLink,    [EMPTY,    EMPTY,     EMPTY,     EMPTY,     EMPTY,     EMPTY,     EMPTY,     EMPTY]),
        row(Get,    "/api/accounts",                     "",                      F::Nothing,       B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Post,   "/api/accounts/{id}/verify",         "",                      F::NewUnverified, B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Post,   "/api/accounts/{id}/unverify",       "",                      F::NewVerified,   B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Post,   "/api/accounts/{id}/suspend",        "",                      F::NewVerified,   B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Post,   "/api/accounts/{id}/unsuspend",      "",                      F::NewSuspended,  B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Get,    "/api/accounts/{id}/events",         "",                      F::Account,       B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Get,    "/api/accounts/{id}/request-events", "",                      F::Account,       B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Get,    "/api/alerts",                       "",                      F::Nothing,       B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Post,   "/api/requests",                     "",                      F::Nothing,       B::HelpRequest,  [CREATED,  CREATED,   CREATED,   CREATED,   CREATED,   CREATED,   CREATED,   CREATED]),
        row(Get,    "/api/requests/{id}",                "",                      F::Request,       B::None,         [PUBLIC,   PUBLIC,    PUBLIC,    FULL,      PUBLIC,    PUBLIC,    FULL,      FULL]),
        row(Post,   "/api/requests/{id}/cancel",         "",                      F::NewAssigned,   B::Cancel,       [FORBID,   FORBID,    FORBID,    FORBID,    FORBID,    FORBID,    OK,        OK]),
        row(Get,    "/api/requests/{id}/events",         "",                      F::Request,       B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Get,    "/api/review/requests",              "",                      F::Nothing,       B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Get,    "/api/review/history",               "",                      F::Nothing,       B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Post,   "/api/requests/{id}/approve",        "",                      F::NewPending,    B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Post,   "/api/requests/{id}/reject",         "",                      F::NewPending,    B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Post,   "/api/requests/{id}/claim",          "",                      F::NewOpen,       B::None,         [SIGN_IN,  UNVERIF,   OK,        OK,        VOLS,      VOLS,      OK,        SIGN_IN]),
        row(Post,   "/api/requests/{id}/release",        "",                      F::NewAssigned,   B::None,         [SIGN_IN,  NOT_ASG,   NOT_ASG,   OK,        NOT_ASG,   NOT_ASG,   OK,        SIGN_IN]),
        row(Post,   "/api/requests/{id}/complete",       "",                      F::NewAssigned,   B::None,         [SIGN_IN,  NOT_ASG,   NOT_ASG,   OK,        NOT_ASG,   NOT_ASG,   OK,        SIGN_IN]),
        row(Get,    "/api/requests/cells",               IN_BBOX,                 F::Nothing,       B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/api/cells/{cell}",                 "",                      F::Cell,          B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/api/me/tasks",                     "",                      F::Nothing,       B::None,         [SIGN_IN,  UNVERIF,   OK,        OK,        VOLS,      VOLS,      OK,        SIGN_IN]),
        row(Get,    "/api/me/assignments",               "",                      F::Nothing,       B::None,         [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Get,    "/api/requests/{id}/matches",        "?limit=10",             F::Request,       B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Get,    "/api/me/notifications",             "",                      F::Nothing,       B::None,         [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Put,    "/api/me/notifications",             "",                      F::Nothing,       B::NotifySettings, [SIGN_IN, OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Post,   "/api/me/push-subscriptions",        "",                      F::Nothing,       B::PushSubscription, [SIGN_IN, CREATED, CREATED,   CREATED,   CREATED,   CREATED,   CREATED,   SIGN_IN]),
        row(Delete, "/api/me/push-subscriptions",        "",                      F::Nothing,       B::PushEndpoint, [SIGN_IN,  EMPTY,     EMPTY,     EMPTY,     EMPTY,     EMPTY,     EMPTY,     SIGN_IN]),
        row(Post,   "/api/unsubscribe/{token}",          "",                      F::Unsubscribe,   B::None,         [OK,       OK,        OK,        OK,        OK,        OK,        OK,        OK]),
        row(Get,    "/api/requests/{id}/notifications",  "",                      F::Request,       B::None,         [SIGN_IN,  COORD,     COORD,     COORD,     COORD,     COORD,     OK,        SIGN_IN]),
        row(Get,    "/api/places/{id}/follow",           "",                      F::Kitchen,       B::None,         [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Put,    "/api/places/{id}/follow",           "",                      F::Kitchen,       B::None,         [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Delete, "/api/places/{id}/follow",           "",                      F::Kitchen,       B::None,         [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
        row(Put,    "/api/me/volunteer",                 "",                      F::Nothing,       B::Profile,      [SIGN_IN,  OK,        OK,        OK,        OK,        OK,        OK,        SIGN_IN]),
    ]
}

/// What one cell calls with, besides the caller's session.
struct Prepared {
    /// Fills `{id}` or `{cell}`.
    param: String,
    /// The manage token of the cell's help request (the main one when the cell has none).
    manage_token: String,
    /// The assigned volunteer, when the cell has a help request of its own.
    assignee: Option<Session>,
    /// The token of a password reset link.
    reset_token: String,
}

/// The fixtures every cell shares, and the helpers that make fresh ones.
struct World {
    app: TestApp,
    unverified: Session,
    volunteer: Session,
    assigned: Session,
    organizer: Session,
    other_organizer: Session,
    coordinator: Session,
    kitchen: i64,
    shift: i64,
    supplies: i64,
    request: Posted,
    cell: String,
    next: AtomicUsize,
}

/// Every skill a volunteer may list: all request categories.
const SKILLS: &[&str] = antes::domain::requests::CATEGORIES;

/// Gives account `id` the profile `TestApp::volunteer_at` gives: every skill, a home in Santa
/// Fe set hours ago, a 3 km radius, on duty, room for five tasks.
async fn settle_home(app: &TestApp, id: i64) {
    common::settled_profile(&app.pool, id, SKILLS, SANTA_FE, 3_000.0, true, 5).await;
}

impl World {
    async fn new(app: TestApp) -> World {
        let coordinator = app.coordinator().await;
        settle_home(&app, coordinator.id).await;
        let organizer = app.organizer(true).await;
        let other_organizer = app.organizer(true).await;
        let volunteer = app.volunteer_at(SANTA_FE, 3_000.0, 5).await;
        let assigned = app.volunteer_at(SANTA_FE, 3_000.0, 5).await;
        // An unverified volunteer who has set up a profile, so that a claim is refused for
        // the verification and not for the missing profile.
        let unverified = app.volunteer(false).await;
        settle_home(&app, unverified.id).await;
        common::account(&app.pool, LOGIN_EMAIL, "volunteer", true).await;

        let mut world = World {
            app,
            unverified,
            volunteer,
            assigned,
            organizer,
            other_organizer,
            coordinator,
            kitchen: 0,
            shift: 0,
            supplies: 0,
            request: Posted {
                id: String::new(),
                manage_token: String::new(),
            },
            cell: String::new(),
            next: AtomicUsize::new(0),
        };
        world.kitchen = world
            .new_kitchen(&world.organizer, "Comedor Los Pibes", (-31.6260, -60.7290))
            .await;
        world
            .new_kitchen(
                &world.other_organizer,
                "Comedor La Esperanza",
                (-31.6400, -60.7100),
            )
            .await;
        world.shift = world.new_need(shift_need(0)).await;
        world.supplies = world.new_need(supplies_need()).await;
        let pledged = world
            .app
            .call(
                Some(&world.volunteer),
                Post,
                &format!("/api/needs/{}/pledge", world.supplies),
                Some(&json!({"quantity": 5})),
            )
            .await;
        assert_eq!(pledged.status, 201, "{}", pledged.body);
        world.request = world.new_request().await;
        let claimed = world.app.claim(&world.assigned, &world.request.id).await;
        assert_eq!(claimed.status, 200, "{}", claimed.body);
        world.cell = world.app.view(None, &world.request.id).await.body["cell"]
            .as_str()
            .expect("a public cell")
            .to_string();
        world
    }

    fn next(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    async fn new_kitchen(&self, by: &Session, name: &str, at: (f64, f64)) -> i64 {
        let r = self
            .app
            .call(Some(by), Post, "/api/places", Some(&kitchen(name, at)))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body["id"].as_i64().unwrap()
    }

    async fn new_need(&self, need: Value) -> i64 {
        let r = self
            .app
            .call(
                Some(&self.fresh(&self.organizer).await),
                Post,
                &format!("/api/places/{}/needs", self.kitchen),
                Some(&need),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body["id"].as_i64().unwrap()
    }

    /// A help request posted anonymously, waiting for review.
    async fn new_pending(&self) -> Posted {
        let tag = format!("r{}", self.next());
        self.app.ask(None, REQUEST_AT, "groceries", &tag).await
    }

    /// A help request approved by the coordinator: open.
    async fn new_request(&self) -> Posted {
        let posted = self.new_pending().await;
        let r = self
            .app
            .post(
                Some(&self.fresh(&self.coordinator).await),
                &format!("/api/requests/{}/approve", posted.id),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        posted
    }

    /// A new session of `who`'s account, for setting up a cell: a cell may have ended the
    /// account's other sessions (a password change does).
    async fn fresh(&self, who: &Session) -> Session {
        self.session_of(who.id).await
    }

    /// A new session of account `id`, so that what a cell does to its session (logging out)
    /// touches no other cell.
    async fn session_of(&self, id: i64) -> Session {
        let token = antes::secrets::new_token();
        antes::db::accounts::create_session(
            &self.app.pool,
            &antes::secrets::token_hash(&token),
            id,
            1,
        )
        .await
        .expect("session");
        Session { id, token }
    }

    async fn prepare(&self, fixture: Fixture) -> Prepared {
        let mut p = Prepared {
            param: String::new(),
            manage_token: self.request.manage_token.clone(),
            assignee: None,
            reset_token: String::new(),
        };
        let request = |p: &mut Prepared, posted: Posted| {
            p.param = posted.id;
            p.manage_token = posted.manage_token;
        };
        match fixture {
            Fixture::Nothing => {}
            Fixture::Kitchen => p.param = self.kitchen.to_string(),
            Fixture::PendingPlace => {
                let newcomer = self.app.organizer(false).await;
                let at = common::offset((-31.6260, -60.7290), 50.0 * self.next() as f64, 90.0);
                let id = self.new_kitchen(&newcomer, "Comedor Nuevo", at).await;
                p.param = id.to_string();
            }
            Fixture::Shift => p.param = self.shift.to_string(),
            Fixture::Supplies => p.param = self.supplies.to_string(),
            Fixture::NewSupplies => p.param = self.new_need(supplies_need()).await.to_string(),
            Fixture::NewShift | Fixture::MySlot => {
                p.param = self.new_need(shift_need(self.next())).await.to_string();
            }
            Fixture::NewPledge => {
                let r = self
                    .app
                    .call(
                        Some(&self.fresh(&self.volunteer).await),
                        Post,
                        &format!("/api/needs/{}/pledge", self.supplies),
                        Some(&json!({"quantity": 1})),
                    )
                    .await;
                assert_eq!(r.status, 201, "{}", r.body);
                p.param = r.body["id"].as_i64().unwrap().to_string();
            }
            Fixture::NewReport => {
                let r = self
                    .app
                    .call(
                        None,
                        Post,
                        &format!("/api/places/{}/reports", self.kitchen),
                        Some(&json!({"open": true})),
                    )
                    .await;
                assert_eq!(r.status, 201, "{}", r.body);
                let id: i64 = sqlx::query_scalar("SELECT max(id) FROM place_reports")
                    .fetch_one(&self.app.pool)
                    .await
                    .expect("a report");
                p.param = id.to_string();
            }
            Fixture::Account => p.param = self.volunteer.id.to_string(),
            Fixture::Unsubscribe => {
                let target = self.app.volunteer(true).await;
                let token = antes::secrets::new_token();
                antes::db::notification_settings::upsert(
                    &self.app.pool,
                    target.id,
                    &antes::db::notification_settings::NewSettings {
                        language: "es",
                        by_push: false,
                        by_email: true,
                        by_webhook: false,
                        webhook_to: None,
                        quiet: None,
                    },
                    &token,
                )
                .await
                .expect("settings");
                p.param = token;
            }
            Fixture::NewUnverified => p.param = self.app.volunteer(false).await.id.to_string(),
            Fixture::NewVerified => p.param = self.app.volunteer(true).await.id.to_string(),
            Fixture::NewSuspended => {
                let target = self.app.volunteer(true).await;
                antes::db::accounts::set_suspended(
                    &self.app.pool,
                    target.id,
                    true,
                    self.coordinator.id,
                )
                .await
                .expect("suspend");
                p.param = target.id.to_string();
            }
            Fixture::ResetLink => {
                let target = self.app.volunteer(true).await;
                let r = self
                    .app
                    .post(
                        Some(&self.fresh(&self.coordinator).await),
                        &format!("/api/accounts/{}/password-reset", target.id),
                    )
                    .await;
                assert_eq!(r.status, 201, "{}", r.body);
                let link = r.body["link"].as_str().expect("a link");
                p.reset_token = link.split_once("#token=").expect("a token").1.to_string();
            }
            Fixture::Request => p.param = self.request.id.clone(),
            Fixture::NewPending => request(&mut p, self.new_pending().await),
            Fixture::NewOpen => request(&mut p, self.new_request().await),
            Fixture::NewAssigned => {
                let posted = self.new_request().await;
                let assignee = self.app.volunteer_at(SANTA_FE, 3_000.0, 5).await;
                let claimed = self.app.claim(&assignee, &posted.id).await;
                assert_eq!(claimed.status, 200, "{}", claimed.body);
                request(&mut p, posted);
                p.assignee = Some(assignee);
            }
            Fixture::Cell => p.param = self.cell.clone(),
        }
        p
    }

    /// The session a role calls with in a cell; `None` for the anonymous roles.
    async fn caller(&self, role: Role, prepared: &Prepared) -> Option<Session> {
        let account = match role {
            Role::Anonymous | Role::TokenHolder => return None,
            Role::Assigned => prepared.assignee.as_ref().unwrap_or(&self.assigned).id,
            Role::Unverified => self.unverified.id,
            Role::Volunteer => self.volunteer.id,
            Role::Organizer => self.organizer.id,
            Role::OtherOrganizer => self.other_organizer.id,
            Role::Coordinator => self.coordinator.id,
        };
        Some(self.session_of(account).await)
    }

    async fn body(&self, body: Body, prepared: &Prepared) -> Option<Value> {
        let n = self.next();
        Some(match body {
            Body::None => return None,
            Body::NewPlace => kitchen(
                &format!("Comedor {n}"),
                common::offset(SANTA_FE, 30.0 * n as f64, 200.0),
            ),
            Body::EditPlace => {
                json!({"description": format!("Almuerzos de lunes a viernes ({n})")})
            }
            Body::AddOrganizer => json!({"account_id": self.app.organizer(true).await.id}),
            Body::Supplies => supplies_need(),
            Body::Pledge => json!({"quantity": 1}),
            Body::Report => json!({"queue": "short", "stock": {"harina": "little"}}),
            Body::Register => json!({
                "email": format!("nueva{n}@example.org"),
                "password": NEW_PASSWORD,
                "display_name": format!("Nueva {n}"),
            }),
            Body::Login => json!({"email": LOGIN_EMAIL, "password": common::PASSWORD}),
            Body::HelpRequest => json!({
                "category": "medicine",
                "description": "Retirar una receta",
                "location": {"lat": REQUEST_AT.0, "lon": REQUEST_AT.1},
                "contact": {"name": format!("Persona {n}"), "phone": "+54 342 455-0000"},
                "urgency": "normal",
            }),
            Body::Cancel => json!({}),
            Body::NewPassword => json!({
                "current_password": common::PASSWORD,
                "new_password": NEW_PASSWORD,
            }),
            Body::ResetLink => json!({
                "token": prepared.reset_token,
                "new_password": NEW_PASSWORD,
            }),
            Body::NotifySettings => json!({
                "language": "es", "by_push": true, "by_email": true,
                "quiet_hours": {"from": "22:00", "to": "07:00"},
            }),
            Body::PushSubscription => json!({
                "endpoint": format!("https://fcm.googleapis.com/fcm/send/permissions-{n}"),
                // Any P-256 public key will do as the browser's.
                "keys": {
                    "p256dh": antes::notify::web_push::VapidKeys::generate().public_base64url(),
                    "auth": "AAAAAAAAAAAAAAAAAAAAAA",
                },
            }),
            Body::PushEndpoint => json!({"endpoint": "https://fcm.googleapis.com/fcm/send/gone"}),
            Body::Profile => json!({
                "skills": SKILLS,
                "home": {"lat": SANTA_FE.0, "lon": SANTA_FE.1},
                "radius_m": 3_000.0,
                "on_duty": true,
                "max_open": 5,
            }),
        })
    }

    /// Runs one cell and returns what it answered.
    async fn run(&self, row: &Row, role: Role) -> Reply {
        let prepared = self.prepare(row.fixture).await;
        let who = self.caller(role, &prepared).await;
        if row.fixture == Fixture::MySlot {
            if let Some(who) = &who {
                let r = self
                    .app
                    .post(Some(who), &format!("/api/needs/{}/signup", prepared.param))
                    .await;
                assert_eq!(r.status, 200, "{} taking a slot: {}", role.name(), r.body);
            }
        }
        let uri = row
            .path
            .replace("{z}/{x}/{y}", "13/2714/4855")
            .replace("{id}", &prepared.param)
            .replace("{cell}", &prepared.param)
            .replace("{token}", &prepared.param)
            + row.query;
        let token = (role == Role::TokenHolder).then_some(prepared.manage_token.as_str());
        let body = self.body(row.body, &prepared).await;
        self.app
            .send(who.as_ref(), token, row.method, &uri, body.as_ref())
            .await
    }
}

fn kitchen(name: &str, at: (f64, f64)) -> Value {
    json!({
        "kind": "kitchen", "category": "soup_kitchen", "name": name,
        "location": {"lat": at.0, "lon": at.1},
        "opening_hours": "Mo-Fr 11:30-14:00", "phone": "+54 342 400-0200",
    })
}

fn supplies_need() -> Value {
    json!({"kind": "supplies", "item": "Harina", "quantity": 1000, "unit": "kg"})
}

/// A three-hour cooking shift `n` days after the day after tomorrow, so that no two shifts a
/// caller takes overlap.
fn shift_need(n: usize) -> Value {
    let starts = chrono::Utc::now() + chrono::Duration::days(2 + n as i64);
    json!({
        "kind": "shift", "role": "cook", "slots": 10,
        "starts_at": starts.to_rfc3339(),
        "ends_at": (starts + chrono::Duration::hours(3)).to_rfc3339(),
    })
}

/// Every (method, path) operation in the OpenAPI document.
fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    const METHODS: &[&str] = &[
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    doc["paths"]
        .as_object()
        .expect("the document has paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .into_iter()
                .flatten()
                .filter(|(method, _)| METHODS.contains(&method.as_str()))
                .map(move |(method, _)| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

#[sqlx::test]
async fn every_operation_answers_each_role_as_the_matrix_says(pool: PgPool) {
    let mut config = AppConfig {
        geocoder_url: common::fake_nominatim::start().await.url,
        ..common::test_config()
    };
    // Every channel on, so that turning them on is a matter of permission only.
    config.notify.vapid_private_key =
        antes::notify::web_push::VapidKeys::generate().private_base64url();
    config.notify.vapid_subject = "mailto:coordinacion@example.org".into();
    config.notify.smtp_url = "smtp://127.0.0.1:2525".into();
    let world = World::new(TestApp::with_config(pool, config).await).await;
    let matrix = matrix();

    let doc = world.app.get(None, "/api/openapi.json").await;
    assert_eq!(doc.status, 200);
    let documented = operations(&doc.body);
    let mut tabled = BTreeSet::new();
    let mut problems = Vec::new();
    for row in &matrix {
        let op = (row.method.as_str().to_string(), row.path.to_string());
        if !tabled.insert(op.clone()) {
            problems.push(format!("two rows for {} {}", op.0, op.1));
        }
    }
    for (method, path) in documented.difference(&tabled) {
        problems.push(format!(
            "{method} {path} is in /api/openapi.json but has no row in the matrix"
        ));
    }
    for (method, path) in tabled.difference(&documented) {
        problems.push(format!(
            "{method} {path} has a row in the matrix but is not in /api/openapi.json"
        ));
    }

    let mut cells = 0;
    for row in &matrix {
        let op = (row.method.as_str().to_string(), row.path.to_string());
        if !documented.contains(&op) {
            continue;
        }
        for (role, expect) in ROLES.iter().zip(row.expect) {
            cells += 1;
            let reply = world.run(row, *role).await;
            if !expect.met_by(&reply) {
                problems.push(format!(
                    "{} {} as {}: expected {}, got {}",
                    row.method,
                    row.path,
                    role.name(),
                    expect.describe(),
                    describe(&reply),
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in the permissions matrix ({} operations, {cells} cells):\n  {}",
        problems.len(),
        matrix.len(),
        problems.join("\n  ")
    );
}
