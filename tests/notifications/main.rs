//! Notifications, end to end against real local receivers: a push service that checks the
//! VAPID token and decrypts each message (RFC 8291), an SMTP server and a webhook receiver
//! that verifies signatures. The sender runs at times the tests choose (an injected clock).

#[path = "../common/mod.rs"]
mod common;

mod api;
mod delivery;
mod kitchens;
mod rounds;
mod two_instances;

use antes::config::AppConfig;
use antes::notify::sender::Sender;
use antes::notify::settings::NotifySettings;
use antes::notify::web_push::VapidKeys;
use chrono::{DateTime, Utc};
use common::app::{Session, TestApp};
use common::push_service::{self, PushService};
use common::smtp_sink::{self, SmtpSink};
use common::webhook_receiver::{self, WebhookReceiver};
use rocket::http::Method;
use serde_json::{json, Value};
use sqlx::PgPool;

pub const SANTA_FE: (f64, f64) = (-31.6333, -60.7);
pub const WEBHOOK_SECRET: &str = "un secreto compartido de prueba";

/// The app with every channel pointed at a local receiver.
pub struct World {
    pub app: TestApp,
    pub config: AppConfig,
    pub push: PushService,
    pub smtp: SmtpSink,
    pub hook: WebhookReceiver,
}

/// Settings whose channels reach the given receivers; the sender off unless a test runs it.
pub fn notify_config(push: &PushService, smtp: &SmtpSink, hook: &WebhookReceiver) -> AppConfig {
    let _ = push;
    AppConfig {
        notify: NotifySettings {
            sender: false,
            vapid_private_key: VapidKeys::generate().private_base64url(),
            vapid_subject: "mailto:coordinacion@example.org".into(),
            push_insecure_endpoints: true,
            smtp_url: smtp.url.clone(),
            mail_from: "Antes de Salir <avisos@example.org>".into(),
            webhook_url: format!("{}/sms", hook.url),
            webhook_secret: WEBHOOK_SECRET.into(),
            ..NotifySettings::default()
        },
        public_origin: "https://ayuda.example.org".into(),
        ..common::test_config()
    }
}

impl World {
    pub async fn new(pool: PgPool) -> World {
        Self::with(pool, |_| {}).await
    }

    pub async fn with(pool: PgPool, change: impl FnOnce(&mut AppConfig)) -> World {
        let push = push_service::start().await;
        let smtp = smtp_sink::start().await;
        let hook = webhook_receiver::start(WEBHOOK_SECRET.as_bytes()).await;
        let mut config = notify_config(&push, &smtp, &hook);
        change(&mut config);
        let app = TestApp::with_config(pool, config.clone()).await;
        World {
            app,
            config,
            push,
            smtp,
            hook,
        }
    }

    /// One pass of the sender at `now`: due rounds, then due messages.
    pub async fn deliver(&self, now: DateTime<Utc>) -> usize {
        Sender::new(self.app.pool.clone(), self.config.clone())
            .expect("sender")
            .pass(now)
            .await
            .expect("sender pass")
    }

    /// Sets `who`'s notification settings; panics unless accepted.
    pub async fn settings(&self, who: &Session, body: Value) -> Value {
        let r = self
            .app
            .call(Some(who), Method::Put, "/api/me/notifications", Some(&body))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    /// A settled volunteer at `home` whose one browser, `name`, is subscribed to push.
    pub async fn pushed_volunteer(&self, name: &str, home: (f64, f64)) -> Session {
        let v = self.app.volunteer_at(home, 5_000.0, 3).await;
        self.subscribe(&v, name).await;
        v
    }

    /// Subscribes browser `name` for `who` and turns push on.
    pub async fn subscribe(&self, who: &Session, name: &str) {
        let (_, json) = self.push.subscribe(name);
        let r = self
            .app
            .call(
                Some(who),
                Method::Post,
                "/api/me/push-subscriptions",
                Some(&json),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        self.settings(who, json!({"language": "es", "by_push": true}))
            .await;
    }

    /// A request posted by a coordinator (so open at once) at `at`; its id.
    pub async fn open_request(
        &self,
        coordinator: &Session,
        at: (f64, f64),
        urgency: &str,
    ) -> String {
        let r = self
            .app
            .call(
                Some(coordinator),
                Method::Post,
                "/api/requests",
                Some(&request_body(at, urgency)),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["status"], "open");
        r.body["id"].as_str().unwrap().to_string()
    }

    /// Accounts told about request `id` (any channel), in id order.
    pub async fn told(&self, id: &str) -> Vec<i64> {
        sqlx::query_scalar(
            "SELECT DISTINCT account_id FROM notifications \
             WHERE request_id = $1::uuid AND kind = 'request' ORDER BY 1",
        )
        .bind(id)
        .fetch_all(&self.app.pool)
        .await
        .unwrap()
    }
}

/// A help request whose private parts are easy to look for in a message.
pub fn request_body(at: (f64, f64), urgency: &str) -> Value {
    json!({
        "category": "medicine",
        "description": "Necesito insulina, vivo sola",
        "location": {"lat": at.0, "lon": at.1},
        "address_detail": "Piso 3 depto B, timbre roto",
        "contact": {"name": "Marta Gómez", "phone": "+54 342 455-1234"},
        "urgency": urgency,
    })
}

/// The spot `east_m` metres east and `north_m` north of Santa Fe's centre.
pub fn near(north_m: f64, east_m: f64) -> (f64, f64) {
    let lat = SANTA_FE.0 + north_m / 111_320.0;
    let lon = SANTA_FE.1 + east_m / (111_320.0 * SANTA_FE.0.to_radians().cos());
    (lat, lon)
}
