//! Deterministic synthetic rows for benchmarks: places, volunteers and help requests clustered
//! on Argentine cities by population (with a rural share), and the query points the benchmarks
//! ask about. The same seed gives the same rows; only timestamps follow the clock.

use rand::distributions::{Distribution, WeightedIndex};
use rand::{rngs::StdRng, Rng, SeedableRng};
use uuid::Uuid;

use super::cities::{City, CITIES};
use crate::domain::categories::{self, Kind};
use crate::domain::cells::{Cell, STORED_RES};
use crate::domain::geo::LatLon;
use crate::domain::hours;
use crate::domain::requests::CATEGORIES as REQUEST_CATEGORIES;

/// Share of points scattered widely around a city rather than in it.
const RURAL_SHARE: f64 = 0.1;
const RURAL_SIGMA_KM: f64 = 60.0;
const KM_PER_DEGREE: f64 = 111.32;

/// Place categories by weight. The bundled OSM fixture holds only pharmacies, so these shares
/// are an estimate of Argentine OpenStreetMap points per tag, not a measurement.
const PLACE_CATEGORIES: &[(&str, u32)] = &[
    ("supermarket", 220),
    ("kiosk", 140),
    ("pharmacy", 120),
    ("bakery", 80),
    ("health_centre", 80),
    ("atm", 70),
    ("butcher", 60),
    ("hardware", 60),
    ("bank", 60),
    ("greengrocer", 50),
    ("pet", 40),
    ("soup_kitchen", 14),
    ("food_sharing", 4),
    ("food_bank", 2),
];

const REQUEST_WEIGHTS: &[(&str, u32)] = &[
    ("groceries", 30),
    ("medicine", 25),
    ("errand", 15),
    ("meal", 15),
    ("company", 10),
    ("other", 5),
];

const RADII_M: &[(f64, u32)] = &[
    (1_000.0, 30),
    (2_000.0, 30),
    (3_000.0, 20),
    (5_000.0, 15),
    (10_000.0, 5),
];

/// Opening hours as the real OSM fixture has them: the share of places with a value, and each
/// value's weight with its weekly minutes precomputed.
pub struct HoursPool {
    pub share: f64,
    values: Vec<(String, Option<String>)>,
    pick: WeightedIndex<u32>,
}

impl HoursPool {
    /// From places as imported: counts each `opening_hours` value.
    pub fn from_values<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Self {
        let mut total = 0u32;
        let mut counts: std::collections::BTreeMap<&str, u32> = Default::default();
        for v in values {
            total += 1;
            if let Some(v) = v {
                *counts.entry(v).or_default() += 1;
            }
        }
        let with: u32 = counts.values().sum();
        let share = if total == 0 {
            0.0
        } else {
            f64::from(with) / f64::from(total)
        };
        let (values, weights): (Vec<_>, Vec<_>) = counts
            .into_iter()
            .map(|(v, n)| ((v.to_string(), hours::weekly_open_multirange(Some(v))), n))
            .unzip();
        let pick = WeightedIndex::new(if weights.is_empty() { vec![1] } else { weights })
            .expect("positive weights");
        HoursPool {
            share,
            values,
            pick,
        }
    }

    fn sample(&self, rng: &mut StdRng) -> Option<&(String, Option<String>)> {
        if self.values.is_empty() || !rng.gen_bool(self.share) {
            return None;
        }
        self.values.get(self.pick.sample(rng))
    }
}

pub struct PlaceSeed<'a> {
    pub n: u64,
    pub kind: &'static str,
    pub category: &'static str,
    /// OSM tags for the category (`amenity=pharmacy`, ...).
    pub tags: &'static [(&'static str, &'static str)],
    pub name: String,
    pub point: LatLon,
    pub cell: i64,
    pub opening_hours: Option<&'a str>,
    pub open_week: Option<&'a str>,
}

pub struct VolunteerSeed {
    pub id: i64,
    pub verified: bool,
    pub suspended: bool,
    pub skills: Vec<&'static str>,
    pub home: LatLon,
    pub home_cell: i64,
    pub radius_m: f64,
    pub on_duty: bool,
    pub max_open: i32,
}

pub struct RequestSeed {
    pub id: Uuid,
    pub category: &'static str,
    pub point: LatLon,
    pub cell: i64,
    pub area_cell: i64,
    pub urgency: &'static str,
    pub status: &'static str,
    pub assignee: Option<i64>,
    /// Seconds before the load that the request was made.
    pub age_s: i64,
    /// Seconds after the load it is needed by, if it says.
    pub needed_in_s: Option<i64>,
}

/// A point to search around, with a category for the filtered searches.
pub struct QueryPoint {
    pub point: LatLon,
    pub category: &'static str,
}

/// Draws rows. Each kind of row has its own stream, so the places do not change when only the
/// number of volunteers does.
pub struct Generator {
    cities: WeightedIndex<f64>,
    places: WeightedIndex<u32>,
    requests: WeightedIndex<u32>,
    radii: WeightedIndex<u32>,
    hours: HoursPool,
    seed: u64,
}

impl Generator {
    pub fn new(seed: u64, hours: HoursPool) -> Self {
        Generator {
            cities: WeightedIndex::new(CITIES.iter().map(|c| c.population_k)).unwrap(),
            places: weights(PLACE_CATEGORIES),
            requests: weights(REQUEST_WEIGHTS),
            radii: weights(RADII_M),
            hours,
            seed,
        }
    }

    pub fn rng(&self, stream: u64) -> StdRng {
        StdRng::seed_from_u64(self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ stream)
    }

    /// A point near a city drawn by population, or (the rural share) further out.
    pub fn point(&self, rng: &mut StdRng) -> LatLon {
        let city: &City = &CITIES[self.cities.sample(rng)];
        let sigma = if rng.gen_bool(RURAL_SHARE) {
            RURAL_SIGMA_KM
        } else {
            city.sigma_km()
        };
        let (dx, dy) = gaussian_pair(rng);
        let lat = (city.lat + dy * sigma / KM_PER_DEGREE).clamp(-89.0, 89.0);
        let lon = city.lon + dx * sigma / (KM_PER_DEGREE * lat.to_radians().cos());
        LatLon::new(lat, lon.clamp(-180.0, 180.0)).expect("clamped")
    }

    pub fn place<'a>(&'a self, n: u64, rng: &mut StdRng) -> PlaceSeed<'a> {
        let point = self.point(rng);
        let (id, _) = PLACE_CATEGORIES[self.places.sample(rng)];
        let category = categories::find(id).expect("bench categories exist");
        let hours = match category.kind {
            Kind::Shop => self.hours.sample(rng),
            Kind::Kitchen => None,
        };
        PlaceSeed {
            n,
            kind: category.kind.as_str(),
            category: category.id,
            tags: category.osm,
            name: format!("{} {n} (bench)", category.es),
            point,
            cell: Cell::at(point, STORED_RES).to_db(),
            opening_hours: hours.map(|(raw, _)| raw.as_str()),
            open_week: hours.and_then(|(_, week)| week.as_deref()),
        }
    }

    pub fn volunteer(&self, id: i64, rng: &mut StdRng) -> VolunteerSeed {
        let home = self.point(rng);
        let mut skills: Vec<&'static str> = REQUEST_CATEGORIES
            .iter()
            .copied()
            .filter(|_| rng.gen_bool(0.4))
            .collect();
        if skills.is_empty() {
            skills.push(REQUEST_WEIGHTS[self.requests.sample(rng)].0);
        }
        VolunteerSeed {
            id,
            verified: rng.gen_bool(0.85),
            suspended: rng.gen_bool(0.01),
            skills,
            home,
            home_cell: Cell::at(home, STORED_RES).to_db(),
            radius_m: RADII_M[self.radii.sample(rng)].0,
            on_duty: rng.gen_bool(0.6),
            max_open: rng.gen_range(1..=3),
        }
    }

    /// A request; `assignable` are the verified volunteers an assigned request may belong to.
    pub fn request(&self, rng: &mut StdRng, assignable: &[i64]) -> RequestSeed {
        let point = self.point(rng);
        let stored = Cell::at(point, STORED_RES);
        let roll: f64 = rng.gen();
        let mut status = match roll {
            r if r < 0.85 => "open",
            r if r < 0.92 => "assigned",
            r if r < 0.95 => "pending_review",
            _ => "done",
        };
        let assignee = if status == "assigned" && !assignable.is_empty() {
            Some(assignable[rng.gen_range(0..assignable.len())])
        } else {
            if status == "assigned" {
                status = "open";
            }
            None
        };
        let urgency = match rng.gen_range(0..10) {
            0 | 1 => "low",
            2 | 3 => "high",
            _ => "normal",
        };
        RequestSeed {
            id: uuid::Builder::from_random_bytes(rng.gen()).into_uuid(),
            category: REQUEST_WEIGHTS[self.requests.sample(rng)].0,
            point,
            cell: stored.to_db(),
            area_cell: stored
                .parent(h3o::Resolution::Seven)
                .expect("coarser")
                .to_db(),
            urgency,
            status,
            assignee,
            age_s: rng.gen_range(0..48 * 3600),
            needed_in_s: rng.gen_bool(0.5).then(|| rng.gen_range(3600..72 * 3600)),
        }
    }

    pub fn query_point(&self, rng: &mut StdRng) -> QueryPoint {
        QueryPoint {
            point: self.point(rng),
            category: PLACE_CATEGORIES[self.places.sample(rng)].0,
        }
    }
}

fn weights<T>(table: &[(T, u32)]) -> WeightedIndex<u32> {
    WeightedIndex::new(table.iter().map(|(_, n)| *n)).expect("positive weights")
}

/// Two independent standard normal values (Box-Muller).
fn gaussian_pair(rng: &mut StdRng) -> (f64, f64) {
    let u1: f64 = 1.0 - rng.gen::<f64>(); // (0, 1]
    let u2: f64 = rng.gen();
    let r = (-2.0 * u1.ln()).sqrt();
    let theta = std::f64::consts::TAU * u2;
    (r * theta.cos(), r * theta.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generator(seed: u64) -> Generator {
        let hours = HoursPool::from_values(
            [Some("Mo-Fr 09:00-18:00"), None, None, Some("24/7")].into_iter(),
        );
        Generator::new(seed, hours)
    }

    #[test]
    fn the_same_seed_gives_the_same_rows() {
        let (a, b) = (generator(3), generator(3));
        let (mut ra, mut rb) = (a.rng(1), b.rng(1));
        for n in 0..200 {
            let (pa, pb) = (a.place(n, &mut ra), b.place(n, &mut rb));
            assert_eq!(
                (pa.point, pa.category, pa.opening_hours),
                (pb.point, pb.category, pb.opening_hours)
            );
        }
        let other = generator(4);
        let mut ro = other.rng(1);
        assert_ne!(
            a.place(0, &mut a.rng(1)).point,
            other.place(0, &mut ro).point
        );
    }

    #[test]
    fn points_cluster_on_cities_by_population() {
        let g = generator(1);
        let mut rng = g.rng(9);
        let n = 20_000;
        let ba = &CITIES[0];
        let near_ba = (0..n)
            .map(|_| g.point(&mut rng))
            .filter(|p| p.distance_m(&LatLon::new(ba.lat, ba.lon).unwrap()) < 50_000.0)
            .count();
        let share = ba.population_k / CITIES.iter().map(|c| c.population_k).sum::<f64>();
        let got = near_ba as f64 / n as f64;
        // Nearly all of Buenos Aires' urban points fall within 50 km; rural ones mostly not.
        assert!(got > share * 0.85 && got < share * 1.05, "{got} vs {share}");
    }

    #[test]
    fn hours_follow_the_pool_and_kitchens_have_none() {
        let g = generator(2);
        let mut rng = g.rng(1);
        let places: Vec<_> = (0..10_000).map(|n| g.place(n, &mut rng)).collect();
        let shops = places.iter().filter(|p| p.kind == "shop").count() as f64;
        let with = places.iter().filter(|p| p.opening_hours.is_some()).count() as f64;
        assert!((with / shops - 0.5).abs() < 0.03, "{}", with / shops);
        assert!(places
            .iter()
            .filter(|p| p.kind == "kitchen")
            .all(|p| p.opening_hours.is_none()));
        let weekly = places
            .iter()
            .find(|p| p.opening_hours == Some("Mo-Fr 09:00-18:00"))
            .unwrap();
        assert!(weekly.open_week.is_some());
    }
}
