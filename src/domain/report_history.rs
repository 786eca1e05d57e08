//! A place's reports over the last weeks by hour of the week, and the hours in which long
//! queues are usual ("usually long queues on Monday mornings").

use serde::Serialize;
use utoipa::ToSchema;

/// Reports that must exist in the history window before usual patterns are shown.
pub const HISTORY_MIN_REPORTS: i64 = 12;
/// Queue reports one hour of the week needs before it can be called usual.
pub const HISTORY_MIN_IN_HOUR: i64 = 3;
/// The history window, in weeks.
pub const HISTORY_WEEKS: i64 = 8;

/// Reports in one hour of the week (Monday 00:00–01:00 local is 0) over the history window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct HourOfWeek {
    pub hour_of_week: i32,
    pub reports: i64,
    /// Reports that gave the queue.
    pub queue_reports: i64,
    pub long_queue: i64,
    pub closed: i64,
}

/// The hours of the week in which long queues are usual: at least [`HISTORY_MIN_IN_HOUR`]
/// queue reports, most of them long. Empty until [`HISTORY_MIN_REPORTS`] reports exist.
pub fn usual_long_queues(hours: &[HourOfWeek]) -> Vec<i32> {
    if !enough_history(hours) {
        return Vec::new();
    }
    hours
        .iter()
        .filter(|h| h.queue_reports >= HISTORY_MIN_IN_HOUR && 2 * h.long_queue > h.queue_reports)
        .map(|h| h.hour_of_week)
        .collect()
}

/// Whether the history holds enough reports to say anything.
pub fn enough_history(hours: &[HourOfWeek]) -> bool {
    hours.iter().map(|h| h.reports).sum::<i64>() >= HISTORY_MIN_REPORTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_long_queues_need_enough_history() {
        let hour = |h, reports, long| HourOfWeek {
            hour_of_week: h,
            reports,
            queue_reports: reports,
            long_queue: long,
            closed: 0,
        };
        let few = [hour(9, 4, 4)];
        assert!(usual_long_queues(&few).is_empty());
        let enough = [hour(9, 4, 3), hour(10, 2, 2), hour(33, 8, 1)];
        assert_eq!(usual_long_queues(&enough), vec![9]);
    }
}
