//! Shared test helpers: the app on a real PostGIS database (from `#[sqlx::test]`), a local
//! HTTP client, a served instance on a free port, and a headless Chromium driven through
//! chromedriver.
#![allow(dead_code)]

pub mod fake_gcm;
pub mod fake_nominatim;

pub mod app;
pub mod basemap;
pub mod mvt;
pub mod proxy;
pub mod push_service;
pub mod server;
pub mod smtp_sink;
pub mod webhook_receiver;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use antes::config::AppConfig;
use rocket::figment::Figment;
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::Value;
use sqlx::PgPool;

/// The shipped defaults, without the maintenance timer, the notification sender and rate
/// limits (tests that are about something else post far faster than people;
/// `tests/hardening` tests the limits).
pub fn test_config() -> AppConfig {
    AppConfig {
        maintenance_interval_secs: 0,
        rate_limits: antes::config::RateLimits::off(),
        // Tests that deliver notifications run the sender themselves, at a time they choose.
        notify: antes::notify::settings::NotifySettings {
            sender: false,
            ..Default::default()
        },
        ..AppConfig::default()
    }
}

fn figment(port: u16) -> Figment {
    rocket::Config::figment()
        .merge(("port", port))
        .merge(("address", "127.0.0.1"))
        .merge(("log_level", "off"))
        .merge(("shutdown.ctrlc", false))
}

/// A local client on the real app, for API tests.
pub async fn client(pool: PgPool) -> Client {
    client_with(pool, test_config()).await
}

pub async fn client_with(pool: PgPool, config: AppConfig) -> Client {
    Client::tracked(antes::rocket(figment(0), config, pool))
        .await
        .expect("valid rocket")
}

pub async fn json(res: LocalResponse<'_>) -> Value {
    let text = res.into_string().await.unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

pub async fn get_json(client: &Client, uri: &str) -> (u16, Value) {
    let res = client.get(uri.to_string()).dispatch().await;
    let status = res.status().code;
    (status, json(res).await)
}

pub async fn seed(pool: &PgPool) {
    antes::seed::run(pool).await.expect("seed");
}

/// A `postgres://` URL for the test's own database, for running the `antes` binary on it.
pub fn database_url(pool: &PgPool) -> String {
    let o = pool.connect_options();
    format!(
        "postgres://{}@{}:{}/{}",
        o.get_username(),
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap_or("postgres")
    )
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Serves the app on a free port for the browser; returns its base URL.
pub async fn serve(pool: PgPool, config: AppConfig) -> String {
    let port = free_port();
    let rocket = antes::rocket(figment(port), config, pool);
    tokio::spawn(async move {
        let _ = rocket.launch().await;
    });
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await {
            if r.status().is_success() {
                return base;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server did not start on {base}");
}

pub fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

/// Headless Debian Chromium through chromedriver, with a network log of every request.
pub struct Browser {
    pub client: fantoccini::Client,
    driver: Child,
    driver_url: String,
    netlog: PathBuf,
    _profile: PathBuf,
}

impl Browser {
    pub async fn start(name: &str, width: u32, height: u32) -> Browser {
        Browser::start_with(name, width, height, &[]).await
    }

    /// Like [`Browser::start`], with more Chromium switches (say, where its push service is).
    pub async fn start_with(name: &str, width: u32, height: u32, extra_args: &[String]) -> Browser {
        let port = free_port();
        // The page runs where its users live; dates on screen are checked against that zone.
        let driver = Command::new("chromedriver")
            .env("TZ", "America/Argentina/Buenos_Aires")
            .env("LANGUAGE", "es-AR")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver) must be installed");
        let driver_url = format!("http://127.0.0.1:{port}");
        let dir = artifacts_dir();
        let profile = std::env::temp_dir().join(format!("antes-chromium-{name}-{port}"));
        let _ = std::fs::remove_dir_all(&profile);
        let netlog = dir.join(format!("{name}.netlog.json"));
        let _ = std::fs::remove_file(&netlog);
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--enable-unsafe-swiftshader",
                    // An Argentine phone: its own date fields read day/month/year.
                    "--lang=es-419",
                    "--accept-lang=es-AR,es",
                    // Chromium's own autofill lookups are partitioned under the page; they are not the page's.
                    "--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--log-net-log={}", netlog.display()),
                    format!("--window-size={},{height}", width.max(500)),
                ],
            }
        });
        let mut caps = caps;
        if let Some(args) = caps["goog:chromeOptions"]["args"].as_array_mut() {
            args.extend(extra_args.iter().map(|a| Value::from(a.as_str())));
        }
        // Desktop Chromium will not make a window narrower than about 500 px; a phone-sized
        // viewport needs device emulation.
        if width < 500 {
            caps["goog:chromeOptions"]["mobileEmulation"] = serde_json::json!({
                "deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0}
            });
        }
        let caps = match caps {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match fantoccini::ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&driver_url)
                .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() > deadline => panic!("cannot start chromium: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        Browser {
            client,
            driver,
            driver_url,
            netlog,
            _profile: profile,
        }
    }

    /// Runs a JS expression and returns its value.
    pub async fn eval(&self, expr: &str) -> Value {
        self.client
            .execute(&format!("return ({expr});"), vec![])
            .await
            .unwrap_or_else(|e| panic!("eval `{expr}`: {e}"))
    }

    /// Polls a JS expression until it is truthy.
    pub async fn wait_for(&self, expr: &str, what: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.eval(expr).await;
            let truthy = !matches!(v, Value::Null | Value::Bool(false)) && v != 0 && v != "";
            if truthy {
                return v;
            }
            if Instant::now() > deadline {
                let errors = self.console_errors().await;
                panic!("timed out waiting for {what} (`{expr}`); console errors: {errors:?}");
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Runs axe-core (vendored in tests/vendor) on the page as it is, and returns its serious and
    /// critical violations, each as `rule: the elements' selectors`.
    pub async fn axe_serious(&self) -> Vec<String> {
        const AXE: &str = include_str!("../vendor/axe-core-4.14.1/axe.min.js");
        if self.eval("typeof window.axe === 'undefined'").await == true {
            self.client
                .execute(&format!("{AXE}\nreturn true;"), vec![])
                .await
                .expect("axe-core loads");
        }
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                   r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)));",
                vec![],
            )
            .await
            .expect("axe runs");
        serde_json::from_value(found).unwrap()
    }

    /// Visible buttons, links, fields and tabs smaller than 44 px in either direction.
    pub async fn small_targets(&self) -> Vec<String> {
        let found = self
            .eval(
                "[...document.querySelectorAll('button, a[href], input, select, summary, [role=tab]')]
                   .filter(e => e.offsetParent !== null && !e.closest('.maplibregl-ctrl-attrib'))
                   .map(e => [e, e.getBoundingClientRect()])
                   .filter(([e, r]) => {
                     const box = ['checkbox', 'radio'].includes(e.type) ? e.closest('label').getBoundingClientRect() : r;
                     return box.height < 44 || box.width < 44;
                   })
                   .map(([e]) => {
                     const r = (['checkbox', 'radio'].includes(e.type) ? e.closest('label') : e).getBoundingClientRect();
                     return `${e.tagName.toLowerCase()}#${e.id}.${e.className} \"${(e.textContent || e.value || '').trim().slice(0, 30)}\" ${Math.round(r.width)}×${Math.round(r.height)}`;
                   })",
            )
            .await;
        serde_json::from_value(found).unwrap()
    }

    /// Waits until the app has started and the map has loaded, drawn its tiles and is idle.
    pub async fn wait_for_map(&self) {
        self.wait_for("document.body.dataset.ready === '1'", "the app to start")
            .await;
        self.wait_for(
            "window.antes.map.loaded() && window.antes.map.areTilesLoaded() && !window.antes.map.isMoving()",
            "the map to be idle",
        )
        .await;
    }

    /// Opens a screen from the navigation, through "Más" when a phone's bottom bar keeps it
    /// there, as a person would.
    pub async fn go(&self, screen: &str) {
        let css = format!(".tabs [data-screen={screen}]");
        let shown = self
            .eval(&format!(
                "document.querySelector('{css}').getClientRects().length > 0"
            ))
            .await;
        if shown != true {
            self.click("#nav-more").await;
        }
        self.click(&css).await;
        self.wait_for(
            &format!("!document.getElementById('screen-{screen}').hidden"),
            screen,
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        // A list may be drawn again (the map moved, a refresh came back) between finding the
        // element and clicking it; a person would tap the new row, so find it again.
        for attempt in 1.. {
            let el = self
                .client
                .wait()
                .at_most(Duration::from_secs(20))
                .for_element(fantoccini::Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("no element `{css}`: {e}"));
            match el.click().await {
                Ok(()) => return,
                Err(e) if e.is_stale_element_reference() && attempt < 5 => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                Err(e) => panic!("click `{css}`: {e}"),
            }
        }
    }

    /// A real left click at viewport coordinates.
    pub async fn click_at(&self, x: f64, y: f64) {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
        let mouse = MouseActions::new("mouse".into())
            .then(PointerAction::MoveTo {
                duration: None,
                x,
                y,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client
            .perform_actions(mouse)
            .await
            .unwrap_or_else(|e| panic!("click at {x},{y}: {e}"));
    }

    /// Viewport coordinates of a spot on the map near its centre with no feature of `layer`.
    pub async fn empty_map_spot(&self, layer: &str) -> (f64, f64) {
        let v = self
            .eval(&format!(
                "(() => {{ const m = window.antes.map; const r = m.getCanvas().getBoundingClientRect();
                  const cx = r.width / 2, cy = r.height / 2;
                  for (let d = 0; d < 150; d += 6) for (let a = 0; a < 360; a += 30) {{
                    const x = cx + d * Math.cos(a * Math.PI / 180), y = cy + d * Math.sin(a * Math.PI / 180);
                    if (!m.queryRenderedFeatures([[x - 10, y - 10], [x + 10, y + 10]], {{layers: ['{layer}']}}).length)
                      return [r.left + x, r.top + y];
                  }}
                  return null; }})()"
            ))
            .await;
        (
            v[0].as_f64().expect("an empty spot"),
            v[1].as_f64().unwrap(),
        )
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let el = self
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(fantoccini::Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element `{css}`: {e}"));
        el.clear().await.ok();
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
    }

    pub async fn text(&self, css: &str) -> String {
        self.eval(&format!(
            "document.querySelector({}).textContent",
            serde_json::to_string(css).unwrap()
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// A Chrome DevTools Protocol command on the page, through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let session = self
            .client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("a WebDriver session");
        let url = format!("{}/session/{session}/goog/cdp/execute", self.driver_url);
        let reply: Value = reqwest::Client::new()
            .post(url)
            .json(&serde_json::json!({"cmd": cmd, "params": params}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
        assert!(reply["value"]["error"].is_null(), "{cmd}: {reply}");
        reply["value"].clone()
    }

    /// Sets a permission (`notifications`, say) for the page's origin, as a person answering
    /// the browser's prompt would (WebDriver's Permissions extension).
    pub async fn set_permission(&self, name: &str, state: &str) {
        let session = self
            .client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("a WebDriver session");
        let url = format!("{}/session/{session}/permissions", self.driver_url);
        let reply: Value = reqwest::Client::new()
            .post(url)
            .json(&serde_json::json!({"descriptor": {"name": name}, "state": state}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("permission {name}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("permission {name}: {e}"));
        assert!(reply["value"].is_null(), "permission {name}: {reply}");
    }

    /// Browser console entries at SEVERE level, from chromedriver's log.
    pub async fn console_errors(&self) -> Vec<String> {
        let Ok(Some(session)) = self.client.session_id().await else {
            return vec![];
        };
        let url = format!("{}/session/{session}/se/log", self.driver_url);
        let entries: Value = match reqwest::Client::new()
            .post(url)
            .json(&serde_json::json!({"type": "browser"}))
            .send()
            .await
        {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        };
        entries["value"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE")
            .map(|e| e["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let path = artifacts_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Ends a browser test: no console errors, and every request the page made stayed on
    /// `base`. Returns the URLs requested, for further checks.
    pub async fn finish(self, base: &str) -> Vec<String> {
        let errors = self.console_errors().await;
        let urls = self.close().await;
        assert!(errors.is_empty(), "console errors: {errors:?}");
        let outside: Vec<&String> = urls
            .iter()
            .filter(|u| !u.starts_with(&format!("{base}/")))
            .collect();
        assert!(
            outside.is_empty(),
            "requests left the app's origin: {outside:?}"
        );
        urls
    }

    /// Closes the browser and returns every URL the page asked for: the requests in the page's
    /// network partition (`http://127.0.0.1`), read from Chromium's net log. Chromium's own
    /// background requests are partitioned apart and so left out.
    pub async fn close(mut self) -> Vec<String> {
        let _ = self.client.close().await;
        // Chromium completes its net log on exit.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut log: Option<Value> = None;
        while Instant::now() < deadline && log.is_none() {
            let text = std::fs::read_to_string(&self.netlog).unwrap_or_default();
            log = serde_json::from_str(&text).ok();
            if log.is_none() {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let log = log.expect("chromium wrote a complete net log");
        let mut urls: Vec<String> = log["events"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| &e["params"])
            .filter(|p| {
                p["network_isolation_key"]
                    .as_str()
                    .is_some_and(|k| k.starts_with("http://127.0.0.1 "))
            })
            .filter_map(|p| p["url"].as_str().map(str::to_string))
            .collect();
        urls.sort();
        urls.dedup();
        assert!(!urls.is_empty(), "the net log shows no page request at all");
        urls
    }
}

/// A local client that keeps no cookies, so each call says who it is.
pub async fn untracked(pool: PgPool) -> Client {
    untracked_with(pool, test_config()).await
}

pub async fn untracked_with(pool: PgPool, config: AppConfig) -> Client {
    Client::untracked(antes::rocket(figment(0), config, pool))
        .await
        .expect("valid rocket")
}

/// The password of every account made by [`account`].
pub const PASSWORD: &str = "correct horse battery";

fn password_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| antes::secrets::hash_password(PASSWORD).expect("hash"))
}

/// An account made through the db layer, with a live session. Returns its id and session token.
pub async fn account(pool: &PgPool, email: &str, role: &str, verified: bool) -> (i64, String) {
    let name = email.split('@').next().unwrap_or(email);
    let id = antes::db::accounts::insert(
        pool,
        &antes::db::accounts::NewAccount {
            email,
            password_hash: password_hash(),
            display_name: name,
            phone: None,
            role,
            verified,
        },
    )
    .await
    .expect("insert account");
    let token = antes::secrets::new_token();
    antes::db::accounts::create_session(pool, &antes::secrets::token_hash(&token), id, 1)
        .await
        .expect("session");
    (id, token)
}

/// Calls the app as the holder of session `token` (or anonymously); returns the status and the
/// JSON body (`null` when empty).
pub async fn call(
    client: &Client,
    method: rocket::http::Method,
    uri: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    call_with(client, method, uri, token, None, body).await
}

/// Calls the app as the holder of a request's manage token (sent in `X-Manage-Token`).
pub async fn call_manage(
    client: &Client,
    method: rocket::http::Method,
    uri: &str,
    manage_token: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    call_with(client, method, uri, None, Some(manage_token), body).await
}

async fn call_with(
    client: &Client,
    method: rocket::http::Method,
    uri: &str,
    token: Option<&str>,
    manage_token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut req = client.req(method, uri.to_string());
    if let Some(t) = manage_token {
        req = req.header(rocket::http::Header::new("X-Manage-Token", t.to_string()));
    }
    if let Some(t) = token {
        req = req.cookie(rocket::http::Cookie::new("antes_session", t.to_string()));
    }
    if let Some(b) = body {
        req = req
            .header(rocket::http::ContentType::JSON)
            .body(b.to_string());
    }
    let res = req.dispatch().await;
    let status = res.status().code;
    let text = res.into_string().await.unwrap_or_default();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {text}"))
    };
    (status, value)
}

/// Gives account `id` a volunteer profile whose home was set two hours ago, past the default
/// claim window, as for someone who set up their profile earlier. Made through the db layer.
pub async fn settled_profile(
    pool: &PgPool,
    id: i64,
    skills: &[&str],
    home: (f64, f64),
    radius_m: f64,
    on_duty: bool,
    max_open: i32,
) {
    use antes::domain::cells::{Cell, STORED_RES};
    let skills: Vec<&'static str> = skills
        .iter()
        .map(|s| antes::domain::requests::category(s).unwrap())
        .collect();
    let home = antes::domain::geo::LatLon::new(home.0, home.1).unwrap();
    let cell = Cell::at(home, STORED_RES).to_db();
    antes::db::volunteers::upsert(
        pool,
        id,
        &antes::db::volunteers::Profile {
            skills: &skills,
            home,
            home_cell: cell,
            radius_m,
            on_duty,
            max_open,
        },
        antes::domain::matching::placement(Cell::from_db(cell).unwrap(), radius_m).into(),
    )
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO volunteer_home_changes (account_id, cell, changed_at) \
         VALUES ($1, $2, now() - interval '2 hours')",
    )
    .bind(id)
    .bind(cell)
    .execute(pool)
    .await
    .unwrap();
}

/// Great-circle distance in metres, computed here independently of the app and PostGIS.
pub fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_008.8_f64;
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

/// The point `metres` away from `from` on `bearing_deg`.
pub fn offset(from: (f64, f64), metres: f64, bearing_deg: f64) -> (f64, f64) {
    let r = 6_371_008.8_f64;
    let d = metres / r;
    let b = bearing_deg.to_radians();
    let (la, lo) = (from.0.to_radians(), from.1.to_radians());
    let la2 = (la.sin() * d.cos() + la.cos() * d.sin() * b.cos()).asin();
    let lo2 = lo + (b.sin() * d.sin() * la.cos()).atan2(d.cos() - la.sin() * la2.sin());
    (la2.to_degrees(), lo2.to_degrees())
}

/// The public cell of a point as the app defines it: the res-8 parent of its stored res-9 cell
/// (H3 children do not tile their parent exactly, so this can differ from a direct lookup).
pub fn res8(p: (f64, f64)) -> antes::domain::cells::Cell {
    use antes::domain::cells::{Cell, PUBLIC_RES, STORED_RES};
    Cell::at(
        antes::domain::geo::LatLon::new(p.0, p.1).unwrap(),
        STORED_RES,
    )
    .parent(PUBLIC_RES)
    .unwrap()
}

/// The westmost and eastmost res-9 centres whose public cell is `cell`: two points of one public
/// cell, several hundred metres apart.
pub fn far_apart_in(cell: antes::domain::cells::Cell) -> ((f64, f64), (f64, f64)) {
    use antes::domain::cells::{Cell, STORED_RES};
    let mut inside: Vec<(f64, f64)> = cell
        .0
        .children(STORED_RES)
        .map(|k| {
            let p = Cell(k).center();
            (p.lat, p.lon)
        })
        .filter(|p| res8(*p) == cell)
        .collect();
    inside.sort_by(|a, b| a.1.total_cmp(&b.1));
    (inside[0], *inside.last().unwrap())
}

/// Stores an active shop at `p` (lat, lon) with `hours` (OSM syntax), as an import would.
pub async fn shop(
    pool: &PgPool,
    name: &str,
    p: (f64, f64),
    category: &str,
    hours: Option<&str>,
) -> i64 {
    use antes::domain::cells::{Cell, STORED_RES};
    let point = antes::domain::geo::LatLon { lat: p.0, lon: p.1 };
    let cell = Cell::at(point, STORED_RES).to_db();
    sqlx::query_scalar(
        "INSERT INTO places (kind, name, category, location, cell, opening_hours, open_week, \
                             shard_cell) \
         VALUES ('shop', $1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, $5, $6, \
                 $7::int4multirange, antes_shard_cell($5)) RETURNING id",
    )
    .bind(name)
    .bind(category)
    .bind(p.1)
    .bind(p.0)
    .bind(cell)
    .bind(hours)
    .bind(antes::domain::hours::weekly_open_multirange(hours))
    .fetch_one(pool)
    .await
    .unwrap()
}
