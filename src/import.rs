//! OpenStreetMap import: reads Overpass API JSON (from a file or an Overpass endpoint), maps
//! tags to categories, places ways and relations at the centre of their members' bounding box
//! (Overpass's `center`), and upserts by `type/id` in one transaction.

use std::collections::{BTreeMap, HashMap};

use anyhow::{anyhow, bail, Context};
use serde::Deserialize;
use sqlx::PgPool;

use crate::db::places::{self as db_places, NewPlace};
use crate::domain::categories;
use crate::domain::cells::{Cell, STORED_RES};
use crate::domain::geo::{BBox, LatLon};

#[derive(Debug, Deserialize)]
struct Document {
    elements: Vec<Element>,
}

#[derive(Debug, Deserialize)]
struct Element {
    #[serde(rename = "type")]
    kind: String,
    id: i64,
    lat: Option<f64>,
    lon: Option<f64>,
    center: Option<Center>,
    #[serde(default)]
    nodes: Vec<i64>,
    #[serde(default)]
    members: Vec<Member>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
struct Center {
    lat: f64,
    lon: f64,
}

#[derive(Debug, Deserialize)]
struct Member {
    #[serde(rename = "type")]
    kind: String,
    #[serde(rename = "ref")]
    id: i64,
}

/// The places found in a document, and what was passed over and why.
#[derive(Debug, Default)]
pub struct Parsed {
    pub places: Vec<NewPlace>,
    pub skipped: BTreeMap<String, u64>,
    /// Tagged elements (`type/id`) that map to no category; a stored one has lost its tag.
    pub unmapped: Vec<String>,
}

/// Parses Overpass JSON. Untagged elements are geometry for ways and relations, not places.
pub fn parse(json: &str) -> anyhow::Result<Parsed> {
    let doc: Document = serde_json::from_str(json).context("not Overpass API JSON")?;
    let mut nodes: HashMap<i64, (f64, f64)> = HashMap::new();
    let mut ways: HashMap<i64, &Element> = HashMap::new();
    let mut relations: HashMap<i64, &Element> = HashMap::new();
    for e in &doc.elements {
        match e.kind.as_str() {
            "node" => {
                if let (Some(lat), Some(lon)) = (e.lat, e.lon) {
                    nodes.insert(e.id, (lat, lon));
                }
            }
            "way" => {
                ways.insert(e.id, e);
            }
            "relation" => {
                relations.insert(e.id, e);
            }
            other => bail!("element {} has unknown type `{other}`", e.id),
        }
    }
    let geometry = Geometry {
        nodes: &nodes,
        ways: &ways,
        relations: &relations,
    };

    let mut parsed = Parsed::default();
    for e in doc.elements.iter().filter(|e| !e.tags.is_empty()) {
        let source = format!("{}/{}", e.kind, e.id);
        let Some(category) = categories::from_osm_tags(&e.tags) else {
            *parsed
                .skipped
                .entry(categories::SKIP_NO_MATCHING_TAG.into())
                .or_default() += 1;
            parsed.unmapped.push(source);
            continue;
        };
        let Some(point) = geometry.point_of(e) else {
            *parsed.skipped.entry("no coordinates".into()).or_default() += 1;
            continue;
        };
        let point = LatLon::new(point.0, point.1)
            .map_err(|err| anyhow!("element {source} has bad coordinates: {err}"))?;
        parsed.places.push(NewPlace {
            kind: category.kind.as_str(),
            name: tag(&e.tags, &["name", "name:es", "brand", "operator"])
                .unwrap_or_else(|| category.es.to_string()),
            category: category.id,
            point,
            cell: Cell::at(point, STORED_RES).to_db(),
            opening_hours: tag(&e.tags, &["opening_hours"]),
            address: address(&e.tags),
            phone: tag(&e.tags, &["phone", "contact:phone", "contact:mobile"]),
            description: tag(&e.tags, &["description"]),
            source: Some(source),
            meals_per_day: None,
        });
    }
    Ok(parsed)
}

struct Geometry<'a> {
    nodes: &'a HashMap<i64, (f64, f64)>,
    ways: &'a HashMap<i64, &'a Element>,
    relations: &'a HashMap<i64, &'a Element>,
}

impl Geometry<'_> {
    fn point_of(&self, e: &Element) -> Option<(f64, f64)> {
        if let (Some(lat), Some(lon)) = (e.lat, e.lon) {
            return Some((lat, lon));
        }
        if let Some(c) = &e.center {
            return Some((c.lat, c.lon));
        }
        let mut bounds = Bounds::default();
        self.extend(e, &mut bounds, 0);
        bounds.center()
    }

    fn extend(&self, e: &Element, b: &mut Bounds, depth: u8) {
        for id in &e.nodes {
            if let Some(p) = self.nodes.get(id) {
                b.add(*p);
            }
        }
        // Relations may nest; a small depth limit guards against cycles.
        if depth > 3 {
            return;
        }
        for m in &e.members {
            let child = match m.kind.as_str() {
                "node" => {
                    if let Some(p) = self.nodes.get(&m.id) {
                        b.add(*p);
                    }
                    continue;
                }
                "way" => self.ways.get(&m.id),
                "relation" => self.relations.get(&m.id),
                _ => None,
            };
            if let Some(child) = child {
                self.extend(child, b, depth + 1);
            }
        }
    }
}

#[derive(Default)]
struct Bounds(Option<(f64, f64, f64, f64)>);

impl Bounds {
    fn add(&mut self, (lat, lon): (f64, f64)) {
        self.0 = Some(match self.0 {
            None => (lat, lon, lat, lon),
            Some((a, b, c, d)) => (a.min(lat), b.min(lon), c.max(lat), d.max(lon)),
        });
    }
    fn center(&self) -> Option<(f64, f64)> {
        self.0.map(|(a, b, c, d)| ((a + c) / 2.0, (b + d) / 2.0))
    }
}

fn tag(tags: &BTreeMap<String, String>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .filter_map(|k| tags.get(*k))
        .map(|v| v.trim())
        .find(|v| !v.is_empty())
        .map(str::to_string)
}

fn address(tags: &BTreeMap<String, String>) -> Option<String> {
    if let Some(full) = tag(tags, &["addr:full"]) {
        return Some(full);
    }
    let street = tag(tags, &["addr:street"])?;
    let mut out = match tag(tags, &["addr:housenumber"]) {
        Some(n) => format!("{street} {n}"),
        None => street,
    };
    if let Some(city) = tag(tags, &["addr:city"]) {
        out.push_str(", ");
        out.push_str(&city);
    }
    Some(out)
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Report {
    pub inserted: u64,
    pub updated: u64,
    pub skipped: BTreeMap<String, u64>,
    /// Stored places whose element no longer carries a mapped tag. They are kept, not deleted.
    pub lost_tag: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "inserted: {}", self.inserted)?;
        writeln!(f, "updated:  {}", self.updated)?;
        let skipped: u64 = self.skipped.values().sum();
        writeln!(f, "skipped:  {skipped}")?;
        for (reason, n) in &self.skipped {
            writeln!(f, "  {n} {reason}")?;
        }
        if !self.lost_tag.is_empty() {
            writeln!(
                f,
                "stored places that lost their tag (kept): {}",
                self.lost_tag.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Writes parsed places in one transaction: either all of them land or none.
pub async fn store(
    pool: &PgPool,
    parsed: &Parsed,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Report> {
    let mut report = Report {
        skipped: parsed.skipped.clone(),
        ..Report::default()
    };
    let mut tx = pool.begin().await?;
    progress.set_length(parsed.places.len() as u64);
    for place in &parsed.places {
        let (_, inserted) = db_places::upsert_by_source(&mut *tx, place).await?;
        if inserted {
            report.inserted += 1;
        } else {
            report.updated += 1;
        }
        progress.inc(1);
    }
    report.lost_tag = db_places::existing_sources(&mut *tx, &parsed.unmapped).await?;
    tx.commit().await?;
    progress.finish_and_clear();
    Ok(report)
}

/// The Overpass QL query for every mapped tag inside a box, with `out center`.
pub fn overpass_query(bbox: BBox) -> String {
    let b = format!(
        "{},{},{},{}",
        bbox.min_lat, bbox.min_lon, bbox.max_lat, bbox.max_lon
    );
    let mut q = String::from("[out:json][timeout:120];(");
    for c in categories::CATEGORIES {
        for (k, v) in c.osm {
            if *k == "social_facility" {
                q.push_str(&format!(
                    "nwr[\"amenity\"=\"social_facility\"][\"{k}\"=\"{v}\"]({b});"
                ));
            } else {
                q.push_str(&format!("nwr[\"{k}\"=\"{v}\"]({b});"));
            }
        }
    }
    q.push_str(");out center tags;");
    q
}

/// Fetches Overpass JSON for a box from `base_url`.
pub async fn fetch(base_url: &str, user_agent: &str, bbox: BBox) -> anyhow::Result<String> {
    let client = reqwest::Client::builder().user_agent(user_agent).build()?;
    let resp = client
        .post(base_url)
        .form(&[("data", overpass_query(bbox))])
        .send()
        .await
        .with_context(|| format!("cannot reach Overpass at {base_url}"))?;
    let status = resp.status();
    if !status.is_success() {
        bail!("Overpass at {base_url} answered {status}");
    }
    Ok(resp.text().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ways_are_placed_at_the_centre_of_their_nodes_and_untagged_nodes_are_geometry() {
        let json = r#"{"elements":[
            {"type":"way","id":7,"nodes":[1,2],"tags":{"amenity":"pharmacy","name":"Centro"}},
            {"type":"node","id":3,"lat":-31.6,"lon":-60.7,"tags":{"shop":"clothes"}},
            {"type":"node","id":1,"lat":-31.0,"lon":-60.0},
            {"type":"node","id":2,"lat":-32.0,"lon":-61.0}]}"#;
        let parsed = parse(json).unwrap();
        assert_eq!(parsed.places.len(), 1);
        let p = &parsed.places[0];
        assert_eq!(p.source.as_deref(), Some("way/7"));
        assert_eq!((p.point.lat, p.point.lon), (-31.5, -60.5));
        assert_eq!(parsed.skipped[categories::SKIP_NO_MATCHING_TAG], 1);
        assert_eq!(parsed.unmapped, vec!["node/3".to_string()]);
    }

    #[test]
    fn overpass_center_is_used_when_present() {
        let json = r#"{"elements":[{"type":"relation","id":9,"center":{"lat":-31.1,"lon":-60.2},
            "tags":{"amenity":"social_facility","social_facility":"soup_kitchen"}}]}"#;
        let p = &parse(json).unwrap().places[0];
        assert_eq!(p.kind, "kitchen");
        assert_eq!(p.name, "Comedor comunitario");
        assert_eq!((p.point.lat, p.point.lon), (-31.1, -60.2));
    }

    #[test]
    fn malformed_documents_are_refused() {
        assert!(parse("{\"elements\": [").is_err());
        assert!(parse("{\"elements\":[{\"type\":\"node\",\"id\":1,\"lat\":95,\"lon\":0,\"tags\":{\"amenity\":\"pharmacy\"}}]}").is_err());
    }
}
