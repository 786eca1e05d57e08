//! The one API error type. It maps to an HTTP status and a stable `snake_case` code, and renders
//! as `{"error": code, "message": text}`. Internal errors are logged and shown as `internal`.

use std::io::Cursor;

use rocket::http::{ContentType, Status};
use rocket::response::{self, Responder};
use rocket::Request;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::requests::Denied;
use crate::domain::Invalid;

/// What every error response carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, such as `invalid_bbox` or `already_assigned`.
    #[schema(example = "invalid_query")]
    pub error: String,
    /// A human-readable explanation (English).
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub status: Status,
    pub code: &'static str,
    pub message: String,
    /// Seconds to send in `Retry-After` (with 429).
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: Status, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
    /// 429 with `Retry-After`.
    pub fn too_many(code: &'static str, message: impl Into<String>, retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(retry_after_secs),
            ..Self::new(Status::TooManyRequests, code, message)
        }
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Status::BadRequest, code, message)
    }
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Status::UnprocessableEntity, code, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(Status::Unauthorized, "unauthorized", message)
    }
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Status::Forbidden, code, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Status::NotFound, "not_found", message)
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Status::Conflict, code, message)
    }
    pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Status::ServiceUnavailable, code, message)
    }
    pub fn internal() -> Self {
        Self::new(
            Status::InternalServerError,
            "internal",
            "internal error; it has been logged",
        )
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::warn!(error = %err, "database unavailable");
                Self::unavailable("database_unavailable", "the database is not answering")
            }
            _ => {
                tracing::error!(error = %err, "database error");
                Self::internal()
            }
        }
    }
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::SignInRequired => ApiError::unauthorized("sign in first"),
            Denied::Forbidden(code, message) => ApiError::forbidden(code, message),
            Denied::Conflict(code, message) => ApiError::conflict(code, message),
            Denied::Limited {
                code,
                message,
                retry_after_secs,
            } => ApiError::too_many(code, message, retry_after_secs),
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(err: Invalid) -> Self {
        ApiError::unprocessable(err.code, err.message)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        tracing::error!(error = format!("{err:#}"), "internal error");
        Self::internal()
    }
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let body = serde_json::to_string(&ErrorBody {
            error: self.code.to_string(),
            message: self.message,
        })
        .unwrap_or_else(|_| r#"{"error":"internal","message":"internal error"}"#.into());
        let mut res = response::Response::build();
        res.status(self.status)
            .header(ContentType::JSON)
            .sized_body(body.len(), Cursor::new(body));
        if let Some(secs) = self.retry_after {
            res.raw_header("Retry-After", secs.to_string());
        }
        res.ok()
    }
}
