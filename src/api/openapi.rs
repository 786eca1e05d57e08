//! The OpenAPI document, generated from the handlers' annotations.

use rocket::serde::json::Json;
use rocket::{get, State};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::Ref;
use utoipa::{Modify, OpenApi};

use super::guards::SESSION_COOKIE;
use crate::config::AppConfig;

use super::{
    accounts, auth, cells, claims, geocode, health, history, kitchen_followers, matches, needs,
    notification_log, notification_settings, passwords, place_admin, place_reports, places,
    pledges, profiles, requests, review, shifts, tasks, tiles, web,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Antes de Salir", description = "Neighbourhood care on a map: nearby shops and kitchens, help requests, volunteers."),
    paths(
        health::healthz,
        document,
        web::client_config,
        places::list_categories,
        places::list,
        places::nearby,
        geocode::search,
        places::one,
        place_reports::report,
        place_reports::review,
        place_reports::hide_reporter,
        place_reports::history,
        place_admin::create_place,
        place_admin::edit_place,
        place_admin::approve_place,
        place_admin::add_organizer,
        place_admin::my_places,
        needs::post_need,
        needs::place_needs,
        needs::nearby_needs,
        needs::need_detail,
        needs::close_need,
        shifts::signup,
        shifts::cancel_signup,
        shifts::my_shifts,
        pledges::pledge,
        pledges::withdraw_pledge,
        pledges::receive_pledge,
        pledges::my_pledges,
        auth::register,
        auth::login,
        auth::logout,
        auth::me,
        passwords::change_own,
        passwords::issue_reset_link,
        passwords::use_reset,
        accounts::list_accounts,
        accounts::verify_account,
        accounts::unverify_account,
        accounts::suspend_account,
        accounts::unsuspend_account,
        accounts::account_events,
        history::account_request_events,
        accounts::alerts,
        requests::create,
        requests::one,
        requests::cancel,
        requests::events,
        review::review_queue,
        history::closed_requests,
        review::approve,
        review::reject,
        claims::claim,
        claims::release,
        claims::complete,
        cells::cells,
        cells::cell_outline,
        profiles::put_profile,
        tasks::tasks,
        tasks::assignments,
        matches::matches,
        tiles::places,
        tiles::request_cells,
        tiles::needs,
        notification_settings::get_settings,
        notification_settings::put_settings,
        notification_settings::add_push_subscription,
        notification_settings::remove_push_subscription,
        notification_settings::unsubscribe,
        notification_log::request_notifications,
        kitchen_followers::following,
        kitchen_followers::follow,
        kitchen_followers::unfollow,
    ),
    components(schemas(crate::error::ErrorBody, crate::error_code::ErrorCode)),
    modifiers(&CommonResponses),
    tags(
        (name = "places", description = "Shops and community kitchens"),
        (name = "accounts", description = "Accounts, sessions and verification"),
        (name = "requests", description = "Help requests: posting, lifecycle, review, audit log and public counts"),
        (name = "volunteers", description = "Volunteer profiles, tasks, assignments and matches"),
        (name = "kitchens", description = "Places made by hand, kitchen needs, pledges and shifts"),
        (name = "notifications", description = "Notification channels, Web Push subscriptions, followed kitchens and who was told"),
    )
)]
pub struct ApiDoc;

/// The answers every operation of a kind can give, added in one place so no handler can forget
/// them: 401 where a session is needed; 400, 413, 415 and 422 where a body is read; 422 where
/// a parameter is parsed; 503 (with `Retry-After`) everywhere the database is read.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        super::doc_constraints::apply(doc);
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The session cookie set by /api/auth/login and /api/auth/register.",
            ))),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            for op in super::doc_constraints::operations_mut(item) {
                let mut add = |status: &str, what: &str| {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error_response(what).into());
                };
                if op.security.is_some() {
                    add("401", "`unauthorized`: no session, or it has ended");
                }
                if op.request_body.is_some() {
                    add("400", "`bad_request`: the body could not be read");
                    add("413", "`payload_too_large`: the body is over `limits.json`");
                    add(
                        "415",
                        "`unsupported_media_type`: the body is not application/json",
                    );
                    add("422", "`invalid_body` or a field's own code");
                }
                if op.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
                    add("422", "`invalid_input` or a parameter's own code");
                }
                if !STATIC_PATHS.contains(&path.as_str()) {
                    add("503", "`database_unavailable`, with `Retry-After`");
                }
            }
        }
    }
}

/// Paths answered without the database.
const STATIC_PATHS: [&str; 3] = ["/api/openapi.json", "/api/config", "/api/categories"];

fn error_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
}

/// This document, with this deployment's stock items.
#[utoipa::path(get, path = "/api/openapi.json", tag = "web", responses((status = 200, description = "OpenAPI 3.1 document")))]
#[get("/api/openapi.json")]
pub fn document(config: &State<AppConfig>) -> Json<serde_json::Value> {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    let items: Vec<&str> = config.report_items.iter().map(|i| i.id.as_str()).collect();
    super::doc_constraints::report_body(&mut doc, &items);
    Json(doc)
}
