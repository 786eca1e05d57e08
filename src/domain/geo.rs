//! Validated coordinates, bounding boxes and radii, and distances on the sphere.

use crate::error_code::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{formats, Invalid};

/// Mean Earth radius used by `geo`'s haversine, in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A WGS 84 point, validated: latitude in [-90, 90], longitude in [-180, 180], both finite.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "RawLatLon")]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Deserialize)]
struct RawLatLon {
    lat: f64,
    lon: f64,
}

impl TryFrom<RawLatLon> for LatLon {
    type Error = Invalid;
    fn try_from(raw: RawLatLon) -> Result<Self, Invalid> {
        LatLon::new(raw.lat, raw.lon)
    }
}

impl LatLon {
    pub fn new(lat: f64, lon: f64) -> Result<Self, Invalid> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(Invalid::new(
                ErrorCode::InvalidCoordinates,
                format!("lat must be between -90 and 90, got {lat}"),
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(Invalid::new(
                ErrorCode::InvalidCoordinates,
                format!("lon must be between -180 and 180, got {lon}"),
            ));
        }
        Ok(Self {
            lat: to_nanodegree(lat),
            lon: to_nanodegree(lon),
        })
    }

    /// Great-circle distance in metres (haversine on the mean sphere).
    pub fn distance_m(&self, other: &LatLon) -> f64 {
        use geo::{Distance, Haversine, Point};
        Haversine.distance(
            Point::new(self.lon, self.lat),
            Point::new(other.lon, other.lat),
        )
    }
}

/// Rounds to a billionth of a degree (0.1 mm), far finer than any position here. It also keeps
/// subnormal numbers out of PostGIS, whose float32 index boxes cannot order points that close
/// to zero ("index returned tuples in wrong order"). Coordinates with nine or fewer decimals
/// come back as they were.
fn to_nanodegree(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// `minLon,minLat,maxLon,maxLat`, as in the `bbox` query parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lon: f64,
    pub min_lat: f64,
    pub max_lon: f64,
    pub max_lat: f64,
}

impl std::str::FromStr for BBox {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        let bad = |why: &str| {
            Invalid::new(
                ErrorCode::InvalidBbox,
                format!("bbox must be minLon,minLat,maxLon,maxLat ({why}), got `{s}`"),
            )
        };
        if s.len() > formats::BBOX_MAX || !formats::is(&formats::bbox(), s) {
            return Err(bad("four plain numbers"));
        }
        let parts: Vec<f64> = s
            .split(',')
            .map(str::parse::<f64>)
            .collect::<Result<_, _>>()
            .map_err(|_| bad("four plain numbers"))?;
        let [lon_a, lat_a, lon_b, lat_b] = parts[..] else {
            return Err(bad("four plain numbers"));
        };
        // A map zoomed out past the world's edge asks for more than there is: clamp it. The
        // corners may come in either order.
        let lon = |v: f64| v.clamp(-180.0, 180.0);
        let lat = |v: f64| v.clamp(-90.0, 90.0);
        Ok(Self {
            min_lon: lon(lon_a.min(lon_b)),
            min_lat: lat(lat_a.min(lat_b)),
            max_lon: lon(lon_a.max(lon_b)),
            max_lat: lat(lat_a.max(lat_b)),
        })
    }
}

/// A search radius in metres, 1 to `max`.
pub fn radius_m(value: Option<f64>, default: f64, max: f64) -> Result<f64, Invalid> {
    let r = value.unwrap_or(default);
    if !r.is_finite() || r <= 0.0 || r > max {
        return Err(Invalid::new(
            ErrorCode::InvalidRadius,
            format!("radius_m must be greater than 0 and at most {max}, got {r}"),
        ));
    }
    Ok(r)
}

/// A result limit, 1 to `max`.
pub fn limit(value: Option<i64>, default: i64, max: i64) -> Result<i64, Invalid> {
    let n = value.unwrap_or(default);
    if !(1..=max).contains(&n) {
        return Err(Invalid::new(
            ErrorCode::InvalidLimit,
            format!("limit must be between 1 and {max}, got {n}"),
        ));
    }
    Ok(n)
}

/// The coarse distance a volunteer may see instead of an exact one.
pub fn distance_band(metres: f64) -> &'static str {
    match metres {
        m if m < 1_000.0 => "<1 km",
        m if m < 3_000.0 => "1-3 km",
        m if m < 10_000.0 => "3-10 km",
        _ => ">10 km",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_kept_to_a_nanodegree_and_tiny_ones_become_zero() {
        let p = LatLon::new(-31.6373, -60.6962).unwrap();
        assert_eq!((p.lat, p.lon), (-31.6373, -60.6962));
        let p = LatLon::new(-31.123456789, 179.999999999).unwrap();
        assert_eq!((p.lat, p.lon), (-31.123456789, 179.999999999));
        let tiny = LatLon::new(1.175494351e-38, 5.290559287021884e-124).unwrap();
        assert_eq!((tiny.lat, tiny.lon), (0.0, 0.0));
        let p = LatLon::new(90.0, -180.0).unwrap();
        assert_eq!((p.lat, p.lon), (90.0, -180.0));
    }

    #[test]
    fn latitude_out_of_range_is_refused_with_the_value() {
        let err = LatLon::new(91.0, 0.0).unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_coordinates");
        assert!(err.message.contains("91"));
        assert!(LatLon::new(f64::NAN, 0.0).is_err());
        assert!(LatLon::new(0.0, 180.5).is_err());
    }

    #[test]
    fn bbox_corners_come_in_any_order_and_are_clamped_to_the_world() {
        let b: BBox = "-60.8,-31.7,-60.6,-31.5".parse().unwrap();
        assert_eq!(b.min_lon, -60.8);
        assert_eq!(b.max_lat, -31.5);
        let swapped: BBox = "-60.6,-31.5,-60.8,-31.7".parse().unwrap();
        assert_eq!(swapped, b);
        let world: BBox = "-500,-100,500,100".parse().unwrap();
        assert_eq!(
            (world.min_lon, world.min_lat, world.max_lon, world.max_lat),
            (-180.0, -90.0, 180.0, 90.0)
        );
        assert!("1,2,3".parse::<BBox>().is_err());
        assert!("a,b,c,d".parse::<BBox>().is_err());
        assert!("1, 2,3,4".parse::<BBox>().is_err());
        assert!("NaN,2,3,4".parse::<BBox>().is_err());
        let long = format!("{},0,1,1", "1".repeat(300));
        assert!(
            long.parse::<BBox>().is_err(),
            "longer than the documented maximum"
        );
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let a = LatLon::new(-31.0, -60.7).unwrap();
        let b = LatLon::new(-32.0, -60.7).unwrap();
        assert!((a.distance_m(&b) - 111_195.0).abs() < 50.0);
    }

    #[test]
    fn distance_bands_have_the_documented_edges() {
        assert_eq!(distance_band(999.0), "<1 km");
        assert_eq!(distance_band(1_000.0), "1-3 km");
        assert_eq!(distance_band(9_999.0), "3-10 km");
        assert_eq!(distance_band(10_000.0), ">10 km");
    }

    #[test]
    fn radius_and_limit_enforce_their_bounds() {
        assert_eq!(radius_m(None, 1500.0, 50_000.0).unwrap(), 1500.0);
        assert!(radius_m(Some(-5.0), 1500.0, 50_000.0).is_err());
        assert!(radius_m(Some(50_001.0), 1500.0, 50_000.0).is_err());
        assert!(limit(Some(0), 20, 200).is_err());
        assert_eq!(limit(Some(200), 20, 200).unwrap(), 200);
    }
}
