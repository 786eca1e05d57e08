//! 405 for a method that a known path does not take, with the `Allow` header listing the ones
//! it does. Rocket answers such requests 404 (or 400 for a method it does not know at all),
//! so the catchers ask here first.

use rocket::http::Method;
use rocket::response::{self, Responder};
use rocket::{Request, Response};

use crate::error::{ApiError, ErrorCode};

/// The methods the API's routes take at `path`, in a stable order; empty if none matches.
/// As in Rocket's own ranking, a route with fewer dynamic segments owns the path: the methods
/// of `/api/places/nearby` are not those of `/api/places/<id>`.
pub fn allowed(req: &Request<'_>, path: &str) -> Vec<Method> {
    let wanted: Vec<&str> = segments(path).collect();
    let matching: Vec<(usize, Method)> = req
        .rocket()
        .routes()
        .filter_map(|route| {
            let pattern: &str = route.uri.path();
            ((pattern.starts_with("/api/")
                || pattern.starts_with("/tiles/")
                || pattern == "/healthz")
                && matches(pattern, &wanted))
            .then(|| (dynamic_segments(pattern), route.method))
        })
        .collect();
    let fewest = matching.iter().map(|(d, _)| *d).min().unwrap_or(0);
    let mut methods: Vec<Method> = matching
        .into_iter()
        .filter(|(d, _)| *d == fewest)
        .map(|(_, m)| m)
        .collect();
    if methods.contains(&Method::Get) {
        methods.push(Method::Head);
    }
    methods.sort_by_key(|m| m.as_str());
    methods.dedup();
    methods
}

fn dynamic_segments(pattern: &str) -> usize {
    segments(pattern).filter(|s| s.starts_with('<')).count()
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// Whether a route pattern such as `/api/requests/<id>/claim` matches the path's segments.
fn matches(pattern: &str, wanted: &[&str]) -> bool {
    let pattern: Vec<&str> = segments(pattern).collect();
    pattern.len() == wanted.len()
        && pattern
            .iter()
            .zip(wanted)
            .all(|(p, w)| (p.starts_with('<') && p.ends_with('>')) || p == w)
}

/// A 405 answer with its `Allow` header.
pub struct NotAllowed {
    allow: String,
}

impl NotAllowed {
    /// The answer for `req` if its path takes other methods.
    pub fn for_request(req: &Request<'_>) -> Option<Self> {
        Self::unless(req, Some(req.method()))
    }

    /// For a request whose method Rocket could not parse: every method the path takes is
    /// another one.
    pub fn for_unknown_method(req: &Request<'_>) -> Option<Self> {
        Self::unless(req, None)
    }

    fn unless(req: &Request<'_>, method: Option<Method>) -> Option<Self> {
        let methods = allowed(req, req.uri().path().as_str());
        let takes_it = method.is_some_and(|m| methods.contains(&m));
        (!methods.is_empty() && !takes_it).then(|| NotAllowed {
            allow: methods
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

impl<'r> Responder<'r, 'static> for NotAllowed {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        let err = ApiError::new(
            ErrorCode::MethodNotAllowed,
            format!("this address takes {}", self.allow),
        );
        Response::build_from(err.respond_to(req)?)
            .raw_header("Allow", self.allow)
            .ok()
    }
}
