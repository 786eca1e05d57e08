//! Rocket routes, request guards and response shapes. Handlers parse, authorize, call `db` and
//! `domain`, and shape the answer; they hold no SQL and make no domain decisions.

pub mod accounts;
pub mod auth;
pub mod body;
pub mod cells;
pub mod claims;
pub mod geocode;
pub mod guards;
pub mod health;
pub mod kitchen_access;
pub mod limits;
pub mod matches;
pub mod needs;
pub mod openapi;
pub mod params;
pub mod place_admin;
pub mod places;
pub mod pledges;
pub mod profiles;
pub mod request_views;
pub mod requests;
pub mod review;
pub mod shifts;
pub mod tasks;
pub mod web;

use crate::error_code::ErrorCode;
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
    ApiError::new(
        ErrorCode::InvalidInput,
        "the request body or parameters are not valid",
    )
}

#[catch(400)]
fn bad_request() -> ApiError {
    ApiError::new(ErrorCode::BadRequest, "the request could not be read")
}

#[catch(default)]
fn any(status: Status, _req: &Request<'_>) -> ApiError {
    let code = match status.code {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        c if c >= 500 => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    };
    ApiError::new(code, status.reason_lossy().to_string())
}
