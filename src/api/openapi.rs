//! The OpenAPI document, generated from the handlers' annotations.

use rocket::get;
use rocket::serde::json::Json;
use utoipa::OpenApi;

use super::{
    accounts, auth, cells, claims, geocode, health, matches, needs, passwords, place_admin, places,
    pledges, profiles, requests, review, shifts, tasks, web,
};

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
        place_admin::create_place,
        place_admin::edit_place,
        place_admin::approve_place,
        place_admin::add_organizer,
        place_admin::my_places,
        needs::post_need,
        needs::place_needs,
        needs::nearby_needs,
        needs::need_detail,
        needs::close_need,
        shifts::signup,
        shifts::cancel_signup,
        shifts::my_shifts,
        pledges::pledge,
        pledges::withdraw_pledge,
        pledges::receive_pledge,
        pledges::my_pledges,
        auth::register,
        auth::login,
        auth::logout,
        auth::me,
        passwords::change_own,
        passwords::issue_reset_link,
        passwords::use_reset,
        accounts::list_accounts,
        accounts::verify_account,
        accounts::unverify_account,
        accounts::suspend_account,
        accounts::unsuspend_account,
        accounts::account_events,
        accounts::alerts,
        requests::create,
        requests::one,
        requests::cancel,
        requests::events,
        review::review_queue,
        review::approve,
        review::reject,
        claims::claim,
        claims::release,
        claims::complete,
        cells::cells,
        cells::cell_outline,
        profiles::put_profile,
        tasks::tasks,
        tasks::assignments,
        matches::matches,
    ),
    components(schemas(crate::error::ErrorBody, crate::error_code::ErrorCode)),
    tags(
        (name = "places", description = "Shops and community kitchens"),
        (name = "accounts", description = "Accounts, sessions and verification"),
        (name = "requests", description = "Help requests: posting, lifecycle, review, audit log and public counts"),
        (name = "volunteers", description = "Volunteer profiles, tasks, assignments and matches"),
        (name = "kitchens", description = "Places made by hand, kitchen needs, pledges and shifts"),
    )
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "web", responses((status = 200, description = "OpenAPI 3.1 document")))]
#[get("/api/openapi.json")]
pub fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
