//! JSON request bodies, checked before they are parsed: the content type must be JSON (415
//! `unsupported_media_type`, which also stops cross-site HTML forms), the size within Rocket's
//! `limits.json` (413 `payload_too_large`), and the body must be JSON that fits the type (422
//! `invalid_body`, naming what is wrong).

use rocket::data::{Data, FromData, Limits, Outcome};
use rocket::Request;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult, ErrorCode};

/// A body that passed every check.
pub struct Checked<T>(pub T);

/// What a handler receives: the body, or the reason it was refused, answered as is.
pub type JsonBody<'r, T> = Result<Checked<T>, ApiError>;

/// Unwraps a checked body.
pub fn body<T>(input: JsonBody<'_, T>) -> ApiResult<T> {
    input.map(|checked| checked.0)
}

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for Checked<T> {
    type Error = ApiError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> Outcome<'r, Self> {
        match read(req, data).await {
            Ok(value) => Outcome::Success(Checked(value)),
            Err(err) => Outcome::Error((err.status(), err)),
        }
    }
}

async fn read<T: DeserializeOwned>(req: &Request<'_>, data: Data<'_>) -> ApiResult<T> {
    let limit = req.limits().get("json").unwrap_or(Limits::JSON);
    let text =
        data.open(limit).into_string().await.map_err(|e| {
            ApiError::new(ErrorCode::BadRequest, format!("cannot read the body: {e}"))
        })?;
    if !text.is_complete() {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the body is larger than {limit}"),
        ));
    }
    let text = text.into_inner();
    let is_json = req.content_type().is_some_and(|ct| ct.is_json());
    // An empty body without a content type is "no body", which optional bodies accept.
    let text = if text.is_empty() && req.content_type().is_none() {
        "null".to_string()
    } else if !is_json {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "send the body as application/json",
        ));
    } else {
        text
    };
    serde_json::from_str(&text)
        .map_err(|e| ApiError::new(ErrorCode::InvalidBody, format!("invalid JSON body: {e}")))
}
