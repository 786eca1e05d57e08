//! Notifications in the browser: a volunteer turns on Web Push in real headless Chromium (its
//! push registration answered by a local stand-in for Google's GCM servers,
//! `common/fake_gcm.rs`), the service worker shows what a push brings, and the links that
//! notifications and mails carry open where they point.

#[path = "../common/mod.rs"]
mod common;

mod coordinator;
mod requester;
mod settings;
mod subscribe;
mod worker;

pub use base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub use base64::Engine;
pub use common::{fake_gcm, serve, test_config, Browser};
pub use serde_json::json;
pub use sqlx::PgPool;

pub async fn log_in(b: &Browser, prefix: &str, email: &str) {
    b.fill(&format!("#{prefix}-login-email"), email).await;
    b.fill(&format!("#{prefix}-login-password"), common::PASSWORD)
        .await;
    b.click(&format!("#{prefix}-login-submit")).await;
    b.wait_for(
        &format!("document.getElementById('{prefix}-logout')"),
        "the log-in",
    )
    .await;
}

/// A configuration that offers Web Push, with a fresh server key; and that key's public half.
pub fn with_push() -> (antes::config::AppConfig, String) {
    let keys = antes::notify::web_push::VapidKeys::generate();
    let mut config = test_config();
    config.notify.vapid_private_key = keys.private_base64url();
    config.notify.vapid_subject = "mailto:x@example.org".into();
    (config, keys.public_base64url())
}

/// The settings as the page's own session reads them.
pub async fn settings_seen_by_the_page(b: &Browser) -> serde_json::Value {
    b.eval("fetch('/api/me/notifications', {credentials: 'same-origin'}).then(r => r.json())")
        .await
}

pub async fn subscriptions(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM push_subscriptions")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// `Browser::finish`, where Chromium's own calls to the GCM stand-in also count: they are on
/// 127.0.0.1 too, which the net log files under the page's site.
pub async fn finish_beside(b: Browser, base: &str, gcm: &fake_gcm::FakeGcm) {
    finish_but(b, base, Some(gcm), &[]).await;
}

/// `Browser::finish`, where the console may report the refusals a test caused on purpose:
/// each `(path, status)` of `expected`, and nothing else.
pub async fn finish_but(
    b: Browser,
    base: &str,
    gcm: Option<&fake_gcm::FakeGcm>,
    expected: &[(&str, &str)],
) {
    let errors = b.console_errors().await;
    let urls = b.close().await;
    let unexpected: Vec<&String> = errors
        .iter()
        .filter(|e| {
            !expected
                .iter()
                .any(|(path, status)| e.contains(&format!("{base}{path} ")) && e.contains(status))
        })
        .collect();
    assert!(unexpected.is_empty(), "console errors: {unexpected:?}");
    let ours = |u: &String| {
        u.starts_with(&format!("{base}/"))
            || gcm.is_some_and(|g| u.starts_with(&format!("{}/", g.url)))
    };
    let outside: Vec<&String> = urls.iter().filter(|u| !ours(u)).collect();
    assert!(
        outside.is_empty(),
        "requests left the app's origin: {outside:?}"
    );
}

/// The token the fake handed out for registration `r` (each answer is `token=...`).
pub fn gcm_token(gcm: &fake_gcm::FakeGcm, r: &fake_gcm::Seen) -> String {
    let n = gcm
        .seen
        .lock()
        .unwrap()
        .iter()
        .position(|s| s.body == r.body && s.path == r.path)
        .expect("a registration the fake saw")
        + 1;
    format!("antes-fake-gcm-{n}")
}

/// Fires a map click at a point, as a tap on the map would.
pub async fn tap_map(b: &Browser, lat: f64, lon: f64) {
    b.eval(&format!(
        "(() => {{ const m = window.antes.map; const ll = {{lng: {lon}, lat: {lat}}}; \
         m.fire('click', {{ lngLat: ll, point: m.project([{lon}, {lat}]), originalEvent: {{}} }}); return true; }})()"
    ))
    .await;
}

pub async fn kitchen(pool: &PgPool, name: &str, organizer: i64) -> i64 {
    let point = antes::domain::geo::LatLon::new(-31.6335, -60.7005).unwrap();
    let place = antes::db::places::NewPlace {
        kind: "kitchen",
        name: name.into(),
        category: "soup_kitchen",
        point,
        cell: antes::domain::cells::Cell::at(point, antes::domain::cells::STORED_RES).to_db(),
        opening_hours: Some("Mo-Fr 11:30-14:00".into()),
        address: None,
        phone: None,
        description: None,
        source: None,
        meals_per_day: Some(90),
    };
    let id = antes::db::places::insert_by_hand(pool, &place, "active", organizer)
        .await
        .unwrap();
    antes::db::kitchens::add_organizer(pool, id, organizer)
        .await
        .unwrap();
    id
}

/// A notification as the outbox keeps it, queued 20 minutes ago.
#[derive(Clone, Copy)]
pub struct Told {
    pub key: &'static str,
    pub account: Option<i64>,
    pub channel: &'static str,
    pub kind: &'static str,
    pub round: Option<i16>,
    pub status: &'static str,
    pub attempts: i32,
    pub error: Option<&'static str>,
}

impl Told {
    async fn insert(self, pool: &PgPool, request: &str) {
        sqlx::query(
            "INSERT INTO notifications (dedupe_key, account_id, channel, kind, request_id, \
                 round, facts, status, attempts, last_error, created_at, sent_at) \
             VALUES ($1, $2, $3, $4, $5::uuid, $6, '{}', $7, $8, $9, now() - interval '20 minutes', \
                 CASE WHEN $7 = 'sent' THEN now() - interval '1 minute' END)",
        )
        .bind(self.key)
        .bind(self.account)
        .bind(self.channel)
        .bind(self.kind)
        .bind(request)
        .bind(self.round)
        .bind(self.status)
        .bind(self.attempts)
        .bind(self.error)
        .execute(pool)
        .await
        .unwrap();
    }
}
