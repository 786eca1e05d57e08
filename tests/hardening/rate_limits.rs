//! Abuse limits live in PostgreSQL, so any number of server instances share them: per address
//! and per account, per action, refused with 429 and `Retry-After`.

use crate::prelude::*;
use rocket::local::asynchronous::Client;

fn limited(configure: impl FnOnce(&mut RateLimits)) -> AppConfig {
    let mut limits = RateLimits::off();
    configure(&mut limits);
    AppConfig {
        rate_limits: limits,
        ..test_config()
    }
}

/// Two instances of the app on one database, like two `antes serve` behind a balancer.
async fn two_instances(pool: &PgPool, config: AppConfig) -> (TestApp, TestApp) {
    (
        TestApp::with_config(pool.clone(), config.clone()).await,
        TestApp::with_config(pool.clone(), config).await,
    )
}

async fn post_from(
    client: &Client,
    ip: &str,
    uri: &str,
    body: &Value,
) -> (u16, Option<u64>, Value) {
    let res = client
        .post(uri.to_string())
        .remote(format!("{ip}:40000").parse().unwrap())
        .header(ContentType::JSON)
        .body(body.to_string())
        .dispatch()
        .await;
    let status = res.status().code;
    let retry = res
        .headers()
        .get_one("Retry-After")
        .and_then(|v| v.parse().ok());
    (status, retry, res.into_json().await.unwrap_or(Value::Null))
}

#[sqlx::test]
async fn posting_from_one_address_is_limited_across_two_instances(pool: PgPool) {
    let config = limited(|l| {
        l.post_request = ActionLimit {
            per_address: 4,
            per_account: 0,
            period_secs: 3600,
        }
    });
    let (a, b) = two_instances(&pool, config).await;
    let body = help_request("Rosa");
    let mut statuses = Vec::new();
    for i in 0..6 {
        let app = if i % 2 == 0 { &a } else { &b };
        statuses.push(post_from(&app.client, "203.0.113.7", "/api/requests", &body).await);
    }
    let codes: Vec<u16> = statuses.iter().map(|s| s.0).collect();
    assert_eq!(codes, [201, 201, 201, 201, 429, 429]);
    let (_, retry, err) = &statuses[4];
    assert_eq!(err["error"], "rate_limited");
    // One action comes back every 3600/4 s.
    assert!(retry.is_some_and(|r| (890..=900).contains(&r)), "{retry:?}");
    let (status, _, _) = post_from(&b.client, "203.0.113.8", "/api/requests", &body).await;
    assert_eq!(status, 201, "another address has its own budget");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM help_requests")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 5);
}

#[sqlx::test]
async fn guessing_one_accounts_password_is_limited_from_any_address(pool: PgPool) {
    let config = limited(|l| {
        l.login = ActionLimit {
            per_address: 100,
            per_account: 3,
            period_secs: 900,
        }
    });
    let (a, b) = two_instances(&pool, config).await;
    let victim = json!({"email": "Victim@Example.org", "password": "guess number one"});
    let mut codes = Vec::new();
    for i in 0..5 {
        let app = if i % 2 == 0 { &a } else { &b };
        // Twenty addresses, as in the audit: each is new, the account is the same.
        let ip = format!("198.51.100.{}", i + 1);
        codes.push(
            post_from(&app.client, &ip, "/api/auth/login", &victim)
                .await
                .0,
        );
    }
    assert_eq!(codes, [401, 401, 401, 429, 429]);
    // The email is compared without case, so changing it does not reset the budget.
    let shouted = json!({"email": "VICTIM@example.ORG", "password": "guess"});
    assert_eq!(
        post_from(&a.client, "198.51.100.99", "/api/auth/login", &shouted)
            .await
            .0,
        429
    );
    let other = json!({"email": "other@example.org", "password": "guess"});
    assert_eq!(
        post_from(&b.client, "198.51.100.1", "/api/auth/login", &other)
            .await
            .0,
        401
    );
}

#[sqlx::test]
async fn a_burst_of_parallel_first_hits_cannot_slip_past_the_limit(pool: PgPool) {
    let config = limited(|l| {
        l.register = ActionLimit {
            per_address: 5,
            per_account: 0,
            period_secs: 3600,
        }
    });
    let (a, b) = two_instances(&pool, config).await;
    let attempts = (0..30).map(|i| {
        let app = if i % 2 == 0 { &a } else { &b };
        let body = json!({
            "email": format!("new{i}@example.org"),
            "password": "a long passphrase for tests",
            "display_name": "N",
        });
        async move {
            post_from(&app.client, "192.0.2.50", "/api/auth/register", &body)
                .await
                .0
        }
    });
    let codes = futures::future::join_all(attempts).await;
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 5, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 429).count(), 25, "{codes:?}");
}

#[sqlx::test]
async fn profile_changes_are_limited_per_account_with_retry_after(pool: PgPool) {
    let config = limited(|l| {
        l.profile = ActionLimit {
            per_address: 0,
            per_account: 2,
            period_secs: 600,
        };
    });
    let app = TestApp::with_config(pool, config).await;
    let volunteer = app.volunteer(true).await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(app.set_home(&volunteer, SANTA_FE, 2000.0).await);
    }
    assert_eq!(codes[0].status, 200);
    assert_eq!(codes[2].code(), (429, Some("rate_limited")));
    assert!(codes[2].retry_after.is_some_and(|r| r > 0));
}
