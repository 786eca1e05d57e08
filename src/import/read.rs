//! Reading Overpass API JSON as a stream: maps tags to categories and places ways and
//! relations at the centre of their members' bounding box (Overpass's `center`).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;

use anyhow::{anyhow, bail, Context};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::db::places::NewPlace;
use crate::domain::categories;
use crate::domain::cells::{Cell, STORED_RES};
use crate::domain::geo::LatLon;

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

/// What the reader found besides places.
#[derive(Debug, Default)]
pub struct Passed {
    pub skipped: BTreeMap<String, u64>,
    pub unmapped: Vec<String>,
}

/// Parses Overpass JSON held in memory.
pub fn parse(json: &str) -> anyhow::Result<Parsed> {
    let mut places = Vec::new();
    let passed = read(json.as_bytes(), |p| {
        places.push(p);
        Ok(())
    })?;
    Ok(Parsed {
        places,
        skipped: passed.skipped,
        unmapped: passed.unmapped,
    })
}

/// Reads Overpass JSON as a stream, handing each place to `emit` as soon as it can be placed.
/// Nodes, and ways and relations with a `center`, are placed at once; the others wait for
/// the end of the document, since their members may come after them. Only node coordinates
/// and the member lists of untagged ways and relations are kept; untagged elements are
/// geometry, not places.
pub fn read(
    reader: impl Read,
    mut emit: impl FnMut(NewPlace) -> anyhow::Result<()>,
) -> anyhow::Result<Passed> {
    let mut state = ReadState::default();
    let mut sink = |e: Element| state.element(e, &mut emit);
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, reader));
    DocumentSeed { sink: &mut sink }
        .deserialize(&mut de)
        .map_err(|e| match e.classify() {
            serde_json::error::Category::Data if e.to_string().starts_with(ABORT) => {
                anyhow!("{}", &e.to_string()[ABORT.len()..])
            }
            _ => anyhow::Error::new(e).context("not Overpass API JSON"),
        })?;
    de.end().context("not Overpass API JSON")?;
    state.finish(&mut emit)
}

/// Marks errors raised by `emit` inside the deserializer, so they are not blamed on the JSON.
const ABORT: &str = "\u{0}import: ";

#[derive(Default)]
struct ReadState {
    nodes: HashMap<i64, (f64, f64)>,
    ways: HashMap<i64, Element>,
    relations: HashMap<i64, Element>,
    /// Tagged ways and relations without a centre, placed at the end.
    waiting: Vec<Element>,
    passed: Passed,
}

impl ReadState {
    fn element(
        &mut self,
        e: Element,
        emit: &mut impl FnMut(NewPlace) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        match e.kind.as_str() {
            "node" => {
                if let (Some(lat), Some(lon)) = (e.lat, e.lon) {
                    self.nodes.insert(e.id, (lat, lon));
                }
            }
            "way" | "relation" => {}
            other => bail!("element {} has unknown type `{other}`", e.id),
        }
        if e.tags.is_empty() {
            match e.kind.as_str() {
                "way" => {
                    self.ways.insert(e.id, e);
                }
                "relation" => {
                    self.relations.insert(e.id, e);
                }
                _ => {}
            }
            return Ok(());
        }
        let direct = match (e.lat, e.lon, &e.center) {
            (Some(lat), Some(lon), _) => Some((lat, lon)),
            (_, _, Some(c)) => Some((c.lat, c.lon)),
            _ => None,
        };
        match direct {
            Some(point) => self.place(&e, Some(point), emit),
            None if e.kind == "node" => self.place(&e, None, emit),
            None => {
                self.waiting.push(e);
                Ok(())
            }
        }
    }

    fn finish(
        mut self,
        emit: &mut impl FnMut(NewPlace) -> anyhow::Result<()>,
    ) -> anyhow::Result<Passed> {
        let waiting = std::mem::take(&mut self.waiting);
        let tagged: HashMap<(&str, i64), &Element> = waiting
            .iter()
            .map(|e| ((e.kind.as_str(), e.id), e))
            .collect();
        let points: Vec<Option<(f64, f64)>> = {
            let geometry = Geometry {
                nodes: &self.nodes,
                ways: &self.ways,
                relations: &self.relations,
                tagged: &tagged,
            };
            waiting.iter().map(|e| geometry.point_of(e)).collect()
        };
        for (e, point) in waiting.iter().zip(points) {
            self.place(e, point, emit)?;
        }
        Ok(self.passed)
    }

    fn place(
        &mut self,
        e: &Element,
        point: Option<(f64, f64)>,
        emit: &mut impl FnMut(NewPlace) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let source = format!("{}/{}", e.kind, e.id);
        let Some(category) = categories::from_osm_tags(&e.tags) else {
            *self
                .passed
                .skipped
                .entry(categories::SKIP_NO_MATCHING_TAG.into())
                .or_default() += 1;
            self.passed.unmapped.push(source);
            return Ok(());
        };
        let Some(point) = point else {
            *self
                .passed
                .skipped
                .entry("no coordinates".into())
                .or_default() += 1;
            return Ok(());
        };
        let point = LatLon::new(point.0, point.1)
            .map_err(|err| anyhow!("element {source} has bad coordinates: {err}"))?;
        emit(NewPlace {
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
        })
    }
}

/// The document: only `elements` matters, read one element at a time.
struct DocumentSeed<'s, F> {
    sink: &'s mut F,
}

impl<'de, F: FnMut(Element) -> anyhow::Result<()>> DeserializeSeed<'de> for DocumentSeed<'_, F> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Element) -> anyhow::Result<()>> Visitor<'de> for DocumentSeed<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with `elements`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "elements" {
                map.next_value_seed(ElementsSeed {
                    sink: &mut *self.sink,
                })?;
                seen = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !seen {
            return Err(de::Error::missing_field("elements"));
        }
        Ok(())
    }
}

struct ElementsSeed<'s, F> {
    sink: &'s mut F,
}

impl<'de, F: FnMut(Element) -> anyhow::Result<()>> DeserializeSeed<'de> for ElementsSeed<'_, F> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Element) -> anyhow::Result<()>> Visitor<'de> for ElementsSeed<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of elements")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(e) = seq.next_element::<Element>()? {
            (self.sink)(e).map_err(|err| de::Error::custom(format!("{ABORT}{err:#}")))?;
        }
        Ok(())
    }
}

struct Geometry<'a> {
    nodes: &'a HashMap<i64, (f64, f64)>,
    ways: &'a HashMap<i64, Element>,
    relations: &'a HashMap<i64, Element>,
    /// Tagged ways and relations without a centre, which may also be members.
    tagged: &'a HashMap<(&'a str, i64), &'a Element>,
}

impl<'a> Geometry<'a> {
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

    fn tagged(&self, kind: &'static str, id: i64) -> Option<&'a Element> {
        self.tagged.get(&(kind, id)).copied()
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
                "way" => self.ways.get(&m.id).or_else(|| self.tagged("way", m.id)),
                "relation" => self
                    .relations
                    .get(&m.id)
                    .or_else(|| self.tagged("relation", m.id)),
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
