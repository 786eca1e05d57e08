//! Harvesting addresses by claiming (finding 3): claim-read-release and claim-read-complete
//! loops, off-duty volunteers and organizers.

use crate::prelude::*;

/// `n` open requests near Santa Fe from `coordinator`, `step_m` apart; their ids.
async fn requests_near(app: &TestApp, coordinator: &Session, n: usize, step_m: f64) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let p = offset(SANTA_FE, step_m * i as f64, 27.0 * i as f64);
        ids.push(
            app.ask(Some(coordinator), p, "errand", &format!("n{i}"))
                .await
                .id,
        );
    }
    ids
}

/// The harvesting loop: claim each request, read its contact, then free the slot with
/// `free` (`release` or `complete`). Returns how many phones were read and the first refusal.
async fn harvest(app: &TestApp, who: &Session, ids: &[String], free: &str) -> (usize, Reply) {
    let mut phones_read = 0;
    for id in ids {
        let claim = app.claim(who, id).await;
        if claim.status != 200 {
            return (phones_read, claim);
        }
        if app.view(Some(who), id).await.body["contact"]["phone"].is_string() {
            phones_read += 1;
        }
        let freed = app
            .post(Some(who), &format!("/api/requests/{id}/{free}"))
            .await;
        if freed.status != 200 {
            return (phones_read, freed);
        }
    }
    panic!("nothing refused {} claims", ids.len());
}

#[sqlx::test]
async fn claim_read_release_loops_stop_at_the_daily_limit_and_alert_the_coordinators(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let harvester = app.volunteer_at(SANTA_FE, 5_000.0, 1).await;
    let ids = requests_near(&app, &coordinator, 6, 300.0).await;
    // The old code let this loop run three times in 50 ms, and as often as one liked.
    let (phones_read, refused) = harvest(&app, &harvester, &ids, "release").await;
    assert_eq!(refused.code(), (429, Some("release_limit")));
    assert!(refused.retry_after.is_some_and(|s| s > 0));
    // Three releases a day and one held task: four addresses, then nothing more.
    assert_eq!(phones_read, 4);
    assert_eq!(
        app.claim(&harvester, &ids[4]).await.code(),
        (409, Some("too_many_open"))
    );
    let alerts = app.get(Some(&coordinator), "/api/alerts").await;
    let list = alerts.body["alerts"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{}", alerts.body);
    assert_eq!(
        (list[0]["account_id"].as_i64(), list[0]["action"].as_str()),
        (Some(harvester.id), Some("alert_release_burst"))
    );
    assert_eq!(app.get(Some(&harvester), "/api/alerts").await.status, 403);
    // A coordinator may still release it for them.
    let held = &ids[3];
    assert_eq!(app.release(&coordinator, held).await.status, 200);
}

#[sqlx::test]
async fn off_duty_volunteers_and_organizers_cannot_claim(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let target = app.ask(Some(&coordinator), SANTA_FE, "medicine", "x").await;
    let resting = app.volunteer_at(SANTA_FE, 3_000.0, 1).await;
    let off = json!({"skills": ["medicine"], "home": {"lat": SANTA_FE.0, "lon": SANTA_FE.1}, "radius_m": 3000, "on_duty": false, "max_open": 1});
    assert_eq!(
        app.call(Some(&resting), Put, "/api/me/volunteer", Some(&off))
            .await
            .status,
        200
    );
    // The old code ignored on_duty = false.
    assert_eq!(
        app.claim(&resting, &target.id).await.code(),
        (403, Some("off_duty"))
    );
    // A verified organizer made a volunteer profile, claimed, and read a contact.
    let organizer = app.organizer(true).await;
    crate::common::settled_profile(
        &app.pool,
        organizer.id,
        &["medicine"],
        SANTA_FE,
        3_000.0,
        true,
        1,
    )
    .await;
    assert_eq!(
        app.claim(&organizer, &target.id).await.code(),
        (403, Some("volunteers_only"))
    );
    assert_eq!(
        app.tasks(&organizer).await.code(),
        (403, Some("volunteers_only"))
    );
    assert_eq!(
        app.view(Some(&organizer), &target.id).await.body["view"],
        "public"
    );
}

#[sqlx::test]
async fn claim_read_complete_loops_stop_at_the_daily_claim_limit(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let harvester = app.volunteer_at(SANTA_FE, 5_000.0, 1).await;
    let ids = requests_near(&app, &coordinator, 13, 150.0).await;
    // Marking a task done frees its slot with no limit of its own, so without a claim limit
    // this loop read every open request's address.
    let (phones_read, refused) = harvest(&app, &harvester, &ids, "complete").await;
    assert_eq!(refused.code(), (429, Some("claim_limit")));
    assert!(refused.retry_after.is_some_and(|s| s > 0));
    assert_eq!(phones_read, test_config().claims_per_day as usize);
    let alerts = app.get(Some(&coordinator), "/api/alerts").await;
    assert!(alerts.body["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["action"] == "alert_claim_burst" && a["account_id"] == harvester.id));
}
