//! Moving one's home: the claim window and the daily limit on moves (finding 3).

use crate::prelude::*;

#[sqlx::test]
async fn moving_home_next_to_a_far_request_does_not_let_one_claim_it_before_the_window(
    pool: PgPool,
) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let target = app
        .ask(Some(&coordinator), SANTA_FE, "groceries", "lejos")
        .await;
    let far = offset(SANTA_FE, 150_000.0, 0.0);
    let claimant = app.volunteer_at(far, 5_000.0, 1).await;
    assert_eq!(
        app.claim(&claimant, &target.id).await.code(),
        (403, Some("not_eligible"))
    );
    // The old code measured reach from the home as it was at the claim: one profile update
    // later, the same claim got 200 and the address.
    assert_eq!(app.set_home(&claimant, SANTA_FE, 2_000.0).await.status, 200);
    assert_eq!(
        app.claim(&claimant, &target.id).await.code(),
        (403, Some("not_eligible"))
    );
    assert_eq!(
        app.view(Some(&claimant), &target.id).await.body["view"],
        "public"
    );
    // A brand-new volunteer's first home has not stood long enough either.
    let newcomer = app.volunteer(true).await;
    assert_eq!(app.set_home(&newcomer, SANTA_FE, 2_000.0).await.status, 200);
    assert_eq!(
        app.claim(&newcomer, &target.id).await.code(),
        (403, Some("home_not_settled"))
    );
    // An hour later the new home counts.
    app.sql(&format!(
        "UPDATE volunteer_home_changes SET changed_at = (changed_at AT TIME ZONE 'UTC' - interval '61 minutes') AT TIME ZONE 'UTC' \
         WHERE account_id = {}",
        claimant.id
    ))
    .await;
    assert_eq!(app.claim(&claimant, &target.id).await.status, 200);
    assert_eq!(
        app.view(Some(&claimant), &target.id).await.body["view"],
        "full"
    );
}

#[sqlx::test]
async fn a_fourth_home_move_in_a_day_is_refused_and_every_move_is_audited(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let mover = app.volunteer(true).await;
    for i in 0..3 {
        let r = app
            .set_home(&mover, offset(SANTA_FE, 2_000.0 * i as f64, 0.0), 3_000.0)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // Saving the same home again is no move.
    let same = app
        .set_home(&mover, offset(SANTA_FE, 4_000.0, 0.0), 2_500.0)
        .await;
    assert_eq!(same.status, 200);
    let refused = app
        .set_home(&mover, offset(SANTA_FE, 9_000.0, 0.0), 3_000.0)
        .await;
    assert_eq!(refused.code(), (429, Some("home_change_limit")));
    let wait = refused.retry_after.expect("Retry-After");
    assert!(wait > 23 * 3600 && wait <= 24 * 3600, "{wait}");
    let me = app.get(Some(&mover), "/api/me").await;
    assert!(
        (me.body["volunteer"]["home"]["lat"].as_f64().unwrap() - offset(SANTA_FE, 4_000.0, 0.0).0)
            .abs()
            < 1e-9
    );
    let log = app
        .get(
            Some(&coordinator),
            &format!("/api/accounts/{}/events", mover.id),
        )
        .await;
    let moves = log.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "home_changed" && e["actor_id"] == mover.id)
        .count();
    assert_eq!(moves, 3);
    // Past homes are forgotten once neither the limit nor the claim window needs them: after
    // three days only the last one is left, and it is the one claims are measured from.
    app.sql(&format!(
        "UPDATE volunteer_home_changes SET changed_at = (changed_at AT TIME ZONE 'UTC' - interval '3 days') AT TIME ZONE 'UTC' \
         WHERE account_id = {}",
        mover.id
    ))
    .await;
    antes::maintenance::run(&app.pool, &test_config())
        .await
        .unwrap();
    let left: Vec<i64> =
        sqlx::query_scalar("SELECT cell FROM volunteer_home_changes WHERE account_id = $1")
            .bind(mover.id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let last = antes::domain::cells::Cell::at(
        antes::domain::geo::LatLon::new(
            offset(SANTA_FE, 4_000.0, 0.0).0,
            offset(SANTA_FE, 4_000.0, 0.0).1,
        )
        .unwrap(),
        antes::domain::cells::STORED_RES,
    );
    assert_eq!(left, [last.to_db()]);
    let again = app
        .set_home(&mover, offset(SANTA_FE, 9_000.0, 0.0), 3_000.0)
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(
        app.get(Some(&mover), &format!("/api/accounts/{}/events", mover.id))
            .await
            .status,
        403
    );
}
