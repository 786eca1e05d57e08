//! The OpenAPI document, generated from the handlers' annotations.

use rocket::get;
use rocket::serde::json::Json;
use utoipa::OpenApi;

use super::{auth, health, places, requests, volunteers, web};

#[derive(OpenApi)]
#[openapi(
    info(title = "Antes de Salir", description = "Neighbourhood care on a map: nearby shops and kitchens, help requests, volunteers."),
    paths(
        health::healthz,
        document,
        web::client_config,
        places::list_categories,
        places::list,
        places::one,
        auth::register,
        auth::login,
        auth::logout,
        auth::me,
        auth::list_accounts,
        auth::verify_account,
        requests::create,
        requests::cells,
        requests::one,
        requests::approve,
        requests::reject,
        requests::cancel,
        requests::claim,
        requests::release,
        requests::complete,
        requests::review_queue,
        requests::events,
        requests::cell_outline,
        volunteers::put_profile,
        volunteers::tasks,
        volunteers::assignments,
        volunteers::matches,
    ),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "places", description = "Shops and community kitchens"),
        (name = "accounts", description = "Accounts, sessions and verification"),
        (name = "requests", description = "Help requests: posting, lifecycle, review, audit log and public counts"),
        (name = "volunteers", description = "Volunteer profiles, tasks, assignments and matches"),
    )
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "web", responses((status = 200, description = "OpenAPI 3.1 document")))]
#[get("/api/openapi.json")]
pub fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
