//! Rocket routes, request guards and response shapes. Handlers parse, authorize, call `db` and
//! `domain`, and shape the answer; they hold no SQL and make no domain decisions.

pub mod accounts;
pub mod auth;
pub mod basemap;
pub mod body;
pub mod cells;
pub mod claims;
pub mod delivery;
pub mod doc_constraints;
pub mod geocode;
pub mod guards;
pub mod health;
pub mod history;
pub mod idempotency;
pub mod kitchen_access;
pub mod kitchen_followers;
pub mod limits;
pub mod matches;
pub mod methods;
pub mod needs;
pub mod notification_log;
pub mod notification_settings;
pub mod offline;
pub mod openapi;
pub mod params;
pub mod passwords;
pub mod place_admin;
pub mod place_reports;
pub mod places;
pub mod pledges;
pub mod profiles;
pub mod request_log;
pub mod request_views;
pub mod requests;
pub mod review;
pub mod shifts;
pub mod tasks;
pub mod tiles;
pub mod web;

use crate::error_code::ErrorCode;
use rocket::http::Status;
use rocket::{catch, catchers, routes, Catcher, Request, Responder, Route};

use methods::NotAllowed;

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
        place_reports::report,
        place_reports::review,
        place_reports::hide_reporter,
        place_reports::history,
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
        history::account_request_events,
        accounts::alerts,
        requests::create,
        requests::one,
        requests::cancel,
        requests::events,
        review::review_queue,
        history::closed_requests,
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
        tiles::places,
        tiles::request_cells,
        tiles::needs,
        notification_settings::get_settings,
        notification_settings::put_settings,
        notification_settings::add_push_subscription,
        notification_settings::remove_push_subscription,
        notification_settings::unsubscribe,
        notification_log::request_notifications,
        kitchen_followers::following,
        kitchen_followers::follow,
        kitchen_followers::unfollow,
    ]
}

pub fn catchers() -> Vec<Catcher> {
    catchers![not_found, bad_request, any]
}

/// What a catcher answers: a guard's own refusal, a 405, or the status's generic error.
#[derive(Responder)]
enum Caught {
    Refused(ApiError),
    NotAllowed(NotAllowed),
}

#[catch(404)]
fn not_found(req: &Request<'_>) -> Caught {
    if let Some(err) = request_log::kept_failure(req, Status::NotFound) {
        return Caught::Refused(err);
    }
    match NotAllowed::for_request(req) {
        Some(not_allowed) => Caught::NotAllowed(not_allowed),
        None => Caught::Refused(ApiError::not_found(format!(
            "nothing at {}",
            req.uri().path()
        ))),
    }
}

#[catch(400)]
fn bad_request(req: &Request<'_>) -> Caught {
    if let Some(err) = request_log::kept_failure(req, Status::BadRequest) {
        return Caught::Refused(err);
    }
    // A request that never reached the fairings is one Rocket could not parse; with a valid
    // path, that is an unknown method (such as QUERY).
    if request_log::request_id(req).is_none() {
        if let Some(not_allowed) = NotAllowed::for_unknown_method(req) {
            return Caught::NotAllowed(not_allowed);
        }
    }
    Caught::Refused(ApiError::new(
        ErrorCode::BadRequest,
        "the request could not be read",
    ))
}

#[catch(default)]
fn any(status: Status, req: &Request<'_>) -> Caught {
    // `PATCH /api/places/nearby` reaches `PATCH /api/places/<id>`, whose guards then fail,
    // but the path belongs to `GET /api/places/nearby`: that is a method it does not take.
    if status.code < 500 {
        if let Some(not_allowed) = NotAllowed::for_request(req) {
            return Caught::NotAllowed(not_allowed);
        }
    }
    if let Some(err) = request_log::kept_failure(req, status) {
        return Caught::Refused(err);
    }
    let code = match status.code {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        422 => ErrorCode::InvalidInput,
        c if c >= 500 => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    };
    Caught::Refused(ApiError::new(code, status.reason_lossy().to_string()))
}
