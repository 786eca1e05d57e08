//! The coordinator's history of closed requests: which states it lists and which closing
//! times a filter may ask for.

use chrono::{DateTime, Utc};

use super::requests::Status;
use super::Invalid;
use crate::error_code::ErrorCode;

/// Rows per page of the history.
pub const PAGE_SIZE: u32 = 20;

/// The final states the history lists: `only`, which must be one of them, or all.
pub fn statuses(only: Option<Status>) -> Result<Vec<Status>, Invalid> {
    const CLOSED: [Status; 4] = [
        Status::Done,
        Status::Cancelled,
        Status::Expired,
        Status::Rejected,
    ];
    match only {
        None => Ok(CLOSED.to_vec()),
        Some(s) if s.is_closed() => Ok(vec![s]),
        Some(s) => Err(Invalid::new(
            ErrorCode::InvalidParameter,
            format!(
                "the history lists closed requests (done, cancelled, expired, rejected), not `{}`",
                s.as_str()
            ),
        )),
    }
}

/// A closing-time window [`from`, `to`) must not end before it starts.
pub fn window(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Result<(), Invalid> {
    match (from, to) {
        (Some(f), Some(t)) if t < f => Err(Invalid::new(
            ErrorCode::InvalidParameter,
            format!("`to` ({t}) is before `from` ({f})"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_filter_the_history_lists_every_final_state() {
        let all = statuses(None).unwrap();
        assert_eq!(all.len(), 4);
        assert!(all.iter().all(|s| s.is_closed()));
    }

    #[test]
    fn a_state_that_is_not_final_is_refused_as_a_filter() {
        assert_eq!(statuses(Some(Status::Done)).unwrap(), vec![Status::Done]);
        for s in [Status::Open, Status::Assigned, Status::PendingReview] {
            assert_eq!(
                statuses(Some(s)).unwrap_err().code,
                ErrorCode::InvalidParameter
            );
        }
    }

    #[test]
    fn a_window_that_ends_before_it_starts_is_refused() {
        let a: DateTime<Utc> = "2026-12-01T03:00:00Z".parse().unwrap();
        let b: DateTime<Utc> = "2026-12-02T03:00:00Z".parse().unwrap();
        assert!(window(Some(a), Some(b)).is_ok());
        assert!(window(Some(a), Some(a)).is_ok());
        assert!(window(None, Some(a)).is_ok());
        assert!(window(Some(b), Some(a)).is_err());
    }
}
