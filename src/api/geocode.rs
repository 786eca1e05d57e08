//! Address search for the "Cerca mío" screen.

use super::limits::{Action as Limited, Limits};
use crate::error_code::ErrorCode;
use rocket::serde::json::Json;

use super::guards::{CurrentAccount, SingleQuery};
use crate::domain::accounts;
use rocket::{get, State};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::geocode::{Geocoder, Hit};

/// The configured geocoder, if any, in managed state.
pub struct GeocoderState(pub Option<Geocoder>);

/// Up to five matches for an address, limited to the configured countries.
#[utoipa::path(get, path = "/api/geocode", tag = "places",
    params(("q" = String, Query, example = "San Martín 2450, Santa Fe")),
    responses(
        (status = 200, body = Vec<Hit>),
        (status = 422, body = ErrorBody),
        (status = 502, body = ErrorBody, description = "the geocoder failed"),
        (status = 503, body = ErrorBody, description = "`geocoder_disabled`: none configured"),
    ))]
#[get("/api/geocode?<q>")]
pub async fn search(
    _single: SingleQuery,
    geocoder: &State<GeocoderState>,
    limits: Limits<'_>,
    account: Option<CurrentAccount>,
    q: Option<&str>,
) -> ApiResult<Json<Vec<Hit>>> {
    let Some(geocoder) = &geocoder.0 else {
        return Err(ApiError::retry_later(
            ErrorCode::GeocoderDisabled,
            "address search is not configured on this server (geocoder_url)",
            3600,
        ));
    };
    let Some(q) = q else {
        return Err(ApiError::new(
            ErrorCode::MissingParameter,
            "parameter `q` is required",
        ));
    };
    let q = accounts::text("q", q, 200)?;
    limits
        .spend(Limited::Geocode, account.as_ref().map(|a| a.id))
        .await?;
    geocoder.search(&q).await.map(Json).map_err(|err| {
        tracing::warn!(error = %err, "geocoder failed");
        ApiError::new(ErrorCode::GeocoderFailed, err.to_string())
    })
}
