//! An account's notification settings: channels, language and quiet hours; the browsers
//! subscribed to Web Push; and the one-click unsubscribe link of mails (RFC 8058).

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{delete, get, post, put, State};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use utoipa::ToSchema;

use super::body::{body, JsonBody};
use super::guards::CurrentAccount;
use crate::config::AppConfig;
use crate::db::notification_settings::{self as db_settings, NewSettings, SettingsRow};
use crate::domain::formats;
use crate::domain::notifications::{self, Channel};
use crate::domain::push_subscriptions;
use crate::domain::quiet_hours::{self, QuietHours};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::error_code::ErrorCode;
use crate::notify::web_push::{Subscription, VapidKeys};
use crate::secrets;

#[derive(Deserialize, ToSchema)]
pub struct NotificationSettingsBody {
    /// es or en.
    pub language: String,
    #[serde(default)]
    pub by_push: bool,
    #[serde(default)]
    pub by_email: bool,
    /// By the deployment's SMS or WhatsApp gateway, to `webhook_to`.
    #[serde(default)]
    pub by_webhook: bool,
    /// The phone number the gateway writes to; needed with `by_webhook`.
    pub webhook_to: Option<String>,
    /// Hours with no alerts, local time; null for none.
    pub quiet_hours: Option<QuietHoursBody>,
}

/// A span of the local day, `HH:MM` to `HH:MM`; it may wrap midnight. The same time at both
/// ends means none.
#[derive(Deserialize, Serialize, ToSchema)]
pub struct QuietHoursBody {
    #[schema(example = "22:00")]
    pub from: String,
    #[schema(example = "07:00")]
    pub to: String,
}

/// Which channels this deployment offers.
#[derive(Serialize, ToSchema)]
pub struct Available {
    pub push: bool,
    pub email: bool,
    pub webhook: bool,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationSettingsView {
    pub language: String,
    pub by_push: bool,
    pub by_email: bool,
    pub by_webhook: bool,
    pub webhook_to: Option<String>,
    pub quiet_hours: Option<QuietHoursBody>,
    /// Browsers of this account subscribed to Web Push.
    pub push_devices: i64,
    pub available: Available,
    /// The VAPID public key (base64url), the page's `applicationServerKey`; null without push.
    pub vapid_public_key: Option<String>,
}

/// The caller's settings as stored (defaults before the first save).
async fn load(
    pool: &PgPool,
    config: &AppConfig,
    account_id: i64,
) -> ApiResult<NotificationSettingsView> {
    let row = db_settings::settings(pool, account_id).await?;
    let devices = db_settings::push_devices(pool, account_id).await?;
    Ok(view(row, devices, config))
}

fn view(
    row: Option<SettingsRow>,
    push_devices: i64,
    config: &AppConfig,
) -> NotificationSettingsView {
    let on = config.notify.channels();
    let vapid_public_key = VapidKeys::from_private(&config.notify.vapid_private_key)
        .ok()
        .map(|k| k.public_base64url());
    let row = row.unwrap_or(SettingsRow {
        language: "es".into(),
        by_push: false,
        by_email: false,
        by_webhook: false,
        webhook_to: None,
        quiet_from: None,
        quiet_to: None,
    });
    let quiet = row
        .quiet_from
        .zip(row.quiet_to)
        .and_then(|(f, t)| QuietHours::from_minutes(f, t));
    NotificationSettingsView {
        language: row.language,
        by_push: row.by_push,
        by_email: row.by_email,
        by_webhook: row.by_webhook,
        webhook_to: row.webhook_to,
        quiet_hours: quiet.map(|q| QuietHoursBody {
            from: q.from.format("%H:%M").to_string(),
            to: q.to.format("%H:%M").to_string(),
        }),
        push_devices,
        available: Available {
            push: on.contains(&Channel::Push),
            email: on.contains(&Channel::Email),
            webhook: on.contains(&Channel::Webhook),
        },
        vapid_public_key,
    }
}

/// The caller's notification settings, and the channels on offer.
#[utoipa::path(get, path = "/api/me/notifications", tag = "notifications", security(("session" = [])),
    responses((status = 200, body = NotificationSettingsView), (status = 401, body = ErrorBody)))]
#[get("/api/me/notifications")]
pub async fn get_settings(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    account: CurrentAccount,
) -> ApiResult<Json<NotificationSettingsView>> {
    Ok(Json(load(pool, config, account.id).await?))
}

/// Sets how the caller is told of requests and kitchen needs near them. A channel the
/// deployment does not offer is refused (409 `channel_unavailable`).
#[utoipa::path(put, path = "/api/me/notifications", tag = "notifications", security(("session" = [])),
    request_body = NotificationSettingsBody,
    responses((status = 200, body = NotificationSettingsView), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "channel_unavailable"), (status = 422, body = ErrorBody)))]
#[put("/api/me/notifications", data = "<input>")]
pub async fn put_settings(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    account: CurrentAccount,
    input: JsonBody<'_, NotificationSettingsBody>,
) -> ApiResult<Json<NotificationSettingsView>> {
    let input = body(input)?;
    let language = notifications::language(Some(&input.language))?;
    let quiet = match &input.quiet_hours {
        Some(q) => quiet_hours::quiet_hours(&q.from, &q.to)?,
        None => None,
    };
    let webhook_to = notifications::channel_choice(
        &config.notify.channels(),
        &[
            (Channel::Push, input.by_push),
            (Channel::Email, input.by_email),
            (Channel::Webhook, input.by_webhook),
        ],
        input.webhook_to.as_deref(),
    )?;
    db_settings::upsert(
        &**pool,
        account.id,
        &NewSettings {
            language,
            by_push: input.by_push,
            by_email: input.by_email,
            by_webhook: input.by_webhook,
            webhook_to: webhook_to.as_deref(),
            quiet: quiet.map(|q| q.minutes()),
        },
        &secrets::new_token(),
    )
    .await?;
    Ok(Json(load(pool, config, account.id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct PushKeys {
    /// The browser's P-256 public key, base64url (65 bytes uncompressed).
    pub p256dh: String,
    /// The browser's 16-byte auth secret, base64url.
    pub auth: String,
}

/// `PushSubscription.toJSON()` as the browser gives it.
#[derive(Deserialize, ToSchema)]
pub struct PushSubscriptionBody {
    pub endpoint: String,
    pub keys: PushKeys,
}

#[derive(Deserialize, ToSchema)]
pub struct PushEndpointBody {
    pub endpoint: String,
}

/// Stores this browser's Web Push subscription for the caller (409 `channel_unavailable`
/// without push; 422 `invalid_subscription` for a bad endpoint or keys).
#[utoipa::path(post, path = "/api/me/push-subscriptions", tag = "notifications", security(("session" = [])),
    request_body = PushSubscriptionBody,
    responses((status = 201, body = NotificationSettingsView), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "channel_unavailable"), (status = 422, body = ErrorBody)))]
#[post("/api/me/push-subscriptions", data = "<input>")]
pub async fn add_push_subscription(
    pool: &State<PgPool>,
    config: &State<AppConfig>,
    account: CurrentAccount,
    input: JsonBody<'_, PushSubscriptionBody>,
) -> ApiResult<(Status, Json<NotificationSettingsView>)> {
    let input = body(input)?;
    notifications::offered(&config.notify.channels(), Channel::Push)?;
    let sub = Subscription {
        endpoint: input.endpoint,
        p256dh: input.keys.p256dh,
        auth: input.keys.auth,
    };
    push_subscriptions::fits(&sub.endpoint, &sub.p256dh, &sub.auth)
        .and_then(|()| sub.check())
        .and_then(|()| {
            if config.notify.push_insecure_endpoints {
                Ok(())
            } else {
                push_subscriptions::public_endpoint(&sub.endpoint)
            }
        })
        .map_err(|why| ApiError::new(ErrorCode::InvalidSubscription, why))?;
    db_settings::add_push_subscription(&**pool, account.id, &sub.endpoint, &sub.p256dh, &sub.auth)
        .await?;
    Ok((Status::Created, Json(load(pool, config, account.id).await?)))
}

/// Forgets one of the caller's browsers (when the page unsubscribes it). Nothing to forget
/// is no error.
#[utoipa::path(delete, path = "/api/me/push-subscriptions", tag = "notifications", security(("session" = [])),
    request_body = PushEndpointBody,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[delete("/api/me/push-subscriptions", data = "<input>")]
pub async fn remove_push_subscription(
    pool: &State<PgPool>,
    account: CurrentAccount,
    input: JsonBody<'_, PushEndpointBody>,
) -> ApiResult<Status> {
    let input = body(input)?;
    push_subscriptions::fits(&input.endpoint, "", "")
        .map_err(|why| ApiError::new(ErrorCode::InvalidSubscription, why))?;
    db_settings::remove_push_subscription(&**pool, account.id, &input.endpoint).await?;
    Ok(Status::NoContent)
}

#[derive(Serialize, ToSchema)]
pub struct Unsubscribed {
    pub unsubscribed: bool,
}

/// The one-click unsubscribe of RFC 8058: the link in a mail's `List-Unsubscribe` header
/// turns mail off for its account. The token can do nothing else; an unknown one is 404, and
/// so is one that could not be a token (it never reaches the database).
#[utoipa::path(post, path = "/api/unsubscribe/{token}", tag = "notifications",
    params(("token" = String, Path)),
    responses((status = 200, body = Unsubscribed), (status = 404, body = ErrorBody)))]
#[post("/api/unsubscribe/<token>")]
pub async fn unsubscribe(pool: &State<PgPool>, token: &str) -> ApiResult<Json<Unsubscribed>> {
    if !formats::is(formats::TOKEN, token) || !db_settings::unsubscribe(&**pool, token).await? {
        return Err(ApiError::not_found("this unsubscribe link is not known"));
    }
    Ok(Json(Unsubscribed { unsubscribed: true }))
}
