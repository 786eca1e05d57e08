//! Query parameter parsing with clear errors: each failure names the parameter and the value.

use crate::error_code::ErrorCode;
use rocket::request::FromParam;
use uuid::Uuid;

use crate::domain::paging::Page;
use crate::error::ApiError;

/// A help request id in a path. Anything that is not a UUID falls through to 404.
#[derive(Debug, Clone, Copy)]
pub struct RequestId(pub Uuid);

impl<'a> FromParam<'a> for RequestId {
    type Error = uuid::Error;
    fn from_param(param: &'a str) -> Result<Self, Self::Error> {
        param.parse().map(RequestId)
    }
}

/// Parses an optional query value; a value that does not parse (an empty one included) is a
/// 422 naming it, as the OpenAPI document says.
pub fn opt<T: std::str::FromStr>(name: &str, value: Option<&str>) -> Result<Option<T>, ApiError> {
    match value {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ApiError::new(
                ErrorCode::InvalidParameter,
                format!("parameter `{name}` has an invalid value `{v}`"),
            )
        }),
    }
}

/// `?page=N` of a paged list of `size` rows: from 1, the default, to [`MAX_PAGE`].
///
/// [`MAX_PAGE`]: crate::domain::paging::MAX_PAGE
pub fn page(value: Option<&str>, size: u32) -> Result<Page, ApiError> {
    Ok(Page::new(opt::<u32>("page", value)?, size)?)
}

/// Like [`opt`], but the parameter must be there.
pub fn required<T: std::str::FromStr>(name: &str, value: Option<&str>) -> Result<T, ApiError> {
    opt(name, value)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::MissingParameter,
            format!("parameter `{name}` is required"),
        )
    })
}

/// `true` or `false`; absent is false.
pub fn flag(name: &str, value: Option<&str>) -> Result<bool, ApiError> {
    match value {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(v) => Err(ApiError::new(
            ErrorCode::InvalidParameter,
            format!("parameter `{name}` must be true or false, got `{v}`"),
        )),
    }
}
