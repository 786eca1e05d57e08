//! JSON request bodies, checked before they are parsed: the content type must be JSON (415
//! `unsupported_media_type`, which also stops cross-site HTML forms), the size within Rocket's
//! `limits.json` (413 `payload_too_large`), and the body must be JSON that fits the type (422
//! `invalid_body`, naming what is wrong).

use rocket::data::{Data, FromData, Limits, Outcome};
use rocket::Request;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// A body that passed every check, with the SHA-256 of its bytes (what an idempotency key is
/// tied to).
pub struct Checked<T>(pub T, pub [u8; 32]);

/// What a handler receives: the body, or the reason it was refused, answered as is.
pub type JsonBody<'r, T> = Result<Checked<T>, ApiError>;

/// Unwraps a checked body.
pub fn body<T>(input: JsonBody<'_, T>) -> ApiResult<T> {
    input.map(|checked| checked.0)
}

/// Unwraps a checked body with the digest of its bytes.
pub fn body_and_digest<T>(input: JsonBody<'_, T>) -> ApiResult<(T, [u8; 32])> {
    input.map(|checked| (checked.0, checked.1))
}

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for Checked<T> {
    type Error = ApiError;

    async fn from_data(req: &'r Request<'_>, data: Data<'r>) -> Outcome<'r, Self> {
        match read(req, data).await {
            Ok((value, digest)) => Outcome::Success(Checked(value, digest)),
            Err(err) => Outcome::Error((err.status(), err)),
        }
    }
}

async fn read<T: DeserializeOwned>(req: &Request<'_>, data: Data<'_>) -> ApiResult<(T, [u8; 32])> {
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
    let digest = Sha256::digest(text.as_bytes()).into();
    serde_json::from_str(&text)
        .map(|value| (value, digest))
        .map_err(|e| ApiError::new(ErrorCode::InvalidBody, format!("invalid JSON body: {e}")))
}
