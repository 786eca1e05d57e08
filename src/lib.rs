//! Antes de Salir: neighbourhood care on a map.
//!
//! The layout, with dependencies pointing one way (`api → domain, db`; `db → domain`):
//! - [`config`]: typed settings from `Rocket.toml`, `ROCKET_*` variables and `DATABASE_URL`.
//! - [`error`]: the one API error type and its JSON shape.
//! - [`domain`]: plain-Rust decisions (coordinates, cells, categories, opening hours, accounts,
//!   the help request lifecycle and permissions, k-anonymous counts, matching).
//! - [`db`]: every SQL string; functions take an executor.
//! - [`operations`]: multi-step operations (claim, release, sign-up, ...): read facts through
//!   `db`, let `domain` decide, then write.
//! - [`api`]: Rocket routes, guards and response shapes; thin.
//! - [`import`]: OpenStreetMap (Overpass) import; [`geocode`]: address search; [`seed`]: the demo data.
//! - [`notify`]: Web Push, mail and webhook clients, and the sender that delivers the
//!   notification outbox (queued by `operations::notify`).
//! - [`secrets`]: tokens, their digests and password hashes; [`maintenance`]: request expiry and
//!   the retention purge, on a timer inside `serve`.

pub mod api;
pub mod backfill;
pub mod bench_data;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod error_code;
pub mod geocode;
pub mod import;
pub mod maintenance;
pub mod notify;
pub mod operations;
pub mod secrets;
pub mod seed;

use rocket::fairing::AdHoc;
use rocket::figment::Figment;
use rocket::fs::{FileServer, Options};
use rocket::{Build, Rocket};
use sqlx::PgPool;

use config::AppConfig;

/// Builds the application from settings and a pool, so tests build exactly what `serve` runs.
pub fn rocket(figment: Figment, config: AppConfig, pool: PgPool) -> Rocket<Build> {
    let tz = config
        .time_zone()
        .unwrap_or(chrono_tz::America::Argentina::Buenos_Aires);
    let geocoder = api::geocode::GeocoderState(geocode::Geocoder::from_config(&config));
    let (timer_pool, timer_config) = (pool.clone(), config.clone());
    let (sender_pool, sender_config) = (pool.clone(), config.clone());
    let web = FileServer::new(&config.web_dir, Options::Index | Options::Missing).rank(20);
    // Rocket's own log lines are plain text; with JSON logs only ours are written.
    let figment = if config.json_logs() {
        figment.merge(("log_level", rocket::config::LogLevel::Off))
    } else {
        figment
    };
    rocket::custom(figment)
        .attach(api::request_log::RequestLog)
        .attach(api::web::SecurityHeaders::new(&config))
        .attach(api::delivery::Delivery)
        .manage(pool)
        .manage(tz)
        .manage(geocoder)
        .manage(api::place_reports::ReportKey::default())
        .manage(api::limits::RateLimiter::new(config.rate_limits.clone()))
        .manage(config)
        .mount("/", api::routes())
        .mount(
            "/",
            rocket::routes![
                api::basemap::tile,
                api::offline::service_worker,
                api::offline::manifest,
                api::offline::manifest_en
            ],
        )
        .mount("/", web)
        .register("/", api::catchers())
        .attach(AdHoc::on_ignite("citus", |rocket| async {
            // Tests build the app on a pool of their own, not made by db::connect.
            if let Some(pool) = rocket.state::<PgPool>() {
                if let Err(e) = db::citus::detect(pool).await {
                    tracing::warn!(error = %e, "could not tell whether the database is Citus");
                }
            }
            rocket
        }))
        .attach(AdHoc::try_on_ignite("street basemap", |rocket| async {
            let path = rocket
                .state::<AppConfig>()
                .map(|c| c.basemap_pmtiles.clone())
                .unwrap_or_default();
            match api::basemap::Basemap::open(&path).await {
                Ok(basemap) => Ok(rocket.manage(basemap)),
                Err(why) => {
                    tracing::error!("{why}");
                    Err(rocket)
                }
            }
        }))
        .attach(AdHoc::on_liftoff("maintenance timer", |_| {
            Box::pin(async move { maintenance::spawn_timer(timer_pool, timer_config) })
        }))
        .attach(AdHoc::on_liftoff("notification sender", |_| {
            Box::pin(async move { notify::sender::spawn(sender_pool, sender_config) })
        }))
}
