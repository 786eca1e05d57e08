//! Rocket routes, request guards and response shapes. Handlers parse, authorize, call `db` and
//! `domain`, and shape the answer; they hold no SQL and make no domain decisions.

pub mod auth;
pub mod geocode;
pub mod guards;
pub mod health;
pub mod kitchens;
pub mod limits;
pub mod openapi;
pub mod params;
pub mod places;
pub mod requests;
pub mod volunteers;
pub mod web;

use rocket::http::Status;
use rocket::{catch, catchers, routes, Catcher, Request, Route};

use crate::error::ApiError;

pub fn routes() -> Vec<Route> {
    routes![
        health::healthz,
        openapi::document,
        web::client_config,
        places::list_categories,
        places::list,
        places::nearby,
        geocode::search,
        places::one,
        kitchens::create_place,
        kitchens::edit_place,
        kitchens::approve_place,
        kitchens::add_organizer,
        kitchens::my_places,
        kitchens::post_need,
        kitchens::place_needs,
        kitchens::nearby_needs,
        kitchens::need_detail,
        kitchens::close_need,
        kitchens::signup,
        kitchens::cancel_signup,
        kitchens::pledge,
        kitchens::withdraw_pledge,
        kitchens::receive_pledge,
        kitchens::my_shifts,
        kitchens::my_pledges,
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
    ]
}

pub fn catchers() -> Vec<Catcher> {
    catchers![not_found, unprocessable, bad_request, any]
}

#[catch(404)]
fn not_found(req: &Request<'_>) -> ApiError {
    ApiError::not_found(format!("nothing at {}", req.uri().path()))
}

#[catch(422)]
fn unprocessable() -> ApiError {
    ApiError::unprocessable(
        "invalid_input",
        "the request body or parameters are not valid",
    )
}

#[catch(400)]
fn bad_request() -> ApiError {
    ApiError::bad_request("bad_request", "the request could not be read")
}

#[catch(default)]
fn any(status: Status, _req: &Request<'_>) -> ApiError {
    let code = match status.code {
        401 => "unauthorized",
        403 => "forbidden",
        405 => "method_not_allowed",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        c if c >= 500 => "internal",
        _ => "error",
    };
    ApiError::new(status, code, status.reason_lossy().to_string())
}
