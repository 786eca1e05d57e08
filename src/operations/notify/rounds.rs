//! The rounds of a request or a kitchen's shift: who is told next, when the next round is due,
//! and when the coordinators hear that nobody took a request.

use std::collections::HashSet;

use chrono::Duration;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{channels_of, queue, tell_everyone, Context, Target};
use crate::db;
use crate::domain::cells::Cell;
use crate::domain::claims;
use crate::domain::geo;
use crate::domain::matching::REACH_CLASSES_M;
use crate::domain::notification_texts::Facts;
use crate::domain::notifications::{self, Prospect, QuietHours, Step};
use crate::domain::privacy;
use crate::error::ApiResult;

/// Volunteers read per reach class when choosing whom to tell: the nearest public homes.
const PROSPECTS_PER_CLASS: usize = 50;
/// The window of recent notifications and claims that spreads the load.
const LOAD_WINDOW_DAYS: i64 = 7;

/// A request just opened (posted by a coordinator, approved, or given back): its first round.
pub async fn request_opened(conn: &mut PgConnection, ctx: &Context, id: Uuid) -> ApiResult<usize> {
    run_round(conn, ctx, "request", &id.to_string(), 1).await
}

/// A kitchen posted a shift: its first round.
pub async fn shift_posted(
    conn: &mut PgConnection,
    ctx: &Context,
    need_id: i64,
) -> ApiResult<usize> {
    run_round(conn, ctx, "shift", &need_id.to_string(), 1).await
}

/// Round `round` of a subject: tells the next volunteers and schedules the one after, or
/// alerts the coordinators, or stops once the subject no longer waits. How many were told.
pub async fn run_round(
    conn: &mut PgConnection,
    ctx: &Context,
    subject_kind: &str,
    subject: &str,
    round: i16,
) -> ApiResult<usize> {
    if ctx.settings.channels().is_empty() {
        // Every channel was turned off since this round was set: it has nobody to tell.
        db::notifications::drop_round(&mut *conn, subject_kind, subject).await?;
        return Ok(0);
    }
    let policy = ctx.settings.round_policy();
    let target = match subject_kind {
        "request" => request_target(conn, subject).await?,
        _ => shift_target(conn, ctx, subject).await?,
    };
    let Some(target) = target else {
        db::notifications::drop_round(&mut *conn, subject_kind, subject).await?;
        return Ok(0);
    };
    if policy.step(round) == Step::Coordinators {
        db::notifications::drop_round(&mut *conn, subject_kind, subject).await?;
        if subject_kind != "request" {
            return Ok(0);
        }
        let coordinators = db::notifications::coordinators(&mut *conn).await?;
        let facts = Facts {
            rounds: Some(round - 1),
            link: "/?screen=coordination".into(),
            ..target.facts.clone()
        };
        let reach = db::notifications::reach(&mut *conn, &coordinators, ctx.now).await?;
        let subject = format!("{subject_kind}:{subject}:unclaimed");
        return tell_everyone(conn, ctx, &reach, &subject, "unclaimed", &target, &facts).await;
    }
    let prospects = prospects(conn, ctx, &target).await?;
    let already: HashSet<i64> =
        db::notifications::told(&mut *conn, target.request_id, target.need_id)
            .await?
            .into_iter()
            .collect();
    let local = ctx.now.with_timezone(&ctx.tz).time();
    let picked = notifications::pick(prospects, &already, policy.per_round, local);
    let subject_key = format!("{subject_kind}:{subject}");
    for p in &picked {
        let facts = Facts {
            band: Some(geo::distance_band(p.distance_m).to_string()),
            ..target.facts.clone()
        };
        for channel in &p.channels {
            let key = notifications::dedupe_key(
                &subject_key,
                Some(round),
                &p.account_id.to_string(),
                *channel,
            );
            queue(
                conn,
                ctx,
                &key,
                p.account_id,
                *channel,
                subject_kind,
                &target,
                Some(round),
                &facts,
            )
            .await?;
        }
    }
    let due = policy.next_due(&target.urgency, ctx.now);
    db::notifications::schedule_round(&mut *conn, subject_kind, subject, round + 1, due).await?;
    Ok(picked.len())
}

/// Runs every round that is due at `ctx.now`, each in its own transaction. How many ran.
pub async fn run_due_rounds(pool: &sqlx::PgPool, ctx: &Context) -> ApiResult<usize> {
    let mut ran = 0;
    loop {
        let mut tx = pool.begin().await?;
        let due = db::notifications::lock_due_rounds(&mut tx, ctx.now, 1).await?;
        let Some(r) = due.into_iter().next() else {
            return Ok(ran);
        };
        match run_round(&mut tx, ctx, &r.subject_kind, &r.subject, r.round).await {
            Ok(_) => tx.commit().await?,
            Err(e) => {
                // One round that fails must not hold up the others: it waits and is tried again.
                tx.rollback().await?;
                tracing::warn!(subject = %r.subject, round = r.round, error = %e.message, "notification round failed; retrying later");
                let later = ctx.now + Duration::minutes(5);
                db::notifications::schedule_round(
                    pool,
                    &r.subject_kind,
                    &r.subject,
                    r.round,
                    later,
                )
                .await?;
            }
        }
        ran += 1;
    }
}

/// The request, while it waits for a volunteer.
async fn request_target(conn: &mut PgConnection, subject: &str) -> ApiResult<Option<Target>> {
    let Ok(id) = subject.parse::<Uuid>() else {
        return Ok(None);
    };
    let Some(row) = db::requests::by_id(&mut *conn, id).await? else {
        return Ok(None);
    };
    let (Some(cell), "open") = (row.cell, row.status.as_str()) else {
        return Ok(None);
    };
    Ok(Some(Target {
        request_id: Some(id),
        need_id: None,
        cell: Some(Cell::from_db(cell)?),
        facts: Facts {
            category: Some(row.category.clone()),
            urgency: Some(row.urgency.clone()),
            link: "/?screen=volunteer".into(),
            ..Facts::default()
        },
        category: row.category,
        urgency: row.urgency,
    }))
}

/// The shift, while it is open, has free slots and has not started. Kitchen shifts go to
/// volunteers who cook (the `meal` skill).
async fn shift_target(
    conn: &mut PgConnection,
    ctx: &Context,
    subject: &str,
) -> ApiResult<Option<Target>> {
    let Ok(id) = subject.parse::<i64>() else {
        return Ok(None);
    };
    let Some(need) = db::kitchens::need(&mut *conn, id).await? else {
        return Ok(None);
    };
    let waiting = need.kind == "shift"
        && need.status == "open"
        && need.place_status == "active"
        && need.taken < i64::from(need.slots.unwrap_or(0))
        && need.starts_at.is_some_and(|s| s > ctx.now);
    let Some(place) = db::places::by_id(&mut *conn, need.place_id).await? else {
        return Ok(None);
    };
    if !waiting {
        return Ok(None);
    }
    let when = need
        .starts_at
        .map(|s| s.with_timezone(&ctx.tz))
        .map(|s| s.format("%Y-%m-%d %H:%M").to_string());
    Ok(Some(Target {
        request_id: None,
        need_id: Some(id),
        cell: Some(Cell::from_db(place.cell)?),
        category: "meal".into(),
        urgency: "normal".into(),
        facts: Facts {
            place: Some(need.place_name),
            what: need.role,
            when,
            link: format!("/?place={}", need.place_id),
            ..Facts::default()
        },
    }))
}

/// Eligible volunteers near the target (the claim rule), with how to reach them and their load.
async fn prospects(
    conn: &mut PgConnection,
    ctx: &Context,
    target: &Target,
) -> ApiResult<Vec<Prospect>> {
    let Some(cell) = target.cell else {
        return Ok(Vec::new());
    };
    let point = privacy::public_point(cell);
    let per_class = [PROSPECTS_PER_CLASS; REACH_CLASSES_M.len()];
    let rows =
        db::volunteers::candidates_near(&mut *conn, point, &target.category, &per_class).await?;
    let mut eligible = Vec::new();
    for r in rows {
        let c = r.candidate.into_candidate()?;
        if let Ok(d) = claims::eligible(&c.volunteer, c.home, &target.category, cell) {
            eligible.push((c, d));
        }
    }
    let ids: Vec<i64> = eligible.iter().map(|(c, _)| c.account_id).collect();
    let since = ctx.now - Duration::days(LOAD_WINDOW_DAYS);
    let reach = db::notifications::reach(&mut *conn, &ids, since).await?;
    Ok(eligible
        .into_iter()
        .filter_map(|(c, d)| {
            let r = reach.iter().find(|r| r.account_id == c.account_id)?;
            Some(Prospect {
                account_id: c.account_id,
                distance_m: d,
                recent_load: r.recent_notifications + c.recent_assignments,
                channels: channels_of(r, &ctx.settings),
                quiet: r
                    .quiet_from
                    .zip(r.quiet_to)
                    .and_then(|(f, t)| QuietHours::from_minutes(f, t)),
            })
        })
        .collect())
}
