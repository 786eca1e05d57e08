//! The OpenAPI document, generated from the handlers' annotations.

use rocket::get;
use rocket::serde::json::Json;
use utoipa::OpenApi;

use super::{geocode, health, places, web};

#[derive(OpenApi)]
#[openapi(
    info(title = "Antes de Salir", description = "Neighbourhood care on a map: nearby shops and kitchens, help requests, volunteers."),
    paths(
        health::healthz,
        document,
        web::client_config,
        places::list_categories,
        places::list,
        places::nearby,
        geocode::search,
        places::one,
    ),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "places", description = "Shops and community kitchens"),
    )
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "web", responses((status = 200, description = "OpenAPI 3.1 document")))]
#[get("/api/openapi.json")]
pub fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
