//! Kitchens' needs: a shift reaches the volunteers who cook near it, and a lack of supplies
//! reaches the neighbours who follow the kitchen.

use chrono::Utc;
use rocket::http::Method;
use serde_json::json;
use sqlx::PgPool;

use crate::common::app::Session;
use crate::{near, World};

/// A verified organizer's kitchen 1 km from the centre; its id.
pub async fn kitchen(w: &World, organizer: &Session) -> i64 {
    let at = near(1_000.0, 0.0);
    let r = w
        .app
        .call(
            Some(organizer),
            Method::Post,
            "/api/places",
            Some(&json!({
                "kind": "kitchen", "category": "soup_kitchen", "name": "Comedor Los Aromos",
                "location": {"lat": at.0, "lon": at.1},
                "opening_hours": "Mo-Fr 11:30-14:00", "meals_per_day": 150,
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_i64().unwrap()
}

pub async fn post_supplies(w: &World, organizer: &Session, kitchen: i64) {
    let r = w
        .app
        .call(
            Some(organizer),
            Method::Post,
            &format!("/api/places/{kitchen}/needs"),
            Some(&json!({"kind": "supplies", "item": "Harina", "quantity": 10, "unit": "kg"})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
}

#[sqlx::test]
async fn a_shift_reaches_nearby_cooks_and_missing_supplies_reach_the_followers(pool: PgPool) {
    let w = World::new(pool).await;
    let organizer = w.app.organizer(true).await;
    let kitchen = kitchen(&w, &organizer).await;
    // A cook near the kitchen, someone who cannot cook, and a cook 30 km away.
    let cook = w.app.volunteer(true).await;
    crate::common::settled_profile(
        &w.app.pool,
        cook.id,
        &["meal"],
        near(1_100.0, 0.0),
        3_000.0,
        true,
        2,
    )
    .await;
    w.subscribe(&cook, "cook").await;
    let driver = w.app.volunteer(true).await;
    crate::common::settled_profile(
        &w.app.pool,
        driver.id,
        &["errand"],
        near(1_100.0, 0.0),
        3_000.0,
        true,
        2,
    )
    .await;
    w.subscribe(&driver, "driver").await;
    let far = w.app.volunteer(true).await;
    crate::common::settled_profile(
        &w.app.pool,
        far.id,
        &["meal"],
        near(31_000.0, 0.0),
        3_000.0,
        true,
        2,
    )
    .await;
    w.subscribe(&far, "far").await;
    // A neighbour follows the kitchen; another does not.
    let neighbour = w.app.volunteer(false).await;
    w.subscribe(&neighbour, "neighbour").await;
    let r = w
        .app
        .call(
            Some(&neighbour),
            Method::Put,
            &format!("/api/places/{kitchen}/follow"),
            None,
        )
        .await;
    assert_eq!(r.body, json!({"following": true}));
    let stranger = w.app.volunteer(false).await;
    w.subscribe(&stranger, "stranger").await;

    let starts = Utc::now() + chrono::Duration::days(1);
    let r = w
        .app
        .call(
            Some(&organizer),
            Method::Post,
            &format!("/api/places/{kitchen}/needs"),
            Some(&json!({"kind": "shift", "role": "cook", "slots": 2,
                "starts_at": starts.to_rfc3339(),
                "ends_at": (starts + chrono::Duration::hours(3)).to_rfc3339()})),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    post_supplies(&w, &organizer, kitchen).await;
    w.deliver(Utc::now()).await;
    let got = w.push.wait_for(2).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let got_now = w.push.received.lock().unwrap().clone();
    assert_eq!(got_now.len(), 2, "{got:#?}");
    let by = |name: &str| {
        let r = got_now
            .iter()
            .find(|r| r.endpoint_name == name)
            .unwrap_or_else(|| panic!("nothing for {name}: {got_now:#?}"));
        serde_json::from_str::<serde_json::Value>(&r.plaintext).unwrap()
    };
    let shift = by("cook");
    assert_eq!(shift["title"], "Un comedor busca ayuda: Comedor Los Aromos");
    assert!(
        shift["body"].as_str().unwrap().contains("cocinar"),
        "{shift}"
    );
    assert_eq!(shift["url"], format!("/?place={kitchen}"));
    let supplies = by("neighbour");
    assert_eq!(supplies["title"], "Comedor Los Aromos necesita Harina");

    // Unfollowing stops the next one.
    let r = w
        .app
        .call(
            Some(&neighbour),
            Method::Delete,
            &format!("/api/places/{kitchen}/follow"),
            None,
        )
        .await;
    assert_eq!(r.body, json!({"following": false}));
    post_supplies(&w, &organizer, kitchen).await;
    w.deliver(Utc::now()).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(w.push.received.lock().unwrap().len(), 2);
}
