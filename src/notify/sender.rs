//! The sender: runs the rounds that are due, then delivers the outbox, retrying with backoff.
//! Each message is locked (`FOR UPDATE SKIP LOCKED`) while it is sent and marked in the same
//! transaction, so instances sharing one database never send one twice; a crash before the
//! mark leaves it pending, to be sent after the restart.

use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use super::email::Mailer;
use super::web_push::{self, Subscription, VapidKeys};
use super::{webhook, Failure};
use crate::config::AppConfig;
use crate::db;
use crate::db::notifications::OutboxRow;
use crate::domain::notification_texts::{self, Facts, Text};
use crate::domain::notifications::{self, AfterFailure, Channel, QuietHours};
use crate::operations::notify::{run_due_rounds, Context};

/// Messages locked and sent per transaction.
const BATCH: i64 = 16;

pub struct Sender {
    pool: PgPool,
    config: AppConfig,
    tz: Tz,
    vapid: Option<VapidKeys>,
    mailer: Option<Mailer>,
    client: reqwest::Client,
}

enum Outcome {
    Sent,
    Defer(DateTime<Utc>),
    Failed(Failure),
}

impl Sender {
    pub fn new(pool: PgPool, config: AppConfig) -> Result<Sender, String> {
        let n = &config.notify;
        let vapid = (!n.vapid_private_key.is_empty())
            .then(|| VapidKeys::from_private(&n.vapid_private_key))
            .transpose()?;
        let mailer = (!n.smtp_url.is_empty())
            .then(|| Mailer::new(&n.smtp_url, &n.mail_from))
            .transpose()?;
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Sender {
            tz: config.time_zone()?,
            pool,
            config,
            vapid,
            mailer,
            client,
        })
    }

    /// One pass at `now`: the rounds due, then every message due. How many messages it handled.
    pub async fn pass(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let ctx = Context::new(&self.config, now);
        // Rounds that cannot run now must not hold up what is already queued.
        if let Err(e) = run_due_rounds(&self.pool, &ctx).await {
            tracing::warn!(error = %e.message, "notification rounds failed; will retry");
        }
        let mut handled = 0;
        loop {
            let mut tx = self.pool.begin().await?;
            let due = db::notifications::lock_due(&mut tx, now, BATCH).await?;
            if due.is_empty() {
                return Ok(handled);
            }
            for row in &due {
                let outcome = self.deliver(&mut tx, row, now).await?;
                self.record(&mut tx, row, outcome, now).await?;
            }
            tx.commit().await?;
            handled += due.len();
        }
    }

    async fn record(
        &self,
        conn: &mut PgConnection,
        row: &OutboxRow,
        outcome: Outcome,
        now: DateTime<Utc>,
    ) -> sqlx::Result<()> {
        match outcome {
            Outcome::Sent => db::notifications::mark_sent(&mut *conn, row.id, now).await,
            Outcome::Defer(until) => db::notifications::defer(&mut *conn, row.id, until).await,
            Outcome::Failed(failure) => {
                let permanent = !matches!(failure, Failure::Retry(_));
                let max = i32::try_from(self.config.notify.max_attempts).unwrap_or(i32::MAX);
                let reason = failure.to_string();
                match notifications::after_failure(row.attempts + 1, max, permanent, now) {
                    AfterFailure::RetryAt(at) => {
                        tracing::info!(key = %row.dedupe_key, %reason, retry_at = %at, "notification will be retried");
                        db::notifications::mark_failed(&mut *conn, row.id, Some(at), &reason).await
                    }
                    AfterFailure::GiveUp => {
                        tracing::warn!(key = %row.dedupe_key, attempts = row.attempts + 1, %reason, "notification given up");
                        db::notifications::mark_failed(&mut *conn, row.id, None, &reason).await
                    }
                }
            }
        }
    }

    async fn deliver(
        &self,
        conn: &mut PgConnection,
        row: &OutboxRow,
        now: DateTime<Utc>,
    ) -> sqlx::Result<Outcome> {
        let give_up = |why: &str| Ok(Outcome::Failed(Failure::GiveUp(why.to_string())));
        let Ok(channel) = row.channel.parse::<Channel>() else {
            return give_up("unknown channel");
        };
        let Ok(facts) = serde_json::from_value::<Facts>(row.facts.clone()) else {
            return give_up("unreadable facts");
        };
        let Some(account_id) = row.account_id else {
            // The requester: mail only, while the request keeps their address.
            let Some(request_id) = row.request_id else {
                return give_up("no recipient");
            };
            let Some((email, lang)) = db::notifications::requester(&mut *conn, request_id).await?
            else {
                return give_up("the requester's email was erased");
            };
            let text = notification_texts::render(&row.kind, &facts, &lang, self.origin());
            return Ok(self.mail(&email, &text, row, None).await);
        };
        let Some(to) = db::notifications::recipient(&mut *conn, account_id).await? else {
            return give_up("the account has no notification settings");
        };
        if to.suspended {
            return give_up("the account is suspended");
        }
        let chosen = match channel {
            Channel::Push => to.by_push,
            Channel::Email => to.by_email,
            Channel::Webhook => to.by_webhook,
        };
        if !chosen {
            return give_up("the channel was turned off");
        }
        if let Some(q) = to
            .quiet_from
            .zip(to.quiet_to)
            .and_then(|(f, t)| QuietHours::from_minutes(f, t))
        {
            let wake = q.end_after(now, self.tz);
            if wake > now {
                return Ok(Outcome::Defer(wake));
            }
        }
        Ok(match channel {
            Channel::Push => {
                let text = notification_texts::render(&row.kind, &facts, &to.language, "");
                self.push(conn, account_id, &text, row).await?
            }
            Channel::Email => {
                let text =
                    notification_texts::render(&row.kind, &facts, &to.language, self.origin());
                let token = &to.unsubscribe_token;
                let one_click = format!("{}/api/unsubscribe/{token}", self.origin());
                let page = format!("{}/?unsubscribe={token}", self.origin());
                // The signature separator ("-- ") keeps the link out of quoted replies.
                let footer = format!(
                    "-- \n{}",
                    notification_texts::unsubscribe_line(&to.language, &page)
                );
                self.mail(&to.email, &text, row, Some((&one_click, &footer)))
                    .await
            }
            Channel::Webhook => {
                let text =
                    notification_texts::render(&row.kind, &facts, &to.language, self.origin());
                let Some(number) = to.webhook_to else {
                    return give_up("no number for the webhook");
                };
                let body = serde_json::json!({
                    "id": row.dedupe_key,
                    "to": number,
                    "language": to.language,
                    "kind": row.kind,
                    "title": text.title,
                    "text": text.body,
                    "url": text.url,
                });
                self.webhook(&body, row).await
            }
        })
    }

    /// The site's origin for links in mail and webhooks.
    fn origin(&self) -> &str {
        match self.config.public_origin.as_str() {
            "" => "http://localhost:8000",
            o => o,
        }
    }

    async fn push(
        &self,
        conn: &mut PgConnection,
        account_id: i64,
        text: &Text,
        row: &OutboxRow,
    ) -> sqlx::Result<Outcome> {
        let Some(keys) = &self.vapid else {
            return Ok(Outcome::Failed(Failure::GiveUp(
                "push is not configured".into(),
            )));
        };
        let subs = db::notification_settings::push_subscriptions(&mut *conn, account_id).await?;
        // A topic lets the push service replace an undelivered copy of the same message, and
        // the same value as the tag lets the phone show a copy once.
        let topic = hex::encode(&Sha256::digest(row.dedupe_key.as_bytes())[..16]);
        let payload = serde_json::json!({
            "title": text.title, "body": text.body, "url": text.url, "tag": topic,
        })
        .to_string();
        let ttl = if row.kind == "request" {
            3600
        } else {
            24 * 3600
        };
        let urgency = if row.kind == "request" {
            "high"
        } else {
            "normal"
        };
        let (mut sent, mut last) = (0, None);
        for (endpoint, p256dh, auth) in subs {
            let sub = Subscription {
                endpoint,
                p256dh,
                auth,
            };
            match web_push::send(
                &self.client,
                keys,
                &self.config.notify.vapid_subject,
                &sub,
                payload.as_bytes(),
                ttl,
                urgency,
                Some(&topic),
                // Tokens are checked by outside services against their own clock.
                Utc::now(),
            )
            .await
            {
                Ok(()) => sent += 1,
                Err(Failure::Gone(why)) => {
                    db::notification_settings::forget_push_endpoint(&mut *conn, &sub.endpoint)
                        .await?;
                    last = Some(Failure::GiveUp(format!("subscription gone: {why}")));
                }
                Err(other) => last = Some(other),
            }
        }
        Ok(match (sent, last) {
            (n, _) if n > 0 => Outcome::Sent,
            (_, Some(failure)) => Outcome::Failed(failure),
            (_, None) => Outcome::Failed(Failure::GiveUp("no browser is subscribed".into())),
        })
    }

    /// Mails `text`; `unsubscribe` is the one-click URL and the footer that offers it.
    async fn mail(
        &self,
        to: &str,
        text: &Text,
        row: &OutboxRow,
        unsubscribe: Option<(&str, &str)>,
    ) -> Outcome {
        let Some(mailer) = &self.mailer else {
            return Outcome::Failed(Failure::GiveUp("mail is not configured".into()));
        };
        let mut body = format!("{}\n\n{}", text.body, text.url);
        if let Some((_, footer)) = unsubscribe {
            body = format!("{body}\n\n{footer}");
        }
        match mailer
            .send(
                to,
                &text.title,
                &body,
                &row.dedupe_key,
                unsubscribe.map(|u| u.0),
            )
            .await
        {
            Ok(()) => Outcome::Sent,
            Err(f) => Outcome::Failed(f),
        }
    }

    async fn webhook(&self, body: &serde_json::Value, row: &OutboxRow) -> Outcome {
        let n = &self.config.notify;
        if n.webhook_url.is_empty() {
            return Outcome::Failed(Failure::GiveUp("the webhook is not configured".into()));
        }
        match webhook::send(
            &self.client,
            &n.webhook_url,
            n.webhook_secret.as_bytes(),
            body,
            &row.dedupe_key,
            Utc::now(),
        )
        .await
        {
            Ok(()) => Outcome::Sent,
            Err(f) => Outcome::Failed(f),
        }
    }
}

/// Runs the sender every `notify.poll_ms` until the process ends, when `notify.sender` is on.
pub fn spawn(pool: PgPool, config: AppConfig) {
    if !config.notify.sender {
        return;
    }
    let every = Duration::from_millis(config.notify.poll_ms.max(50));
    let sender = match Sender::new(pool, config) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "notifications are off: the sender cannot start");
            return;
        }
    };
    tokio::spawn(async move {
        loop {
            if let Err(e) = sender.pass(Utc::now()).await {
                tracing::warn!(error = %e, "notification pass failed; will retry");
            }
            tokio::time::sleep(every).await;
        }
    });
}
