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
pub use crate::error_code::ErrorCode;

/// What every error response carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, such as `invalid_bbox` or `already_assigned`.
    #[schema(example = "invalid_bbox")]
    pub error: ErrorCode,
    /// A human-readable explanation (English).
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds to send in `Retry-After` (with 429 and 503).
    pub retry_after: Option<u64>,
    /// What really went wrong, for the log only (with the request id); never sent.
    cause: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error whose status is the code's (see [`ErrorCode::status`]).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
            cause: None,
        }
    }
    /// A refusal that says when to try again (429 and 503).
    pub fn retry_later(code: ErrorCode, message: impl Into<String>, retry_after_secs: u64) -> Self {
        Self {
            retry_after: Some(retry_after_secs.max(1)),
            ..Self::new(code, message)
        }
    }
    pub fn with_retry(mut self, retry_after: Option<u64>) -> Self {
        self.retry_after = retry_after;
        self
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "internal error; it has been logged")
    }
    /// Keeps `cause` for the log line written when this error is answered.
    pub fn caused_by(mut self, cause: impl std::fmt::Display) -> Self {
        self.cause = Some(cause.to_string());
        self
    }
    pub fn status(&self) -> Status {
        Status::from_code(self.code.status()).unwrap_or(Status::InternalServerError)
    }
}

/// The database constraints a client's input can break, and the code each one answers with.
/// Any other violation is a bug: it is logged and answered as `internal`.
const CONSTRAINT_CODES: &[(&str, ErrorCode, &str)] = &[
    (
        "accounts_email_key",
        ErrorCode::EmailTaken,
        "an account with this email already exists",
    ),
    (
        "shift_signups_pkey",
        ErrorCode::AlreadySignedUp,
        "you are already signed up for this shift",
    ),
];

/// The code for a broken constraint that [`CONSTRAINT_CODES`] lists.
pub fn constraint_code(err: &sqlx::Error) -> Option<(ErrorCode, &'static str)> {
    let db = err.as_database_error()?;
    // Citus passes a worker's error on without the constraint field; its message names it.
    let name = db.constraint().or_else(|| {
        let (_, rest) = db.message().split_once("constraint \"")?;
        rest.split_once('"').map(|(name, _)| name)
    })?;
    // On Citus the error names the shard's copy of the constraint: `accounts_email_key_102008`.
    let shardless = name
        .rsplit_once('_')
        .filter(|(_, id)| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .map_or(name, |(base, _)| base);
    CONSTRAINT_CODES
        .iter()
        .find(|(constraint, _, _)| *constraint == name || *constraint == shardless)
        .map(|(_, code, message)| (*code, *message))
}

/// Whether an error means the database is away (down, restarting, unreachable) rather than
/// that the query was wrong: SQLSTATE classes 08 (connection) and 57 (operator intervention,
/// such as a shutdown).
fn database_unreachable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => true,
        sqlx::Error::Protocol(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57")),
        _ => false,
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        if let Some((code, message)) = constraint_code(&err) {
            return Self::new(code, message);
        }
        match &err {
            _ if database_unreachable(&err) => Self::retry_later(
                ErrorCode::DatabaseUnavailable,
                "the database is not answering; try again shortly",
                5,
            )
            .caused_by(&err),
            _ => Self::internal().caused_by(&err),
        }
    }
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        match d {
            Denied::SignInRequired => ApiError::unauthorized("sign in first"),
            Denied::Forbidden(code, message) | Denied::Conflict(code, message) => {
                ApiError::new(code, message)
            }
            Denied::Limited {
                code,
                message,
                retry_after_secs,
            } => ApiError::retry_later(code, message, retry_after_secs),
        }
    }
}

impl From<Invalid> for ApiError {
    fn from(err: Invalid) -> Self {
        ApiError::new(err.code, err.message)
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        Self::internal().caused_by(format!("{err:#}"))
    }
}

impl<'r> Responder<'r, 'static> for ApiError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let status = self.status();
        if let Some(cause) = &self.cause {
            let id = crate::api::request_log::request_id(req).unwrap_or_else(|| "-".into());
            if status.code >= 500 && self.code == ErrorCode::Internal {
                tracing::error!(request_id = %id, error = %cause, "internal error");
            } else {
                tracing::warn!(request_id = %id, code = %self.code, error = %cause, "refused");
            }
        }
        let body = serde_json::to_string(&ErrorBody {
            error: self.code,
            message: self.message,
        })
        .unwrap_or_else(|_| r#"{"error":"internal","message":"internal error"}"#.into());
        let mut res = response::Response::build();
        res.status(status)
            .header(ContentType::JSON)
            .sized_body(body.len(), Cursor::new(body));
        if let Some(secs) = self.retry_after {
            res.raw_header("Retry-After", secs.to_string());
        }
        res.ok()
    }
}
