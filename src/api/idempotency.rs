//! The `Idempotency-Key` header on the POSTs that create something. A write with a key claims
//! it in its own transaction and stores its answer there, so the answer is kept exactly when
//! the write is: a retry after a lost answer gets the first answer back (marked
//! `Idempotent-Replayed: true`), a failed write leaves no key behind, and two sends at once
//! wait for each other. The rules are in `domain::idempotency`.

use rocket::http::{Header, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::response::{self, Responder};
use rocket::serde::json::Json;
use rocket::{Request, Response};
use serde::Serialize;
use sqlx::PgConnection;

use crate::db::idempotency_keys as db_keys;
use crate::domain::idempotency::{self as rules, Key, Repeat};
use crate::error::{ApiError, ApiResult, ErrorCode};

pub const HEADER: &str = "Idempotency-Key";

/// The header in the OpenAPI document: `params(IdempotencyKeyHeader)`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IdempotencyKeyHeader {
    /// A new random key (a UUID) for each write. Sent again with the same body, the write
    /// is not repeated: the first answer comes back, with `Idempotent-Replayed: true`, for
    /// 24 hours. The same key with another body is refused (422 `idempotency_key_reused`).
    #[param(
        rename = "Idempotency-Key",
        min_length = 8,
        max_length = 255,
        pattern = "^[!-~]{8,255}$"
    )]
    idempotency_key: Option<String>,
}

/// The header as sent, and the route it was sent to.
pub struct IdempotencyKey {
    raw: Option<String>,
    route: String,
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for IdempotencyKey {
    type Error = std::convert::Infallible;

    async fn from_request(req: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        Outcome::Success(IdempotencyKey {
            raw: req.headers().get_one(HEADER).map(str::to_string),
            route: format!("{} {}", req.method(), req.uri().path()),
        })
    }
}

/// A write that may go ahead, holding its key if it has one.
pub struct Pending {
    key: Option<(Key, Vec<u8>)>,
}

/// An answer to a creating POST: made now, or the stored first one.
pub enum Once<T> {
    Fresh(Status, Json<T>),
    Replayed(Status, Vec<u8>),
}

impl IdempotencyKey {
    /// Claims the key for this write, inside `conn`'s transaction, or finds the first answer.
    /// Without a header the write simply goes ahead.
    pub async fn begin<T>(
        &self,
        conn: &mut PgConnection,
        account: Option<i64>,
        body_digest: &[u8],
    ) -> ApiResult<Result<Pending, Once<T>>> {
        let Some(raw) = self.raw.as_deref() else {
            return Ok(Ok(Pending { key: None }));
        };
        let key = Key::parse(raw)?;
        let lookup = key.lookup();
        let fingerprint = rules::fingerprint(&self.route, account, body_digest);
        let expired_before = rules::expired_before(chrono::Utc::now());
        if db_keys::claim(conn, &lookup, &fingerprint, expired_before).await? {
            return Ok(Ok(Pending {
                key: Some((key, lookup)),
            }));
        }
        let used = db_keys::used(conn, &lookup)
            .await?
            .ok_or_else(|| ApiError::internal().caused_by("a claimed key vanished"))?;
        match rules::repeat(&key, &used, &fingerprint) {
            Repeat::Replay { status, body } => Ok(Err(Once::Replayed(
                Status::from_code(status).unwrap_or(Status::Ok),
                body,
            ))),
            Repeat::Reused => Err(ApiError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used for a different write; make a new key for each write",
            )),
            // A key and its answer are committed together, so only a damaged row gets here.
            Repeat::Unreadable => Err(ApiError::internal().caused_by("a stored answer does not open")),
        }
    }
}

impl Pending {
    /// Stores the answer with the key, in the write's transaction, and returns it.
    pub async fn finish<T: Serialize>(
        self,
        conn: &mut PgConnection,
        status: Status,
        value: T,
    ) -> ApiResult<Once<T>> {
        if let Some((key, lookup)) = self.key {
            let bytes =
                serde_json::to_vec(&value).map_err(|e| ApiError::internal().caused_by(e))?;
            db_keys::answer(conn, &lookup, status.code, &key.seal(&bytes)).await?;
        }
        Ok(Once::Fresh(status, Json(value)))
    }
}

impl<'r, T: Serialize> Responder<'r, 'static> for Once<T> {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        match self {
            Once::Fresh(status, json) => Response::build_from(json.respond_to(req)?)
                .status(status)
                .ok(),
            Once::Replayed(status, body) => Response::build()
                .status(status)
                .header(rocket::http::ContentType::JSON)
                .header(Header::new("Idempotent-Replayed", "true"))
                .sized_body(body.len(), std::io::Cursor::new(body))
                .ok(),
        }
    }
}
