//! Plain Rust decisions: coordinates and cells, the place taxonomy, opening hours, the help
//! request lifecycle, what each audience may learn (`privacy`), claims, homes and matching.
//! Nothing here knows about HTTP or SQL, so unit tests reach it all.

pub mod accounts;
pub mod categories;
pub mod cells;
pub mod claims;
pub mod formats;
pub mod geo;
pub mod history;
pub mod homes;
pub mod hours;
pub mod idempotency;
pub mod kitchens;
pub mod limits;
pub mod live_reports;
pub mod matching;
pub mod nearest;
pub mod notification_texts;
pub mod notifications;
pub mod paging;
pub mod passwords;
pub mod place_admin;
pub mod privacy;
pub mod public_counts;
pub mod push_subscriptions;
pub mod quiet_hours;
pub mod report_history;
pub mod requests;
pub mod shards;
pub mod tiles;
pub mod whole;

use crate::error_code::ErrorCode;

/// Input that breaks a rule, with a stable code and a message naming the bad value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub code: ErrorCode,
    pub message: String,
}

impl Invalid {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}
