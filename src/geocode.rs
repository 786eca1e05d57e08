//! Address search through a Nominatim-compatible service: a proper User-Agent, at most one
//! upstream call per second, answers cached, results limited to the configured countries.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;
use utoipa::ToSchema;

use crate::config::AppConfig;

/// Nominatim's usage policy: no more than one request per second.
const MIN_INTERVAL: Duration = Duration::from_secs(1);
const CACHE_TTL: Duration = Duration::from_secs(24 * 3600);
const CACHE_MAX: usize = 2_000;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hit {
    pub label: String,
    pub lat: f64,
    pub lon: f64,
}

/// One result in Nominatim's `format=jsonv2` search output; coordinates come as strings.
#[derive(Deserialize)]
struct NominatimPlace {
    display_name: String,
    lat: String,
    lon: String,
}

#[derive(Debug, thiserror::Error)]
pub enum GeocodeError {
    #[error("the geocoder could not be reached: {0}")]
    Unreachable(String),
    #[error("the geocoder answered {0}")]
    Status(u16),
    #[error("the geocoder's answer was not understood: {0}")]
    Format(String),
}

pub struct Geocoder {
    base_url: String,
    countries: String,
    client: reqwest::Client,
    /// Held across the upstream call, so calls are serialised and spaced.
    last_call: Mutex<Option<Instant>>,
    cache: Mutex<HashMap<String, (Instant, Vec<Hit>)>>,
}

impl Geocoder {
    /// `None` when no geocoder is configured.
    pub fn from_config(config: &AppConfig) -> Option<Geocoder> {
        let base_url = config.geocoder_url.trim().trim_end_matches('/').to_string();
        if base_url.is_empty() {
            return None;
        }
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(Duration::from_secs(10))
            .build()
            .ok()?;
        Some(Geocoder {
            base_url,
            countries: config.geocoder_countries.trim().to_lowercase(),
            client,
            last_call: Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
        })
    }

    pub async fn search(&self, query: &str) -> Result<Vec<Hit>, GeocodeError> {
        let key = query.trim().to_lowercase();
        if let Some((at, hits)) = self.cache.lock().await.get(&key) {
            if at.elapsed() < CACHE_TTL {
                return Ok(hits.clone());
            }
        }
        let hits = {
            let mut last = self.last_call.lock().await;
            if let Some(prev) = *last {
                let since = prev.elapsed();
                if since < MIN_INTERVAL {
                    tokio::time::sleep(MIN_INTERVAL - since).await;
                }
            }
            *last = Some(Instant::now());
            self.fetch(query.trim()).await?
        };
        let mut cache = self.cache.lock().await;
        if cache.len() >= CACHE_MAX {
            cache.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(key, (Instant::now(), hits.clone()));
        Ok(hits)
    }

    async fn fetch(&self, query: &str) -> Result<Vec<Hit>, GeocodeError> {
        let mut params = vec![("q", query), ("format", "jsonv2"), ("limit", "5")];
        if !self.countries.is_empty() {
            params.push(("countrycodes", &self.countries));
        }
        let resp = self
            .client
            .get(format!("{}/search", self.base_url))
            .query(&params)
            .send()
            .await
            .map_err(|e| GeocodeError::Unreachable(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(GeocodeError::Status(resp.status().as_u16()));
        }
        let places: Vec<NominatimPlace> = resp
            .json()
            .await
            .map_err(|e| GeocodeError::Format(e.to_string()))?;
        places
            .into_iter()
            .map(|p| {
                let lat = p
                    .lat
                    .parse()
                    .map_err(|_| GeocodeError::Format(format!("lat `{}`", p.lat)))?;
                let lon = p
                    .lon
                    .parse()
                    .map_err(|_| GeocodeError::Format(format!("lon `{}`", p.lon)))?;
                Ok(Hit {
                    label: p.display_name,
                    lat,
                    lon,
                })
            })
            .collect()
    }
}
