//! Every request gets an id: it is sent back as `X-Request-Id` and carried by the access log
//! line and by any internal error logged while answering, so a user's report can be matched
//! to the log. Paths are logged without their query, which can hold coordinates.

use std::sync::Mutex;
use std::time::Instant;

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Header, Status};
use rocket::{Data, Request, Response};

use crate::error::ApiError;

/// The id of the request being answered.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

struct Started(Option<Instant>);

/// A guard's refusal, kept for the catcher (Rocket 0.5 catchers do not see guard errors).
#[derive(Default)]
struct GuardFailure(Mutex<Option<ApiError>>);

/// The request's id; `None` for a request Rocket could not parse (it never reached the
/// fairings, which is how the catchers tell an unknown method from other faults).
pub fn request_id(req: &Request<'_>) -> Option<String> {
    let id = req.local_cache(|| RequestId(String::new()));
    (!id.0.is_empty()).then(|| id.0.clone())
}

/// Keeps `err` for the catcher that will answer this request.
pub fn keep_for_catcher(req: &Request<'_>, err: &ApiError) {
    if let Ok(mut slot) = req.local_cache(GuardFailure::default).0.lock() {
        *slot = Some(ApiError::new(err.code, err.message.clone()).with_retry(err.retry_after));
    }
}

/// The refusal a guard kept, if it is the one being answered: a guard wrapped in `Option`
/// fails without ending the request, and then its refusal is not the answer.
pub fn kept_failure(req: &Request<'_>, status: Status) -> Option<ApiError> {
    req.local_cache(GuardFailure::default)
        .0
        .lock()
        .ok()
        .and_then(|mut slot| slot.take())
        .filter(|err| err.status() == status)
}

pub struct RequestLog;

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "request id and access log",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        let id = uuid::Uuid::new_v4().simple().to_string();
        req.local_cache(|| RequestId(id[..16].to_string()));
        req.local_cache(|| Started(Some(Instant::now())));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let id = request_id(req).unwrap_or_else(|| "-".into());
        let ms = req
            .local_cache(|| Started(None))
            .0
            .map(|t| t.elapsed().as_secs_f64() * 1000.0)
            .unwrap_or_default();
        tracing::info!(
            request_id = %id,
            method = %req.method(),
            path = %req.uri().path(),
            status = res.status().code,
            ms = format!("{ms:.1}"),
            "answered"
        );
        res.set_header(Header::new("X-Request-Id", id));
    }
}
