//! One neighbourhood in every state the screens can show, the same on every run: places open
//! around the clock (so no badge depends on the hour), a kitchen with a shift and a supplies
//! need, a request in review, one open, one taken by the volunteer, two closed; a volunteer
//! waiting for verification. Fixed names and places, so screenshots compare.

use antes::domain::cells::{Cell, STORED_RES};
use antes::domain::geo::LatLon;
use rocket::http::Method;
use serde_json::json;
use sqlx::PgPool;

use crate::common::app::{Posted, Session, TestApp};
use crate::common::{self, Browser};

const VOLUNTEER_HOME: (f64, f64) = (-31.6380, -60.7040);
/// The request the volunteer has taken: its exact point, which only they get directions to.
pub const TAKEN_AT: (f64, f64) = (-31.6352, -60.7021);

pub struct Scene {
    pub app: TestApp,
    pub coordinator: Session,
    pub volunteer: Session,
    pub organizer: Session,
    pub waiting: Session,
    pub kitchen: i64,
    pub pending: Posted,
    pub open: Posted,
    pub taken: Posted,
}

async fn place(
    pool: &PgPool,
    kind: &'static str,
    name: &str,
    at: (f64, f64),
    category: &'static str,
    by: i64,
) -> i64 {
    let point = LatLon::new(at.0, at.1).unwrap();
    let place = antes::db::places::NewPlace {
        kind,
        name: name.into(),
        category,
        point,
        cell: Cell::at(point, STORED_RES).to_db(),
        opening_hours: Some("24/7".into()),
        address: Some("San Martín 2450".into()),
        phone: Some("+54 342 455-1234".into()),
        description: None,
        source: None,
        meals_per_day: (kind == "kitchen").then_some(120),
    };
    antes::db::places::insert_by_hand(pool, &place, "active", by)
        .await
        .unwrap()
}

/// Local midnight in Argentina (UTC−3, no summer time) `days` from today, plus `hour` hours.
fn argentina(days: i64, hour: u32) -> String {
    let tz = chrono::FixedOffset::west_opt(3 * 3600).unwrap();
    let day = (chrono::Utc::now().with_timezone(&tz) + chrono::Duration::days(days)).date_naive();
    day.and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_local_timezone(tz)
        .unwrap()
        .to_rfc3339()
}

async fn post(
    app: &TestApp,
    who: &Session,
    uri: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let r = app.call(Some(who), Method::Post, uri, Some(&body)).await;
    assert!(r.status < 300, "{uri}: {}", r.body);
    r.body
}

async fn request(
    app: &TestApp,
    who: Option<&Session>,
    at: (f64, f64),
    category: &str,
    text: &str,
) -> Posted {
    let body = json!({
        "category": category,
        "description": text,
        "location": {"lat": at.0, "lon": at.1},
        "address_detail": "Puerta verde, timbre 2",
        "contact": {"name": "Rosa Quiroga", "phone": "+54 342 455-9876"},
        "urgency": "normal",
    });
    let r = app
        .call(who, Method::Post, "/api/requests", Some(&body))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    Posted {
        id: r.body["id"].as_str().unwrap().to_string(),
        manage_token: r.body["manage_token"].as_str().unwrap().to_string(),
    }
}

pub async fn build(pool: PgPool) -> Scene {
    let app = TestApp::new(pool.clone()).await;
    let (cid, ctoken) = common::account(&pool, "ana@example.org", "coordinator", true).await;
    let coordinator = Session {
        id: cid,
        token: ctoken,
    };
    let (vid, vtoken) = common::account(&pool, "vera@example.org", "volunteer", true).await;
    common::settled_profile(
        &pool,
        vid,
        antes::domain::requests::CATEGORIES,
        VOLUNTEER_HOME,
        3000.0,
        true,
        3,
    )
    .await;
    let volunteer = Session {
        id: vid,
        token: vtoken,
    };
    let (oid, otoken) = common::account(&pool, "olga@example.org", "organizer", true).await;
    let organizer = Session {
        id: oid,
        token: otoken,
    };
    let (wid, wtoken) = common::account(&pool, "nico@example.org", "volunteer", false).await;
    let waiting = Session {
        id: wid,
        token: wtoken,
    };

    place(
        &pool,
        "shop",
        "Almacén Don Pepe",
        (-31.6320, -60.7010),
        "supermarket",
        cid,
    )
    .await;
    place(
        &pool,
        "shop",
        "Farmacia del Centro",
        (-31.6345, -60.6985),
        "pharmacy",
        cid,
    )
    .await;
    place(
        &pool,
        "shop",
        "Verdulería La Huerta",
        (-31.6310, -60.6975),
        "greengrocer",
        cid,
    )
    .await;
    let kitchen = place(
        &pool,
        "kitchen",
        "Comedor Los Pibes",
        (-31.6340, -60.7030),
        "soup_kitchen",
        oid,
    )
    .await;
    antes::db::kitchens::add_organizer(&pool, kitchen, oid)
        .await
        .unwrap();
    post(
        &app,
        &organizer,
        &format!("/api/places/{kitchen}/needs"),
        json!({"kind": "shift", "role": "cook", "starts_at": argentina(3, 11), "ends_at": argentina(3, 14), "slots": 3}),
    )
    .await;
    post(
        &app,
        &organizer,
        &format!("/api/places/{kitchen}/needs"),
        json!({"kind": "supplies", "item": "Harina", "quantity": 20, "unit": "kg"}),
    )
    .await;

    let pending = request(
        &app,
        None,
        (-31.6360, -60.7000),
        "groceries",
        "Leche, pan y yerba",
    )
    .await;
    let open = request(
        &app,
        Some(&coordinator),
        (-31.6300, -60.7050),
        "medicine",
        "Remedios de la farmacia",
    )
    .await;
    let taken = request(
        &app,
        Some(&coordinator),
        TAKEN_AT,
        "company",
        "Una charla y un mate",
    )
    .await;
    assert_eq!(app.claim(&volunteer, &taken.id).await.status, 200);
    let done = request(
        &app,
        Some(&coordinator),
        (-31.6390, -60.6990),
        "errand",
        "Pagar la luz",
    )
    .await;
    assert_eq!(app.claim(&volunteer, &done.id).await.status, 200);
    post(
        &app,
        &volunteer,
        &format!("/api/requests/{}/complete", done.id),
        json!({}),
    )
    .await;
    let cancelled = request(
        &app,
        Some(&coordinator),
        (-31.6395, -60.7060),
        "meal",
        "Una vianda",
    )
    .await;
    post(
        &app,
        &coordinator,
        &format!("/api/requests/{}/cancel", cancelled.id),
        json!({}),
    )
    .await;

    Scene {
        app,
        coordinator,
        volunteer,
        organizer,
        waiting,
        kitchen,
        pending,
        open,
        taken,
    }
}

/// Signs the page in as `who` with its session cookie, as a log-in would leave it, and
/// reloads. (The log-in form itself is tested in tests/browser.rs.)
pub async fn sign_in(b: &Browser, base: &str, who: Option<&Session>) {
    b.client.goto(base).await.unwrap();
    b.cdp("Network.clearBrowserCookies", serde_json::json!({}))
        .await;
    match who {
        Some(s) => {
            b.cdp(
                "Network.setCookie",
                serde_json::json!({"name": "antes_session", "value": s.token, "url": base, "httpOnly": true}),
            )
            .await;
            b.eval("(localStorage.setItem('antes.signed_in', '1'), true)")
                .await;
        }
        None => {
            b.eval("(localStorage.removeItem('antes.signed_in'), true)")
                .await;
        }
    }
    b.client.goto(base).await.unwrap();
    b.wait_for_map().await;
}
