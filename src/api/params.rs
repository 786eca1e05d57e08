//! Query parameter parsing with clear errors: each failure names the parameter and the value.

use crate::domain::Invalid;
use crate::error::ApiError;

impl From<Invalid> for ApiError {
    fn from(err: Invalid) -> Self {
        ApiError::unprocessable(err.code, err.message)
    }
}

/// Parses an optional query value; a value that does not parse is a 422 naming it.
pub fn opt<T: std::str::FromStr>(name: &str, value: Option<&str>) -> Result<Option<T>, ApiError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ApiError::unprocessable(
                "invalid_parameter",
                format!("parameter `{name}` has an invalid value `{v}`"),
            )
        }),
    }
}

/// Like [`opt`], but the parameter must be there.
pub fn required<T: std::str::FromStr>(name: &str, value: Option<&str>) -> Result<T, ApiError> {
    opt(name, value)?.ok_or_else(|| {
        ApiError::unprocessable(
            "missing_parameter",
            format!("parameter `{name}` is required"),
        )
    })
}

/// `true`/`false`/`1`/`0`.
pub fn flag(name: &str, value: Option<&str>) -> Result<bool, ApiError> {
    match value.map(str::trim) {
        None | Some("") | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(v) => Err(ApiError::unprocessable(
            "invalid_parameter",
            format!("parameter `{name}` must be true or false, got `{v}`"),
        )),
    }
}
