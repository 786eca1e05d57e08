//! Queuing notifications, in the transaction of the event that causes them: the rounds of a
//! request or a kitchen's shift ([`rounds`]), a kitchen's lack of supplies for its followers,
//! and a requester's status mail. The sender (`notify::sender`) delivers them later.

mod rounds;

pub use rounds::{request_opened, run_due_rounds, run_round, shift_posted};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::config::AppConfig;
use crate::db;
use crate::db::notifications::{NewNotification, ReachRow};
use crate::domain::cells::Cell;
use crate::domain::notification_texts::Facts;
use crate::domain::notifications::{self, Channel};
use crate::error::{ApiError, ApiResult};
use crate::notify::settings::NotifySettings;

/// What the rounds need to know: the settings, the zone quiet hours are in, and the time.
/// Tests pass their own time.
#[derive(Debug, Clone)]
pub struct Context {
    pub settings: NotifySettings,
    pub tz: Tz,
    pub now: DateTime<Utc>,
}

impl Context {
    pub fn new(config: &AppConfig, now: DateTime<Utc>) -> Context {
        Context {
            settings: config.notify.clone(),
            tz: config
                .time_zone()
                .unwrap_or(chrono_tz::America::Argentina::Buenos_Aires),
            now,
        }
    }
}

/// A kitchen lacks supplies: tell the neighbours who follow it, on their channels.
pub async fn supplies_needed(
    conn: &mut PgConnection,
    ctx: &Context,
    need_id: i64,
) -> ApiResult<usize> {
    if ctx.settings.channels().is_empty() {
        return Ok(0);
    }
    let Some(need) = db::kitchens::need(&mut *conn, need_id).await? else {
        return Ok(0);
    };
    let followers = db::notification_settings::followers(&mut *conn, need.place_id).await?;
    let reach = db::notifications::reach(&mut *conn, &followers, ctx.now).await?;
    let target = Target {
        request_id: None,
        need_id: Some(need_id),
        cell: None,
        category: String::new(),
        urgency: "normal".into(),
        facts: Facts {
            place: Some(need.place_name.clone()),
            what: need.item.clone(),
            link: format!("/?place={}", need.place_id),
            ..Facts::default()
        },
    };
    let subject = format!("supplies:{need_id}");
    tell_everyone(
        conn,
        ctx,
        &reach,
        &subject,
        "supplies",
        &target,
        &target.facts,
    )
    .await
}

/// Queues one message of `kind` about `subject` to each account of `reach`, on each of its
/// channels. How many were queued.
pub(super) async fn tell_everyone(
    conn: &mut PgConnection,
    ctx: &Context,
    reach: &[ReachRow],
    subject: &str,
    kind: &str,
    target: &Target,
    facts: &Facts,
) -> ApiResult<usize> {
    let mut told = 0;
    for r in reach {
        for channel in channels_of(r, &ctx.settings) {
            let to = r.account_id.to_string();
            let key = notifications::dedupe_key(subject, None, &to, channel);
            let new = queue(
                conn,
                ctx,
                &key,
                r.account_id,
                channel,
                kind,
                target,
                None,
                facts,
            );
            told += new.await? as usize;
        }
    }
    Ok(told)
}

/// A requester who left an email hears that their request was taken, done or expired.
pub async fn requester_update(
    conn: &mut PgConnection,
    settings: &NotifySettings,
    id: Uuid,
    status: &str,
) -> ApiResult<()> {
    if !settings.channels().contains(&Channel::Email) {
        return Ok(());
    }
    let Some(row) = db::requests::by_id(&mut *conn, id).await? else {
        return Ok(());
    };
    if db::notifications::requester(&mut *conn, id)
        .await?
        .is_none()
    {
        return Ok(());
    }
    let facts = Facts {
        category: Some(row.category),
        status: Some(status.to_string()),
        link: "/".into(),
        ..Facts::default()
    };
    db::notifications::insert(
        &mut *conn,
        &NewNotification {
            dedupe_key: &format!("request:{id}:status:{status}"),
            account_id: None,
            channel: Channel::Email.into(),
            kind: "request_status",
            request_id: Some(id),
            need_id: None,
            round: None,
            facts: serde_json::to_value(&facts).map_err(|_| ApiError::internal())?,
            not_before: Utc::now(),
        },
    )
    .await?;
    Ok(())
}

/// What a round is about.
pub(super) struct Target {
    pub request_id: Option<Uuid>,
    pub need_id: Option<i64>,
    /// The stored cell of the request, or the kitchen's.
    pub cell: Option<Cell>,
    /// The skill asked for.
    pub category: String,
    pub urgency: String,
    pub facts: Facts,
}

/// The channels a person picked that the deployment has, push only with a browser subscribed.
pub(super) fn channels_of(r: &ReachRow, settings: &NotifySettings) -> Vec<Channel> {
    let on = settings.channels();
    [
        (Channel::Push, r.by_push && r.push_devices > 0),
        (Channel::Email, r.by_email),
        (Channel::Webhook, r.by_webhook),
    ]
    .into_iter()
    .filter(|(c, chosen)| *chosen && on.contains(c))
    .map(|(c, _)| c)
    .collect()
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn queue(
    conn: &mut PgConnection,
    ctx: &Context,
    key: &str,
    account_id: i64,
    channel: Channel,
    kind: &str,
    target: &Target,
    round: Option<i16>,
    facts: &Facts,
) -> ApiResult<bool> {
    Ok(db::notifications::insert(
        &mut *conn,
        &NewNotification {
            dedupe_key: key,
            account_id: Some(account_id),
            channel: channel.into(),
            kind,
            request_id: target.request_id,
            need_id: target.need_id,
            round,
            facts: serde_json::to_value(facts).map_err(|_| ApiError::internal())?,
            not_before: ctx.now,
        },
    )
    .await?)
}
