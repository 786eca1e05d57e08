//! What the web page needs beyond static files: its settings, and the security headers that
//! keep every request on this origin unless a deployment configures an outside basemap.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::serde::json::Json;
use rocket::{get, Request, Response, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::config::AppConfig;

#[derive(Serialize, ToSchema)]
pub struct ClientConfig {
    /// The MapLibre style to load: the bundled offline one unless configured.
    pub style_url: String,
    /// Whether `/api/geocode` has a geocoder behind it.
    pub geocoder: bool,
    /// Where the map opens: Santa Fe city.
    pub center: [f64; 2],
    pub zoom: f64,
    /// The items whose stock neighbours may report on a place.
    pub report_items: Vec<crate::config::ReportItem>,
    /// The street basemap this server hosts, when configured: the page then builds the
    /// Protomaps style over `/tiles/basemap`.
    pub basemap: Option<StreetBasemap>,
}

#[derive(Serialize, ToSchema)]
pub struct StreetBasemap {
    /// `light` or `dark`.
    pub flavor: String,
    pub maxzoom: u8,
}

/// Settings for the web page.
#[utoipa::path(get, path = "/api/config", tag = "web", responses((status = 200, body = ClientConfig)))]
#[get("/api/config")]
pub fn client_config(
    config: &State<AppConfig>,
    basemap: &State<super::basemap::Basemap>,
) -> Json<ClientConfig> {
    let style_url = match config.basemap_style_url.trim() {
        "" => "/basemap/style.json".to_string(),
        url => url.to_string(),
    };
    Json(ClientConfig {
        style_url,
        geocoder: !config.geocoder_url.trim().is_empty(),
        center: [-60.7, -31.633],
        zoom: 13.0,
        report_items: config.report_items.clone(),
        basemap: basemap.configured().then(|| StreetBasemap {
            flavor: config.basemap_flavor.clone(),
            maxzoom: basemap.max_zoom,
        }),
    })
}

/// Adds a Content-Security-Policy and related headers to every response.
pub struct SecurityHeaders {
    csp: String,
}

impl SecurityHeaders {
    pub fn new(config: &AppConfig) -> Self {
        // An outside street basemap needs its tiles, sprites and glyphs; otherwise only 'self'.
        let outside = if config.basemap_style_url.trim().is_empty() {
            ""
        } else {
            " https:"
        };
        let csp = format!(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data: blob:{outside}; connect-src 'self'{outside}; \
             font-src 'self'{outside}; worker-src 'self' blob:; child-src 'self' blob:; \
             object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        );
        Self { csp }
    }
}

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, _req: &'r Request<'_>, res: &mut Response<'r>) {
        res.set_header(Header::new("Content-Security-Policy", self.csp.clone()));
        res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        res.set_header(Header::new("Referrer-Policy", "no-referrer"));
        res.set_header(Header::new("Permissions-Policy", "geolocation=(self)"));
    }
}
