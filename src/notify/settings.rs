//! The `[default.notify]` settings: rounds, retries, and each channel's service. A channel
//! with no service set is off, and the page does not offer it.

use serde::{Deserialize, Serialize};

use crate::domain::notifications::{Channel, RoundPolicy};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotifySettings {
    /// Volunteers told in each round.
    pub per_round: u32,
    /// Minutes before the next round when nobody has taken a request.
    pub round_minutes: i64,
    /// The same for `high` urgency.
    pub urgent_round_minutes: i64,
    /// Rounds of volunteers before the coordinators are alerted.
    pub rounds_before_coordinators: u32,
    /// Tries before a delivery is given up (its reason is kept and logged).
    pub max_attempts: u32,
    /// Whether this instance delivers the outbox and runs the rounds. Any number may; they
    /// share the work without sending anything twice.
    pub sender: bool,
    /// Milliseconds between looks at the outbox.
    pub poll_ms: u64,
    /// Web Push: the VAPID private key from `antes vapid generate`; empty turns push off.
    pub vapid_private_key: String,
    /// Web Push: who push services may contact, `mailto:` or `https:`.
    pub vapid_subject: String,
    /// Web Push: accept subscriptions whose endpoint is plain http or an IP address or
    /// localhost. Only for tests with a local push service: otherwise anyone could make the
    /// server post to an address of their choosing.
    pub push_insecure_endpoints: bool,
    /// Email: an SMTP URL (`smtps://user:pass@smtp.example.org`, `smtp://host:25`); empty
    /// turns mail off.
    pub smtp_url: String,
    /// Email: the From address.
    pub mail_from: String,
    /// Webhook: the gateway's URL (an SMS or WhatsApp gateway); empty turns it off.
    pub webhook_url: String,
    /// Webhook: the shared secret of the HMAC-SHA256 signature, at least 16 characters.
    pub webhook_secret: String,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            per_round: 5,
            round_minutes: 30,
            urgent_round_minutes: 10,
            rounds_before_coordinators: 3,
            max_attempts: 8,
            sender: true,
            poll_ms: 1000,
            vapid_private_key: String::new(),
            vapid_subject: String::new(),
            push_insecure_endpoints: false,
            smtp_url: String::new(),
            mail_from: "Antes de Salir <avisos@localhost>".into(),
            webhook_url: String::new(),
            webhook_secret: String::new(),
        }
    }
}

impl NotifySettings {
    /// Says which setting is wrong and why.
    pub fn check(&self) -> Result<(), String> {
        let bad = |what: String| Err(format!("invalid configuration: notify.{what}"));
        if !(1..=100).contains(&self.per_round) {
            return bad(format!(
                "per_round must be 1 to 100, got {}",
                self.per_round
            ));
        }
        if self.round_minutes < 1 || self.urgent_round_minutes < 1 {
            return bad("round_minutes and urgent_round_minutes must be at least 1".into());
        }
        if self.max_attempts < 1 {
            return bad("max_attempts must be at least 1".into());
        }
        if !self.vapid_private_key.is_empty() {
            super::web_push::VapidKeys::from_private(&self.vapid_private_key)
                .map_err(|e| format!("invalid configuration: notify.vapid_private_key: {e}"))?;
            if !(self.vapid_subject.starts_with("mailto:")
                || self.vapid_subject.starts_with("https://"))
            {
                return bad(
                    "vapid_subject must be a mailto: or https: address when push is on".into(),
                );
            }
        }
        if !self.smtp_url.is_empty() {
            super::email::Mailer::new(&self.smtp_url, &self.mail_from)
                .map_err(|e| format!("invalid configuration: notify.smtp_url: {e}"))?;
        }
        if !self.webhook_url.is_empty() {
            if reqwest::Url::parse(&self.webhook_url).is_err() {
                return bad(format!("webhook_url is not a URL: `{}`", self.webhook_url));
            }
            if self.webhook_secret.len() < 16 {
                return bad("webhook_secret must be at least 16 characters".into());
            }
        }
        Ok(())
    }

    pub fn round_policy(&self) -> RoundPolicy {
        RoundPolicy {
            per_round: self.per_round as usize,
            round: chrono::Duration::minutes(self.round_minutes.max(1)),
            urgent_round: chrono::Duration::minutes(self.urgent_round_minutes.max(1)),
            rounds_before_coordinators: self.rounds_before_coordinators.min(100) as i16,
        }
    }

    /// The channels this deployment has a service for.
    pub fn channels(&self) -> Vec<Channel> {
        let mut on = Vec::new();
        if !self.vapid_private_key.is_empty() {
            on.push(Channel::Push);
        }
        if !self.smtp_url.is_empty() {
            on.push(Channel::Email);
        }
        if !self.webhook_url.is_empty() {
            on.push(Channel::Webhook);
        }
        on
    }
}
