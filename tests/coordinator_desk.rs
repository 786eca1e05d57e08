//! The coordinator's desk (issue 16): a paged history of closed requests, filtered by state and
//! closing time, and the audit logs per request and per account, paged.

mod common;

use common::app::{Session, TestApp};
use rocket::http::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

const HOME: (f64, f64) = (-31.6333, -60.7000);

fn ids(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap_or_else(|| panic!("no `{list}` in {v}"))
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn cancel(app: &TestApp, who: &Session, id: &str) {
    let r = app
        .call(
            Some(who),
            Method::Post,
            &format!("/api/requests/{id}/cancel"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// Moves a request's closing time to `hours` hours ago.
async fn closed_hours_ago(app: &TestApp, id: &str, hours: i64) {
    app.sql(&format!(
        "UPDATE help_requests SET closed_at = now() - interval '{hours} hours' WHERE id = '{id}'"
    ))
    .await;
}

#[sqlx::test]
async fn the_history_lists_closed_requests_newest_first_in_pages_of_twenty(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coord = app.coordinator().await;
    // 24 cancelled, closed 1..=24 hours ago; one still open; one closed but purged.
    let mut cancelled = Vec::new();
    for h in 1..=24 {
        let p = app
            .ask(Some(&coord), HOME, "groceries", &format!("c{h}"))
            .await;
        cancel(&app, &coord, &p.id).await;
        closed_hours_ago(&app, &p.id, h).await;
        cancelled.push(p.id);
    }
    let open = app.ask(Some(&coord), HOME, "medicine", "open").await;
    let purged = app.ask(Some(&coord), HOME, "medicine", "purged").await;
    cancel(&app, &coord, &purged.id).await;
    // Closed long ago, then erased by the retention purge, which counts in days.
    closed_hours_ago(&app, &purged.id, 24 * 400).await;
    let erased = antes::db::retention::purge(&app.pool, 365).await.unwrap();
    assert_eq!(erased, 1);

    let first = app.get(Some(&coord), "/api/review/history").await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(ids(&first.body, "requests"), cancelled[..20].to_vec());
    assert_eq!(first.body["next_page"], 2);
    let row = &first.body["requests"][0];
    assert_eq!(row["status"], "cancelled");
    assert!(row["closed_at"].is_string() && row["cell"].is_string());
    assert!(
        row.get("contact").is_none() && row.get("location").is_none(),
        "the history shows no exact data: {row}"
    );

    let second = app.get(Some(&coord), "/api/review/history?page=2").await;
    assert_eq!(ids(&second.body, "requests"), cancelled[20..].to_vec());
    assert_eq!(second.body["next_page"], Value::Null);
    let all: Vec<String> = [ids(&first.body, "requests"), ids(&second.body, "requests")].concat();
    assert!(!all.contains(&open.id) && !all.contains(&purged.id));
}

#[sqlx::test]
async fn the_history_filters_by_final_state_and_closing_time_and_refuses_other_filters(
    pool: PgPool,
) {
    let app = TestApp::new(pool).await;
    let coord = app.coordinator().await;
    let volunteer = app.volunteer_at(HOME, 3000.0, 5).await;
    let done = app.ask(Some(&coord), HOME, "groceries", "done").await;
    assert_eq!(app.claim(&volunteer, &done.id).await.status, 200);
    let r = app
        .post(
            Some(&volunteer),
            &format!("/api/requests/{}/complete", done.id),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    closed_hours_ago(&app, &done.id, 30).await;
    let cancelled = app.ask(Some(&coord), HOME, "company", "cancelled").await;
    cancel(&app, &coord, &cancelled.id).await;
    closed_hours_ago(&app, &cancelled.id, 2).await;

    let only_done = app
        .get(Some(&coord), "/api/review/history?status=done")
        .await;
    assert_eq!(ids(&only_done.body, "requests"), vec![done.id.clone()]);

    // A window from 48 h to 24 h ago holds the one closed 30 h ago.
    let window = app
        .get(
            Some(&coord),
            &format!(
                "/api/review/history?from={}&to={}",
                (chrono::Utc::now() - chrono::Duration::hours(48)).to_rfc3339(),
                (chrono::Utc::now() - chrono::Duration::hours(24)).to_rfc3339()
            )
            .replace('+', "%2B"),
        )
        .await;
    assert_eq!(window.status, 200, "{}", window.body);
    assert_eq!(ids(&window.body, "requests"), vec![done.id.clone()]);

    for bad in [
        "status=open",
        "status=nonsense",
        "from=yesterday",
        "page=0",
        "from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z",
    ] {
        let r = app
            .get(Some(&coord), &format!("/api/review/history?{bad}"))
            .await;
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
        assert!(r.body["error"].is_string(), "{bad}: {}", r.body);
    }
    let r = app.get(Some(&volunteer), "/api/review/history").await;
    assert_eq!(r.code(), (403, Some("coordinators_only")));
}

#[sqlx::test]
async fn an_accounts_log_shows_which_requests_it_saw_in_full_newest_first_in_pages(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let auditor = app.coordinator().await;
    let looker = app.coordinator().await;
    let first = app.ask(None, HOME, "medicine", "first").await;
    let last = app.ask(None, HOME, "groceries", "last").await;
    assert_eq!(app.view(Some(&looker), &first.id).await.status, 200);
    for _ in 0..50 {
        assert_eq!(app.view(Some(&looker), &last.id).await.status, 200);
    }

    let uri = format!("/api/accounts/{}/request-events", looker.id);
    let page1 = app.get(Some(&auditor), &uri).await;
    assert_eq!(page1.status, 200, "{}", page1.body);
    let events = page1.body["events"].as_array().unwrap();
    assert_eq!(events.len(), 50);
    assert_eq!(events[0]["action"], "viewed_full");
    assert_eq!(events[0]["request_id"], last.id.as_str());
    assert_eq!(events[0]["category"], "groceries");
    assert_eq!(page1.body["next_page"], 2);
    let page2 = app.get(Some(&auditor), &format!("{uri}?page=2")).await;
    let events = page2.body["events"].as_array().unwrap();
    assert_eq!(events.len(), 1, "{}", page2.body);
    assert_eq!(events[0]["request_id"], first.id.as_str());
    assert_eq!(page2.body["next_page"], Value::Null);

    // The auditor's own look at the log is not a look at a request.
    let own = app
        .get(
            Some(&auditor),
            &format!("/api/accounts/{}/request-events", auditor.id),
        )
        .await;
    assert_eq!(own.body["events"].as_array().unwrap().len(), 0);
    let missing = app
        .get(Some(&auditor), "/api/accounts/999999/request-events")
        .await;
    assert_eq!(missing.status, 404);
}

#[sqlx::test]
async fn a_requests_log_reads_oldest_first_in_pages_of_fifty(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coord = app.coordinator().await;
    let p = app.ask(None, HOME, "errand", "logged").await;
    for _ in 0..52 {
        assert_eq!(app.view(Some(&coord), &p.id).await.status, 200);
    }
    let uri = format!("/api/requests/{}/events", p.id);
    let page1 = app.get(Some(&coord), &uri).await;
    let events = page1.body["events"].as_array().unwrap();
    assert_eq!(events.len(), 50);
    assert_eq!(events[0]["action"], "created");
    assert_eq!(events[1]["action"], "viewed_full");
    assert_eq!(events[1]["account_id"], coord.id);
    assert_eq!(page1.body["next_page"], 2);
    let page2 = app.get(Some(&coord), &format!("{uri}?page=2")).await;
    assert_eq!(page2.body["events"].as_array().unwrap().len(), 3);
    assert_eq!(page2.body["next_page"], Value::Null);
    let bad = app.get(Some(&coord), &format!("{uri}?page=-1")).await;
    assert_eq!(bad.code(), (422, Some("invalid_parameter")));
}
