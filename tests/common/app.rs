//! `TestApp`: the real app on the test's own PostGIS database, with typed helpers that sign in
//! as a role and call the API the way a client (or an attacker) would.

use antes::config::AppConfig;
use rocket::http::{ContentType, Cookie, Header, Method};
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};
use sqlx::PgPool;

use super::{account, settled_profile, test_config};

/// A signed-in account.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub token: String,
}

/// What a call returned: status, JSON body (`null` when empty) and the `Retry-After` header.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub retry_after: Option<u64>,
    /// Every response header, as (name, value).
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn code(&self) -> (u16, Option<&str>) {
        (self.status, self.body["error"].as_str())
    }
}

/// A request as its poster got it back.
#[derive(Debug, Clone)]
pub struct Posted {
    pub id: String,
    pub manage_token: String,
}

pub struct TestApp {
    pub client: Client,
    pub pool: PgPool,
    next: std::sync::atomic::AtomicUsize,
}

impl TestApp {
    /// The app with the shipped defaults (limits included), the maintenance timer off.
    pub async fn new(pool: PgPool) -> TestApp {
        TestApp::with_config(pool, test_config()).await
    }

    pub async fn with_config(pool: PgPool, config: AppConfig) -> TestApp {
        let client = super::untracked_with(pool.clone(), config).await;
        TestApp {
            client,
            pool,
            next: Default::default(),
        }
    }

    fn email(&self, role: &str) -> String {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{role}{n}@example.org")
    }

    async fn session(&self, role: &str, verified: bool) -> Session {
        let (id, token) = account(&self.pool, &self.email(role), role, verified).await;
        Session { id, token }
    }

    pub async fn coordinator(&self) -> Session {
        self.session("coordinator", true).await
    }

    pub async fn organizer(&self, verified: bool) -> Session {
        self.session("organizer", verified).await
    }

    /// A volunteer with no profile yet.
    pub async fn volunteer(&self, verified: bool) -> Session {
        self.session("volunteer", verified).await
    }

    /// A verified, on-duty volunteer whose home at `home` was set hours ago, with every skill,
    /// `radius_m` and room for `max_open` tasks.
    pub async fn volunteer_at(&self, home: (f64, f64), radius_m: f64, max_open: i32) -> Session {
        let s = self.volunteer(true).await;
        settled_profile(
            &self.pool,
            s.id,
            antes::domain::requests::CATEGORIES,
            home,
            radius_m,
            true,
            max_open,
        )
        .await;
        s
    }

    pub async fn call(
        &self,
        who: Option<&Session>,
        method: Method,
        uri: &str,
        body: Option<&Value>,
    ) -> Reply {
        self.send(who, None, method, uri, body).await
    }

    pub async fn send(
        &self,
        who: Option<&Session>,
        manage_token: Option<&str>,
        method: Method,
        uri: &str,
        body: Option<&Value>,
    ) -> Reply {
        self.send_from(None, who, manage_token, &[], method, uri, body)
            .await
    }

    /// A call with extra request headers.
    pub async fn call_with(
        &self,
        who: Option<&Session>,
        headers: &[(&str, &str)],
        method: Method,
        uri: &str,
        body: Option<&Value>,
    ) -> Reply {
        self.send_from(None, who, None, headers, method, uri, body)
            .await
    }

    /// A call from client address `ip` (the local client has none unless told).
    pub async fn call_from(
        &self,
        ip: &str,
        who: Option<&Session>,
        method: Method,
        uri: &str,
        body: Option<&Value>,
    ) -> Reply {
        self.send_from(Some(ip), who, None, &[], method, uri, body)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_from(
        &self,
        ip: Option<&str>,
        who: Option<&Session>,
        manage_token: Option<&str>,
        headers: &[(&str, &str)],
        method: Method,
        uri: &str,
        body: Option<&Value>,
    ) -> Reply {
        let mut req = self.client.req(method, uri.to_string());
        if let Some(ip) = ip {
            req = req.remote(format!("{ip}:40000").parse().expect("an IP address"));
        }
        if let Some(s) = who {
            req = req.cookie(Cookie::new("antes_session", s.token.clone()));
        }
        if let Some(t) = manage_token {
            req = req.header(Header::new("X-Manage-Token", t.to_string()));
        }
        for (name, value) in headers {
            req = req.header(Header::new(name.to_string(), value.to_string()));
        }
        if let Some(b) = body {
            req = req.header(ContentType::JSON).body(b.to_string());
        }
        let res = req.dispatch().await;
        let headers = res
            .headers()
            .iter()
            .map(|h| (h.name().to_string(), h.value().to_string()))
            .collect();
        let status = res.status().code;
        let retry_after = res
            .headers()
            .get_one("Retry-After")
            .and_then(|v| v.parse().ok());
        let text = res.into_string().await.unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {text}"))
        };
        Reply {
            status,
            body,
            retry_after,
            headers,
        }
    }

    pub async fn get(&self, who: Option<&Session>, uri: &str) -> Reply {
        self.call(who, Method::Get, uri, None).await
    }

    pub async fn post(&self, who: Option<&Session>, uri: &str) -> Reply {
        self.call(who, Method::Post, uri, None).await
    }

    /// Posts a help request at `p` with a contact that names `tag`; panics unless 201.
    pub async fn ask(
        &self,
        who: Option<&Session>,
        p: (f64, f64),
        category: &str,
        tag: &str,
    ) -> Posted {
        let body = json!({
            "category": category,
            "description": format!("pedido {tag}"),
            "location": {"lat": p.0, "lon": p.1},
            "address_detail": format!("puerta {tag}"),
            "contact": {"name": format!("Persona {tag}"), "phone": "+54 342 455-0000"},
            "urgency": "normal",
        });
        let r = self
            .call(who, Method::Post, "/api/requests", Some(&body))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        Posted {
            id: r.body["id"].as_str().unwrap().to_string(),
            manage_token: r.body["manage_token"].as_str().unwrap().to_string(),
        }
    }

    /// Sets a volunteer profile with every skill through the API.
    pub async fn set_home(&self, who: &Session, home: (f64, f64), radius_m: f64) -> Reply {
        let body = json!({
            "skills": ["groceries", "medicine", "company", "errand", "meal", "other"],
            "home": {"lat": home.0, "lon": home.1},
            "radius_m": radius_m,
            "on_duty": true,
            "max_open": 1,
        });
        self.call(Some(who), Method::Put, "/api/me/volunteer", Some(&body))
            .await
    }

    pub async fn tasks(&self, who: &Session) -> Reply {
        self.get(Some(who), "/api/me/tasks").await
    }

    pub async fn claim(&self, who: &Session, id: &str) -> Reply {
        self.post(Some(who), &format!("/api/requests/{id}/claim"))
            .await
    }

    pub async fn release(&self, who: &Session, id: &str) -> Reply {
        self.post(Some(who), &format!("/api/requests/{id}/release"))
            .await
    }

    pub async fn view(&self, who: Option<&Session>, id: &str) -> Reply {
        self.get(who, &format!("/api/requests/{id}")).await
    }

    pub async fn matches(&self, coordinator: &Session, id: &str) -> Reply {
        self.get(
            Some(coordinator),
            &format!("/api/requests/{id}/matches?limit=100"),
        )
        .await
    }

    /// Runs SQL that moves time for the test (e.g. "an hour later"), or inspects storage.
    pub async fn sql(&self, query: &str) {
        sqlx::query(query)
            .execute(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"));
    }
}
