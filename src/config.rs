//! Typed settings, read once at start-up from `Rocket.toml`, `ROCKET_*` variables and
//! `DATABASE_URL`. Every setting has a default, so an empty environment still starts.

use std::time::Duration;

use rocket::figment::providers::{Env, Serialized};
use rocket::figment::Figment;
use serde::{Deserialize, Serialize};

use crate::domain::claims::DailyLimits;
use crate::domain::homes::HomePolicy;
use crate::domain::live_reports::{self, Weights};

/// Application settings beside Rocket's own (`address`, `port`, ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct AppConfig {
    /// PostgreSQL with PostGIS.
    pub database_url: String,
    /// IANA time zone in which `opening_hours` are evaluated.
    pub timezone: String,
    /// A MapLibre style URL; empty means the bundled offline basemap.
    pub basemap_style_url: String,
    /// A PMTiles archive of the Protomaps basemap schema (streets) that this server hosts;
    /// empty means none. It wins over `basemap_style_url`.
    pub basemap_pmtiles: String,
    /// `light` or `dark`: the flavour of the Protomaps style over `basemap_pmtiles`.
    pub basemap_flavor: String,
    /// Folder served at `/`.
    pub web_dir: String,
    /// Overpass API endpoint used by `antes import osm --bbox`.
    pub overpass_url: String,
    /// Base URL of a Nominatim-compatible geocoder; empty disables address search.
    pub geocoder_url: String,
    /// ISO 3166-1 alpha-2 codes the geocoder is limited to, comma-separated.
    pub geocoder_countries: String,
    /// User-Agent sent to outside services, as their usage policies ask.
    pub user_agent: String,
    /// Days after a help request ends before its exact location and contact are erased.
    pub retention_days: i64,
    /// Hours after which a request with no `needed_by` expires.
    pub request_max_age_hours: i64,
    /// Seconds between the expiry and purge runs inside `antes serve`; 0 turns them off.
    pub maintenance_interval_secs: u64,
    /// A session ends this many days after sign-in, however much it is used.
    pub session_days: i64,
    /// A session ends after this many days without use.
    pub session_idle_days: i64,
    /// Mark the session cookie `Secure` (set it when served behind TLS).
    pub cookie_secure: bool,
    /// The origin browsers load the site from, such as `https://ayuda.example.org`; changes
    /// made with a session cookie must come from it. Empty: the request's own `Host`.
    pub public_origin: String,
    /// `text` (the default) or `json`, one object a line.
    pub log_format: String,
    /// How often each action may be taken from one address and by one account.
    pub rate_limits: RateLimits,
    /// Times a volunteer may move their home in any 24 hours; 0 = no limit.
    pub home_changes_per_day: u32,
    /// Minutes a home must have stood before claims are measured from it.
    pub home_settle_minutes: i64,
    /// Requests a volunteer may give back in any 24 hours; the last one alerts coordinators.
    pub releases_per_day: u32,
    /// Requests a volunteer may take in any 24 hours; the last one alerts coordinators.
    pub claims_per_day: u32,
    /// Days before the account ids in audit rows are erased.
    pub audit_retention_days: i64,
    /// Minutes in which a neighbour's live report on a place loses half its weight.
    pub report_half_life_minutes: i64,
    /// How much a live report weighs, by who made it.
    pub report_weights: Weights,
    /// The items whose stock neighbours may report, with their labels.
    pub report_items: Vec<ReportItem>,
    /// Notifications: rounds, retries and channels (README "Notifications").
    pub notify: crate::notify::settings::NotifySettings,
}

/// An item whose stock neighbours may report at a place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportItem {
    /// A short id, such as `harina`.
    pub id: String,
    pub es: String,
    pub en: String,
}

fn report_items() -> Vec<ReportItem> {
    [
        ("medicamentos", "Medicamentos", "Medicines"),
        ("harina", "Harina", "Flour"),
        ("aceite", "Aceite", "Cooking oil"),
        ("leche", "Leche", "Milk"),
        ("garrafa", "Garrafa", "Gas cylinder"),
        ("panales", "Pañales", "Nappies"),
    ]
    .into_iter()
    .map(|(id, es, en)| ReportItem {
        id: id.into(),
        es: es.into(),
        en: en.into(),
    })
    .collect()
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            database_url: "postgres://postgres@127.0.0.1:5433/antes".into(),
            timezone: "America/Argentina/Buenos_Aires".into(),
            basemap_style_url: String::new(),
            basemap_pmtiles: String::new(),
            basemap_flavor: "light".into(),
            web_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/web").into(),
            overpass_url: "https://overpass-api.de/api/interpreter".into(),
            geocoder_url: String::new(),
            geocoder_countries: "ar".into(),
            user_agent: concat!(
                "antes-de-salir/",
                env!("CARGO_PKG_VERSION"),
                " (+https://github.com/antes-de-salir)"
            )
            .into(),
            retention_days: 30,
            request_max_age_hours: 72,
            maintenance_interval_secs: 300,
            session_days: 30,
            session_idle_days: 7,
            cookie_secure: false,
            public_origin: String::new(),
            log_format: "text".into(),
            rate_limits: RateLimits::default(),
            home_changes_per_day: 3,
            home_settle_minutes: 60,
            releases_per_day: 3,
            claims_per_day: 10,
            audit_retention_days: 365,
            report_half_life_minutes: 120,
            report_weights: Weights::default(),
            report_items: report_items(),
            notify: Default::default(),
        }
    }
}

/// One action's limit: `per_address` from one client address (an IPv6 /64 counts as one) and
/// `per_account` by one account (for log-in: against one email), each per `period_secs`
/// seconds, refilled evenly. 0 turns that side off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionLimit {
    pub per_address: u32,
    pub per_account: u32,
    pub period_secs: u64,
}

const fn limit(per_address: u32, per_account: u32, period_secs: u64) -> ActionLimit {
    ActionLimit {
        per_address,
        per_account,
        period_secs,
    }
}

/// The rate limits, per action. The state is kept in PostgreSQL, so every instance of
/// `antes serve` on one database shares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimits {
    pub login: ActionLimit,
    pub register: ActionLimit,
    pub password: ActionLimit,
    pub post_request: ActionLimit,
    pub claim: ActionLimit,
    pub profile: ActionLimit,
    pub pledge: ActionLimit,
    pub signup: ActionLimit,
    pub geocode: ActionLimit,
    pub report: ActionLimit,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            login: limit(30, 10, 900),
            register: limit(10, 0, 3600),
            password: limit(30, 10, 900),
            post_request: limit(20, 30, 3600),
            claim: limit(60, 30, 600),
            profile: limit(60, 20, 600),
            pledge: limit(60, 30, 600),
            signup: limit(60, 30, 600),
            geocode: limit(60, 30, 60),
            report: limit(60, 20, 3600),
        }
    }
}

impl RateLimits {
    /// No limits at all (for tests that are about something else).
    pub fn off() -> Self {
        let off = limit(0, 0, 60);
        Self {
            login: off,
            register: off,
            password: off,
            post_request: off,
            claim: off,
            profile: off,
            pledge: off,
            signup: off,
            geocode: off,
            report: off,
        }
    }
}

impl AppConfig {
    /// Reads the settings from the figment; says which key is wrong and why.
    pub fn from_figment(figment: &Figment) -> Result<Self, String> {
        let config: AppConfig = figment
            .extract()
            .map_err(|e| format!("invalid configuration: {e}"))?;
        config.time_zone()?;
        if !matches!(config.log_format.as_str(), "text" | "json") {
            return Err(format!(
                "invalid configuration: log_format must be `text` or `json`, got `{}`",
                config.log_format
            ));
        }
        if !matches!(config.basemap_flavor.as_str(), "light" | "dark") {
            return Err(format!(
                "invalid configuration: basemap_flavor must be `light` or `dark`, got `{}`",
                config.basemap_flavor
            ));
        }
        if config.report_half_life_minutes < 1 {
            return Err(format!(
                "invalid configuration: report_half_life_minutes must be at least 1, got {}",
                config.report_half_life_minutes
            ));
        }
        let w = config.report_weights;
        if [w.anonymous, w.registered, w.verified]
            .iter()
            .any(|x| !x.is_finite() || *x < 0.0)
        {
            return Err("invalid configuration: report_weights must be 0 or more".into());
        }
        config.notify.check()?;
        Ok(config)
    }

    /// How live reports are weighed.
    pub fn report_policy(&self) -> live_reports::Policy {
        live_reports::Policy {
            half_life: chrono::Duration::minutes(self.report_half_life_minutes.max(1)),
            weights: self.report_weights,
        }
    }

    pub fn time_zone(&self) -> Result<chrono_tz::Tz, String> {
        self.timezone.parse().map_err(|_| {
            format!(
                "invalid configuration: unknown time zone `{}`",
                self.timezone
            )
        })
    }

    pub fn json_logs(&self) -> bool {
        self.log_format == "json"
    }

    pub fn home_policy(&self) -> HomePolicy {
        HomePolicy {
            changes_per_day: self.home_changes_per_day,
            settle: chrono::Duration::minutes(self.home_settle_minutes.max(0)),
        }
    }

    pub fn daily_limits(&self) -> DailyLimits {
        DailyLimits {
            per_day: self.releases_per_day,
            claims_per_day: self.claims_per_day,
        }
    }

    pub fn maintenance_interval(&self) -> Option<Duration> {
        (self.maintenance_interval_secs > 0)
            .then(|| Duration::from_secs(self.maintenance_interval_secs))
    }
}

/// Rocket's figment (`Rocket.toml`, `ROCKET_*`) under our defaults, with `DATABASE_URL` on top.
pub fn figment() -> Figment {
    rocket::Config::figment()
        .join(Serialized::defaults(AppConfig::default()))
        .merge(Env::raw().only(&["DATABASE_URL"]).global())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket::figment::providers::{Format, Toml};

    #[test]
    fn the_shipped_rocket_toml_states_the_defaults() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/Rocket.toml");
        let figment = Figment::from(Serialized::defaults(AppConfig::default()))
            .merge(Toml::file(path).nested());
        let shipped = AppConfig::from_figment(&figment).unwrap();
        let defaults = AppConfig::default();
        assert_eq!(shipped.rate_limits, defaults.rate_limits);
        assert_eq!(
            (shipped.session_days, shipped.session_idle_days),
            (defaults.session_days, defaults.session_idle_days)
        );
        assert_eq!(shipped.log_format, "text");
        assert_eq!(
            (shipped.report_half_life_minutes, shipped.report_weights),
            (defaults.report_half_life_minutes, defaults.report_weights)
        );
        assert_eq!(shipped.report_items, defaults.report_items);
        assert_eq!(shipped.notify, defaults.notify);
    }
}
