//! Whole numbers in JSON bodies. JSON Schema counts `3.0` as the integer 3 and serde does not, so
//! integer fields take either, as the OpenAPI document promises.

use serde::de::Error;
use serde::{Deserialize, Deserializer};

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => Ok(f as i64),
        _ => Err(D::Error::custom(format!(
            "expected a whole number, got {n}"
        ))),
    }
}

pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    number(d)
}

pub fn i32<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    let n = number(d)?;
    i32::try_from(n).map_err(|_| D::Error::custom(format!("{n} is out of range")))
}

pub fn opt_i32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "i32")] i32);
    Ok(Option::<Whole>::deserialize(d)?.map(|w| w.0))
}
