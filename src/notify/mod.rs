//! Notifications to the outside world: Web Push ([`web_push`], signed with [`vapid`]), mail
//! ([`email`]) and signed webhooks ([`webhook`]), their [`settings`], and the [`sender`] that
//! delivers the outbox.

pub mod email;
pub mod sender;
pub mod settings;
pub mod vapid;
pub mod web_push;
pub mod webhook;

/// Why one delivery did not happen; the sender retries, gives up, or forgets the address.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Worth trying again later: a network error, a 5xx, a 429.
    #[error("temporary failure: {0}")]
    Retry(String),
    /// Will not work however often it is tried: a refused message, a bad setting.
    #[error("permanent failure: {0}")]
    GiveUp(String),
    /// The push subscription no longer exists (404/410); it should be deleted.
    #[error("subscription gone: {0}")]
    Gone(String),
}
