//! Stopping an account (finding 3): suspension, taking verification back, and a suspension
//! racing claims.

use crate::prelude::*;

#[sqlx::test]
async fn a_suspended_account_is_signed_out_loses_its_tasks_and_cannot_sign_in(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let target = app
        .ask(Some(&coordinator), SANTA_FE, "groceries", "x")
        .await;
    let other = app
        .ask(
            Some(&coordinator),
            offset(SANTA_FE, 500.0, 0.0),
            "groceries",
            "y",
        )
        .await;
    let bad = app.volunteer_at(SANTA_FE, 3_000.0, 2).await;
    assert_eq!(app.claim(&bad, &target.id).await.status, 200);
    let email = app.get(Some(&bad), "/api/me").await.body["email"]
        .as_str()
        .unwrap()
        .to_string();

    // The old code had no way to stop an account.
    let r = app
        .post(
            Some(&coordinator),
            &format!("/api/accounts/{}/suspend", bad.id),
        )
        .await;
    assert_eq!((r.status, r.body["suspended"].as_bool()), (200, Some(true)));
    assert_eq!(app.get(Some(&bad), "/api/me").await.status, 401);
    assert_eq!(app.view(None, &target.id).await.body["status"], "open");
    let login = app
        .call(
            None,
            Post,
            "/api/auth/login",
            Some(&json!({"email": email, "password": crate::common::PASSWORD})),
        )
        .await;
    assert_eq!(login.code(), (403, Some("account_suspended")));
    // A wrong password still says only that.
    let wrong = app
        .call(
            None,
            Post,
            "/api/auth/login",
            Some(&json!({"email": email, "password": "not it at all"})),
        )
        .await;
    assert_eq!(wrong.code(), (401, Some("invalid_credentials")));
    assert_eq!(
        app.post(
            Some(&coordinator),
            &format!("/api/accounts/{}/suspend", coordinator.id)
        )
        .await
        .code(),
        (409, Some("cannot_suspend_self"))
    );

    // Taking verification back also returns the account's tasks.
    let second = app.volunteer_at(SANTA_FE, 3_000.0, 2).await;
    assert_eq!(app.claim(&second, &other.id).await.status, 200);
    let r = app
        .post(
            Some(&coordinator),
            &format!("/api/accounts/{}/unverify", second.id),
        )
        .await;
    assert_eq!((r.status, r.body["verified"].as_bool()), (200, Some(false)));
    assert_eq!(
        app.view(Some(&second), &other.id).await.body["view"],
        "public"
    );
    assert_eq!(
        app.claim(&second, &other.id).await.code(),
        (403, Some("not_verified"))
    );
    assert_eq!(app.tasks(&second).await.code(), (403, Some("not_verified")));
    let log = app
        .get(
            Some(&coordinator),
            &format!("/api/accounts/{}/events", second.id),
        )
        .await;
    assert!(log.body["events"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "unverified"));

    // Lifting the suspension lets the account sign in again.
    app.post(
        Some(&coordinator),
        &format!("/api/accounts/{}/unsuspend", bad.id),
    )
    .await;
    let login = app
        .call(
            None,
            Post,
            "/api/auth/login",
            Some(&json!({"email": email, "password": crate::common::PASSWORD})),
        )
        .await;
    assert_eq!(login.status, 200);
}

#[sqlx::test]
async fn a_suspension_racing_claims_leaves_the_account_holding_no_address(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    for round in 0..3 {
        let mut ids = Vec::new();
        for i in 0..6 {
            let p = offset(SANTA_FE, 200.0 * i as f64, 60.0 * i as f64);
            ids.push(
                app.ask(Some(&coordinator), p, "errand", &format!("r{round}-{i}"))
                    .await
                    .id,
            );
        }
        let racer = app.volunteer_at(SANTA_FE, 5_000.0, 6).await;
        let suspend = format!("/api/accounts/{}/suspend", racer.id);
        let claims = ids.iter().map(|id| app.claim(&racer, id));
        let (_, replies) = futures::join!(
            app.post(Some(&coordinator), &suspend),
            futures::future::join_all(claims)
        );
        assert!(replies.iter().all(|r| r.status < 500));
        let held: i64 =
            sqlx::query_scalar("SELECT count(*) FROM help_requests WHERE assignee = $1")
                .bind(racer.id)
                .fetch_one(&app.pool)
                .await
                .unwrap();
        assert_eq!(held, 0, "round {round}: {replies:?}");
    }
}
