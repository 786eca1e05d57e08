//! Accounts: password strength, changing a password, one-time reset links, and sessions that
//! end when idle or old.

use crate::prelude::*;

const NEW_PASSWORD: &str = "mate amargo en la plaza";

async fn login(app: &TestApp, email: &str, password: &str) -> Reply {
    app.call(
        None,
        Method::Post,
        "/api/auth/login",
        Some(&json!({"email": email, "password": password})),
    )
    .await
}

/// Sets `password` with the reset link holding `token`.
async fn use_link(app: &TestApp, token: &str, password: &str) -> Reply {
    app.call(
        None,
        Method::Post,
        "/api/auth/password-reset",
        Some(&json!({"token": token, "new_password": password})),
    )
    .await
}

async fn email_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT email FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn events_of(app: &TestApp, id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM account_events WHERE account_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn common_and_guessable_passwords_are_refused_at_registration(pool: PgPool) {
    let app = TestApp::new(pool).await;
    for (password, code) in [
        ("password1", "weak_password"),
        ("qwertyuiop", "weak_password"),
        ("Santafe2024", "weak_password"),
        ("martagomez1", "weak_password"),
        ("short", "invalid_password"),
    ] {
        let reply = app
            .call(
                None,
                Method::Post,
                "/api/auth/register",
                Some(
                    &json!({"email": "marta.gomez@example.org", "password": password,
                             "display_name": "Marta Gómez"}),
                ),
            )
            .await;
        assert_eq!(reply.code(), (422, Some(code)), "{password}");
    }
    let accounts: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(accounts, 0);
    let reply = app
        .call(
            None,
            Method::Post,
            "/api/auth/register",
            Some(
                &json!({"email": "marta.gomez@example.org", "password": NEW_PASSWORD,
                         "display_name": "Marta Gómez"}),
            ),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[sqlx::test]
async fn changing_a_password_ends_the_other_sessions_but_not_this_one(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let here = app.volunteer(true).await;
    let email = email_of(&app, here.id).await;
    // A second session of the same account, as on a lost phone.
    let elsewhere = login(&app, &email, crate::common::PASSWORD).await;
    assert_eq!(elsewhere.status, 200);
    let lost_phone_sessions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM sessions WHERE account_id = $1")
            .bind(here.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(lost_phone_sessions, 2);

    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let wrong = app
        .call(
            Some(&here),
            Method::Post,
            "/api/me/password",
            Some(&change("not it", NEW_PASSWORD)),
        )
        .await;
    assert_eq!(wrong.code(), (403, Some("wrong_password")));
    let weak = app
        .call(
            Some(&here),
            Method::Post,
            "/api/me/password",
            Some(&change(crate::common::PASSWORD, "password123")),
        )
        .await;
    assert_eq!(weak.code(), (422, Some("weak_password")));
    let ok = app
        .call(
            Some(&here),
            Method::Post,
            "/api/me/password",
            Some(&change(crate::common::PASSWORD, NEW_PASSWORD)),
        )
        .await;
    assert_eq!(ok.status, 204, "{}", ok.body);

    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE account_id = $1")
        .bind(here.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        sessions, 1,
        "only the session that changed the password is left"
    );
    assert_eq!(app.get(Some(&here), "/api/me").await.status, 200);
    assert_eq!(
        login(&app, &email, crate::common::PASSWORD).await.status,
        401
    );
    assert_eq!(login(&app, &email, NEW_PASSWORD).await.status, 200);
    assert!(events_of(&app, here.id)
        .await
        .contains(&"password_changed".to_string()));
}

#[sqlx::test]
async fn a_reset_link_works_once_within_a_day_and_signs_everyone_out(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let owner = app.organizer(true).await;
    let email = email_of(&app, owner.id).await;
    let uri = format!("/api/accounts/{}/password-reset", owner.id);

    assert_eq!(
        app.post(Some(&owner), &uri).await.code(),
        (403, Some("coordinators_only"))
    );
    assert_eq!(app.post(None, &uri).await.status, 401);
    let issued = app.post(Some(&coordinator), &uri).await;
    assert_eq!(issued.status, 201, "{}", issued.body);
    let link = issued.body["link"].as_str().unwrap().to_string();
    let (path, token) = link
        .split_once("#token=")
        .expect("the token is in the fragment");
    assert!(!path.contains(token));
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM password_resets WHERE token_hash = $1 OR token_hash = $2",
    )
    .bind(token)
    .bind(antes::secrets::token_hash(token))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored, 1, "only the digest is stored");

    let weak = use_link(&app, token, "123456789").await;
    assert_eq!(weak.code(), (422, Some("weak_password")));
    let used = use_link(&app, token, NEW_PASSWORD).await;
    assert_eq!(used.status, 204, "{}", used.body);
    assert_eq!(
        app.get(Some(&owner), "/api/me").await.status,
        401,
        "signed out"
    );
    assert_eq!(login(&app, &email, NEW_PASSWORD).await.status, 200);

    let again = use_link(&app, token, "otra frase larga y rara").await;
    assert_eq!(again.code(), (404, Some("reset_link_invalid")));
    let unknown = use_link(&app, "f00d", "otra frase larga y rara").await;
    assert_eq!(unknown.code(), (404, Some("reset_link_invalid")));

    // A link past its day no longer works; a newer link voids an older one.
    let old = app.post(Some(&coordinator), &uri).await.body["link"].clone();
    let new = app.post(Some(&coordinator), &uri).await.body["link"].clone();
    let token_of = |v: &Value| {
        v.as_str()
            .unwrap()
            .split_once("#token=")
            .unwrap()
            .1
            .to_string()
    };
    let voided = use_link(&app, &token_of(&old), "otra frase larga y rara").await;
    assert_eq!(voided.code(), (404, Some("reset_link_invalid")));
    sqlx::query("UPDATE password_resets SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    let expired = use_link(&app, &token_of(&new), "otra frase larga y rara").await;
    assert_eq!(expired.code(), (404, Some("reset_link_invalid")));
    assert_eq!(login(&app, &email, NEW_PASSWORD).await.status, 200);

    let events = events_of(&app, owner.id).await;
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == "password_reset_issued")
            .count(),
        3
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| *e == "password_reset_used")
            .count(),
        1
    );
    let issuer: Option<i64> = sqlx::query_scalar(
        "SELECT actor_id FROM account_events WHERE account_id = $1 AND action = 'password_reset_issued' LIMIT 1",
    )
    .bind(owner.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(issuer, Some(coordinator.id));
}

#[sqlx::test]
async fn a_session_ends_when_idle_or_old_and_use_keeps_it_alive(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let idle = app.volunteer(true).await;
    let old = app.volunteer(true).await;
    let used = app.volunteer(true).await;
    sqlx::query(
        "UPDATE sessions SET last_seen_at = now() - interval '8 days' WHERE account_id = $1",
    )
    .bind(idle.id)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE account_id = $1",
    )
    .bind(old.id)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE sessions SET last_seen_at = now() - interval '6 days' WHERE account_id = $1",
    )
    .bind(used.id)
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(app.get(Some(&idle), "/api/me").await.status, 401);
    assert_eq!(app.get(Some(&old), "/api/me").await.status, 401);
    assert_eq!(app.get(Some(&used), "/api/me").await.status, 200);
    let idle_for: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM now() - last_seen_at)::float8 FROM sessions WHERE account_id = $1",
    )
    .bind(used.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        idle_for < 60.0,
        "using a session renews it ({idle_for} s idle)"
    );
}
