//! The fixed place taxonomy: each category's kind, its labels, and the OpenStreetMap tags that
//! map to it.

use crate::error_code::ErrorCode;
use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::Invalid;

/// Shops are where residents go; kitchens are community kitchens and food banks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Shop,
    Kitchen,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Shop => "shop",
            Kind::Kitchen => "kitchen",
        }
    }
}

impl std::str::FromStr for Kind {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s {
            "shop" => Ok(Kind::Shop),
            "kitchen" => Ok(Kind::Kitchen),
            _ => Err(Invalid::new(
                ErrorCode::InvalidKind,
                format!("kind must be `shop` or `kitchen`, got `{s}`"),
            )),
        }
    }
}

/// One category of the taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Category {
    pub id: &'static str,
    #[schema(value_type = String)]
    pub kind: Kind,
    pub es: &'static str,
    pub en: &'static str,
    /// OSM tags that map here, as `key=value`.
    #[serde(skip)]
    pub osm: &'static [(&'static str, &'static str)],
}

/// Every category, shops first. Order is the order the UI shows them in.
pub const CATEGORIES: &[Category] = &[
    cat(
        "pharmacy",
        Kind::Shop,
        "Farmacia",
        "Pharmacy",
        &[("amenity", "pharmacy")],
    ),
    cat(
        "supermarket",
        Kind::Shop,
        "Supermercado o almacén",
        "Supermarket or grocery",
        &[
            ("shop", "supermarket"),
            ("shop", "convenience"),
            ("shop", "grocery"),
        ],
    ),
    cat("kiosk", Kind::Shop, "Kiosco", "Kiosk", &[("shop", "kiosk")]),
    cat(
        "bakery",
        Kind::Shop,
        "Panadería",
        "Bakery",
        &[("shop", "bakery")],
    ),
    cat(
        "butcher",
        Kind::Shop,
        "Carnicería",
        "Butcher",
        &[("shop", "butcher")],
    ),
    cat(
        "greengrocer",
        Kind::Shop,
        "Verdulería",
        "Greengrocer",
        &[("shop", "greengrocer")],
    ),
    cat(
        "hardware",
        Kind::Shop,
        "Ferretería",
        "Hardware store",
        &[("shop", "hardware"), ("shop", "doityourself")],
    ),
    cat(
        "pet",
        Kind::Shop,
        "Veterinaria o mascotas",
        "Pet shop",
        &[("shop", "pet")],
    ),
    cat("bank", Kind::Shop, "Banco", "Bank", &[("amenity", "bank")]),
    cat(
        "atm",
        Kind::Shop,
        "Cajero automático",
        "ATM",
        &[("amenity", "atm")],
    ),
    cat(
        "health_centre",
        Kind::Shop,
        "Centro de salud",
        "Health centre",
        &[
            ("amenity", "clinic"),
            ("amenity", "doctors"),
            ("amenity", "hospital"),
        ],
    ),
    cat(
        "soup_kitchen",
        Kind::Kitchen,
        "Comedor comunitario",
        "Community kitchen",
        &[("social_facility", "soup_kitchen")],
    ),
    cat(
        "food_bank",
        Kind::Kitchen,
        "Banco de alimentos",
        "Food bank",
        &[("social_facility", "food_bank")],
    ),
    cat(
        "food_sharing",
        Kind::Kitchen,
        "Heladera social",
        "Food sharing",
        &[("amenity", "food_sharing")],
    ),
];

const fn cat(
    id: &'static str,
    kind: Kind,
    es: &'static str,
    en: &'static str,
    osm: &'static [(&'static str, &'static str)],
) -> Category {
    Category {
        id,
        kind,
        es,
        en,
        osm,
    }
}

pub fn find(id: &str) -> Result<&'static Category, Invalid> {
    CATEGORIES.iter().find(|c| c.id == id).ok_or_else(|| {
        Invalid::new(
            ErrorCode::UnknownCategory,
            format!("unknown category `{id}`; see GET /api/categories"),
        )
    })
}

/// The most `category` values a filter may repeat.
pub const CATEGORY_FILTER_MAX: usize = 100;

/// Parses repeated category ids (`category=a&category=b`), keeping each once.
pub fn parse_list<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<&'static str>, Invalid> {
    let values: Vec<&str> = values.into_iter().collect();
    if values.len() > CATEGORY_FILTER_MAX {
        return Err(Invalid::new(
            ErrorCode::UnknownCategory,
            format!("give at most {CATEGORY_FILTER_MAX} categories"),
        ));
    }
    let mut out: Vec<&'static str> = Vec::new();
    for part in values {
        let id = find(part)?.id;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// Why an OSM element was not mapped to a category.
pub const SKIP_NO_MATCHING_TAG: &str = "no mapped tag";

/// Maps an element's tags to a category. Kitchens need `amenity=social_facility` as well as the
/// `social_facility` value, as OSM tags them.
pub fn from_osm_tags(tags: &BTreeMap<String, String>) -> Option<&'static Category> {
    let get = |k: &str| tags.get(k).map(String::as_str);
    CATEGORIES.iter().find(|c| {
        c.osm.iter().any(|(k, v)| {
            get(k) == Some(*v)
                && (*k != "social_facility" || get("amenity") == Some("social_facility"))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn osm_tags_map_to_the_taxonomy() {
        assert_eq!(
            from_osm_tags(&tags(&[("amenity", "pharmacy")])).unwrap().id,
            "pharmacy"
        );
        assert_eq!(
            from_osm_tags(&tags(&[("shop", "convenience")])).unwrap().id,
            "supermarket"
        );
        assert_eq!(
            from_osm_tags(&tags(&[("amenity", "doctors")])).unwrap().id,
            "health_centre"
        );
        let kitchen = from_osm_tags(&tags(&[
            ("amenity", "social_facility"),
            ("social_facility", "soup_kitchen"),
        ]));
        assert_eq!(kitchen.unwrap().kind, Kind::Kitchen);
        assert!(from_osm_tags(&tags(&[("social_facility", "soup_kitchen")])).is_none());
        assert!(from_osm_tags(&tags(&[("shop", "clothes")])).is_none());
    }

    #[test]
    fn category_lists_accept_repeats_but_not_unknown_ids_or_commas() {
        assert_eq!(
            parse_list(["pharmacy", "bakery", "pharmacy"]).unwrap(),
            vec!["pharmacy", "bakery"]
        );
        assert_eq!(
            parse_list(["pharmacy,bakery"]).unwrap_err().code.as_str(),
            "unknown_category"
        );
        assert_eq!(
            parse_list(["nope"]).unwrap_err().code.as_str(),
            "unknown_category"
        );
    }

    #[test]
    fn every_category_has_both_labels_and_a_unique_id() {
        for (i, c) in CATEGORIES.iter().enumerate() {
            assert!(!c.es.is_empty() && !c.en.is_empty());
            assert!(CATEGORIES[i + 1..].iter().all(|o| o.id != c.id));
        }
    }
}
