//! Live neighbour reports on a place (open or closed now, the queue, the stock of a few items)
//! and how they combine into the place's live state: each report's weight decays with age and
//! depends on who made it; per field, the weighted values either agree or are mixed. Pure
//! functions of the reports and a clock, so tests can move time.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::Role;
use super::requests::AccountFacts;
use super::Invalid;
use crate::error_code::ErrorCode;

/// A report older than this many half-lives no longer counts.
pub const HALF_LIVES_COUNTED: i32 = 4;
/// A reporter's new report within this window replaces their last one on the same place.
pub const REPLACE_WINDOW_MINUTES: i64 = 30;
/// A value agrees when it holds at least this share of a field's weight; below, it is mixed.
pub const AGREEMENT: f64 = 2.0 / 3.0;
/// A live `open` state this confident is used ahead of the opening hours.
pub const CONFIDENT: f64 = 0.4;

/// Who made a report, as far as its weight is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Anonymous,
    Registered,
    Verified,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Anonymous => "anonymous",
            Tier::Registered => "registered",
            Tier::Verified => "verified",
        }
    }

    /// Stored tiers are always valid; an unknown one weighs as anonymous.
    pub fn from_db(s: &str) -> Tier {
        match s {
            "verified" => Tier::Verified,
            "registered" => Tier::Registered,
            _ => Tier::Anonymous,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Queue {
    None,
    Short,
    Long,
}

impl Queue {
    pub fn as_str(self) -> &'static str {
        match self {
            Queue::None => "none",
            Queue::Short => "short",
            Queue::Long => "long",
        }
    }

    pub fn from_db(s: &str) -> Option<Queue> {
        match s {
            "none" => Some(Queue::None),
            "short" => Some(Queue::Short),
            "long" => Some(Queue::Long),
            _ => None,
        }
    }
}

/// How much of an item there is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stock {
    Yes,
    Little,
    None,
}

/// Weights by tier (configurable in `report_weights`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Weights {
    pub anonymous: f64,
    pub registered: f64,
    pub verified: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            anonymous: 0.5,
            registered: 1.0,
            verified: 2.0,
        }
    }
}

impl Weights {
    pub fn of(&self, tier: Tier) -> f64 {
        match tier {
            Tier::Anonymous => self.anonymous,
            Tier::Registered => self.registered,
            Tier::Verified => self.verified,
        }
        .max(0.0)
    }
}

/// How reports are weighed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub half_life: Duration,
    pub weights: Weights,
}

impl Policy {
    /// Reports made before this no longer count.
    pub fn counted_since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.half_life * HALF_LIVES_COUNTED
    }
}

/// One report as the combining sees it. `reporter` tells reports of one reporter apart and
/// nothing more.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub reporter: String,
    pub tier: Tier,
    pub at: DateTime<Utc>,
    pub open: Option<bool>,
    pub queue: Option<Queue>,
    pub stock: BTreeMap<String, Stock>,
    pub doubtful: bool,
}

/// A report's weight at `now`: its tier's weight, halved every half-life, halved again when
/// doubtful, and zero once it is older than [`HALF_LIVES_COUNTED`] half-lives.
pub fn weight(policy: &Policy, report: &Report, now: DateTime<Utc>) -> f64 {
    let age = (now - report.at).max(Duration::zero());
    let half_life_ms = policy.half_life.num_milliseconds().max(1) as f64;
    let half_lives = age.num_milliseconds() as f64 / half_life_ms;
    if half_lives > HALF_LIVES_COUNTED as f64 {
        return 0.0;
    }
    let doubt = if report.doubtful { 0.5 } else { 1.0 };
    policy.weights.of(report.tier) * 0.5f64.powf(half_lives) * doubt
}

/// The tier a report is weighed at: verified volunteers and organizers, and coordinators,
/// are verified; any other account is registered; no account is anonymous.
pub fn tier_of(account: Option<&AccountFacts>) -> Tier {
    match account {
        None => Tier::Anonymous,
        Some(a) if a.verified || a.role == Role::Coordinator => Tier::Verified,
        Some(_) => Tier::Registered,
    }
}

/// A report must say something, and only about the items the deployment lists.
pub fn check_report(
    open: Option<bool>,
    queue: Option<Queue>,
    stock: &BTreeMap<String, Stock>,
    items: &[&str],
) -> Result<(), Invalid> {
    if open.is_none() && queue.is_none() && stock.is_empty() {
        return Err(Invalid::new(
            ErrorCode::EmptyReport,
            "say at least one of `open`, `queue` or `stock`",
        ));
    }
    if let Some(item) = stock.keys().find(|k| !items.contains(&k.as_str())) {
        return Err(Invalid::new(
            ErrorCode::UnknownStockItem,
            format!(
                "`{item}` is not a stock item here; the items are: {}",
                items.join(", ")
            ),
        ));
    }
    Ok(())
}

/// A report of "open" when the hours say closed, or the reverse, is doubtful.
pub fn is_doubtful(reported_open: Option<bool>, hours_open: Option<bool>) -> bool {
    matches!((reported_open, hours_open), (Some(r), Some(h)) if r != h)
}

/// Whether a reporter's new report replaces their last one on the place, made at `last`.
pub fn replaces(last: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - last < Duration::minutes(REPLACE_WINDOW_MINUTES)
}

/// One field of the live state.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Field<T> {
    /// The value the reports agree on; null when they are mixed.
    pub value: Option<T>,
    /// True when no value holds two thirds of the weight: the reports conflict.
    pub mixed: bool,
    /// From 0 to 1: the agreeing share, times the total weight up to 1 (one fresh report by
    /// a registered neighbour).
    pub confidence: f64,
    /// The weight of each value, for showing mixed reports.
    #[schema(value_type = Object)]
    pub weights: BTreeMap<String, f64>,
}

impl<T> Field<T> {
    /// An agreed value with at least [`CONFIDENT`] confidence.
    pub fn confident(&self) -> Option<&T> {
        self.value.as_ref().filter(|_| self.confidence >= CONFIDENT)
    }
}

/// What the reports that still count say about a place.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct LiveState {
    /// Distinct neighbours whose report counts.
    pub neighbours: u32,
    /// When the latest counted report was made, to the minute.
    pub reported_at: DateTime<Utc>,
    #[schema(value_type = Option<Object>)]
    pub open: Option<Field<bool>>,
    #[schema(value_type = Option<Object>)]
    pub queue: Option<Field<Queue>>,
    #[schema(value_type = Object)]
    pub stock: BTreeMap<String, Field<Stock>>,
}

impl LiveState {
    /// True when neighbours agree, confidently, that there is no queue.
    pub fn no_queue(&self) -> bool {
        self.queue.as_ref().and_then(Field::confident) == Some(&Queue::None)
    }
}

/// Combines a place's reports at `now`. Only each reporter's latest report counts, so nobody
/// adds weight by reporting again later. `None` when no report counts any more.
pub fn combine(policy: &Policy, reports: &[Report], now: DateTime<Utc>) -> Option<LiveState> {
    let mut latest: BTreeMap<&str, &Report> = BTreeMap::new();
    for r in reports.iter().filter(|r| r.at <= now) {
        let slot = latest.entry(r.reporter.as_str()).or_insert(r);
        if r.at > slot.at {
            *slot = r;
        }
    }
    let counted: Vec<(&Report, f64)> = latest
        .into_values()
        .map(|r| (r, weight(policy, r, now)))
        .filter(|(_, w)| *w > 0.0)
        .collect();
    let reported_at = counted.iter().map(|(r, _)| r.at).max()?;
    let open = field(counted.iter().filter_map(|(r, w)| r.open.map(|v| (v, *w))));
    let queue = field(counted.iter().filter_map(|(r, w)| r.queue.map(|v| (v, *w))));
    let items: std::collections::BTreeSet<&String> =
        counted.iter().flat_map(|(r, _)| r.stock.keys()).collect();
    let stock = items
        .into_iter()
        .filter_map(|item| {
            let values = counted
                .iter()
                .filter_map(|(r, w)| r.stock.get(item).map(|v| (*v, *w)));
            field(values).map(|f| (item.clone(), f))
        })
        .collect();
    Some(LiveState {
        neighbours: counted.len() as u32,
        reported_at: to_minute(reported_at),
        open,
        queue,
        stock,
    })
}

fn to_minute(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(at.timestamp() - at.timestamp().rem_euclid(60), 0).unwrap_or(at)
}

/// The weighted view of one field: the value with the most weight, if it holds two thirds.
fn field<T: Ord + Copy + Serialize>(values: impl Iterator<Item = (T, f64)>) -> Option<Field<T>> {
    let mut sums: BTreeMap<T, f64> = BTreeMap::new();
    for (v, w) in values {
        *sums.entry(v).or_default() += w;
    }
    let total: f64 = sums.values().sum();
    if total <= 0.0 {
        return None;
    }
    // Ties go to the first value in order; a tie is below two thirds, so it is mixed anyway.
    let (top, top_weight) =
        sums.iter()
            .fold(None, |best: Option<(T, f64)>, (v, w)| match best {
                Some((_, bw)) if bw >= *w => best,
                _ => Some((*v, *w)),
            })?;
    let share = top_weight / total;
    // Two to one is exactly two thirds, which agrees; float rounding must not flip it.
    let mixed = share < AGREEMENT - 1e-9;
    let round = |x: f64| (x * 100.0).round() / 100.0;
    Some(Field {
        value: (!mixed).then_some(top),
        mixed,
        confidence: if mixed {
            0.0
        } else {
            round(share * total.min(1.0))
        },
        weights: sums.iter().map(|(v, w)| (label(v), round(*w))).collect(),
    })
}

fn label<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Which source "open now" was decided from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpenSource {
    /// A fresh, confident live report.
    Report,
    /// The opening hours.
    Hours,
}

impl OpenSource {
    pub fn as_str(self) -> &'static str {
        match self {
            OpenSource::Report => "report",
            OpenSource::Hours => "hours",
        }
    }
}

/// "Open now": a fresh, confident live report wins over the hours; otherwise the hours.
pub fn open_now(
    live: Option<&LiveState>,
    hours: Option<bool>,
) -> (Option<bool>, Option<OpenSource>) {
    match live
        .and_then(|l| l.open.as_ref())
        .and_then(Field::confident)
    {
        Some(open) => (Some(*open), Some(OpenSource::Report)),
        None => (hours, hours.map(|_| OpenSource::Hours)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            half_life: Duration::minutes(120),
            weights: Weights::default(),
        }
    }

    fn noon() -> DateTime<Utc> {
        "2026-12-05T15:00:00Z".parse().unwrap()
    }

    fn report(who: &str, tier: Tier, minutes_ago: i64) -> Report {
        Report {
            reporter: who.into(),
            tier,
            at: noon() - Duration::minutes(minutes_ago),
            open: None,
            queue: None,
            stock: BTreeMap::new(),
            doubtful: false,
        }
    }

    fn queue(who: &str, tier: Tier, minutes_ago: i64, q: Queue) -> Report {
        Report {
            queue: Some(q),
            ..report(who, tier, minutes_ago)
        }
    }

    fn open(who: &str, tier: Tier, minutes_ago: i64, o: bool) -> Report {
        Report {
            open: Some(o),
            ..report(who, tier, minutes_ago)
        }
    }

    #[test]
    fn a_report_weighs_half_as_much_each_half_life() {
        let p = policy();
        let r = report("a", Tier::Registered, 0);
        assert_eq!(weight(&p, &r, noon()), 1.0);
        let later = |m| weight(&p, &r, noon() + Duration::minutes(m));
        assert!((later(120) - 0.5).abs() < 1e-9);
        assert!((later(240) - 0.25).abs() < 1e-9);
        assert!((later(60) - 0.5f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn a_report_older_than_four_half_lives_no_longer_counts() {
        let p = policy();
        let r = report("a", Tier::Verified, 0);
        assert!(weight(&p, &r, noon() + Duration::minutes(480)) > 0.0);
        assert_eq!(weight(&p, &r, noon() + Duration::minutes(481)), 0.0);
        let old = open("a", Tier::Verified, 481, true);
        assert_eq!(combine(&p, &[old], noon()), None);
    }

    #[test]
    fn anonymous_registered_and_verified_weigh_half_one_and_two() {
        let p = policy();
        let w = |t| weight(&p, &report("a", t, 0), noon());
        assert_eq!(
            (w(Tier::Anonymous), w(Tier::Registered), w(Tier::Verified)),
            (0.5, 1.0, 2.0)
        );
    }

    #[test]
    fn a_doubtful_report_weighs_half() {
        let p = policy();
        let r = Report {
            doubtful: true,
            ..report("a", Tier::Registered, 0)
        };
        assert_eq!(weight(&p, &r, noon()), 0.5);
        assert!(is_doubtful(Some(true), Some(false)));
        assert!(is_doubtful(Some(false), Some(true)));
        assert!(!is_doubtful(Some(true), Some(true)));
        assert!(!is_doubtful(Some(true), None));
        assert!(!is_doubtful(None, Some(false)));
    }

    #[test]
    fn conflicting_reports_are_mixed_not_a_coin_flip() {
        let p = policy();
        let reports = [
            queue("a", Tier::Registered, 5, Queue::Long),
            queue("b", Tier::Registered, 5, Queue::None),
        ];
        let live = combine(&p, &reports, noon()).unwrap();
        let q = live.queue.unwrap();
        assert!(q.mixed);
        assert_eq!(q.value, None);
        assert_eq!(q.weights.len(), 2);
        assert_eq!(live.neighbours, 2);
    }

    #[test]
    fn a_verified_report_outweighs_an_anonymous_one() {
        let p = policy();
        let reports = [
            queue("a", Tier::Verified, 5, Queue::Long),
            queue("b", Tier::Anonymous, 5, Queue::None),
        ];
        let q = combine(&p, &reports, noon()).unwrap().queue.unwrap();
        assert_eq!((q.value, q.mixed), (Some(Queue::Long), false));
        // The same two, one a registered neighbour: two to one is just two thirds.
        let reports = [
            queue("a", Tier::Registered, 0, Queue::Long),
            queue("b", Tier::Anonymous, 0, Queue::None),
        ];
        let q = combine(&p, &reports, noon()).unwrap().queue.unwrap();
        assert_eq!(q.value, Some(Queue::Long));
        assert!((q.confidence - 0.67).abs() < 0.01);
    }

    #[test]
    fn an_old_report_gives_way_to_a_fresh_one() {
        let p = policy();
        // Three half-lives old: 2 × 1/8 = 0.25 against a fresh 1.
        let reports = [
            open("a", Tier::Verified, 360, false),
            open("b", Tier::Registered, 0, true),
        ];
        let o = combine(&p, &reports, noon()).unwrap().open.unwrap();
        assert_eq!(o.value, Some(true));
        assert!((o.confidence - 0.8).abs() < 0.01, "{o:?}");
    }

    #[test]
    fn only_each_reporters_latest_report_counts() {
        let p = policy();
        let reports = [
            queue("a", Tier::Registered, 90, Queue::Long),
            queue("a", Tier::Registered, 50, Queue::Long),
            queue("a", Tier::Registered, 10, Queue::None),
        ];
        let live = combine(&p, &reports, noon()).unwrap();
        assert_eq!(live.neighbours, 1);
        assert_eq!(live.queue.unwrap().value, Some(Queue::None));
        assert_eq!(live.reported_at, noon() - Duration::minutes(10));
    }

    #[test]
    fn stock_is_combined_per_item() {
        let p = policy();
        let mut a = report("a", Tier::Registered, 0);
        a.stock.insert("harina".into(), Stock::None);
        a.stock.insert("leche".into(), Stock::Yes);
        let mut b = report("b", Tier::Registered, 0);
        b.stock.insert("harina".into(), Stock::None);
        let live = combine(&p, &[a, b], noon()).unwrap();
        assert_eq!(live.stock["harina"].value, Some(Stock::None));
        assert_eq!(live.stock["leche"].value, Some(Stock::Yes));
        assert_eq!(live.stock["harina"].weights["none"], 2.0);
        assert_eq!(live.stock["leche"].weights["yes"], 1.0);
        assert_eq!(live.open, None);
    }

    #[test]
    fn a_fresh_confident_report_decides_open_now_ahead_of_the_hours() {
        let p = policy();
        let closed = [open("a", Tier::Registered, 10, false)];
        let live = combine(&p, &closed, noon());
        assert_eq!(
            open_now(live.as_ref(), Some(true)),
            (Some(false), Some(OpenSource::Report))
        );
        // Five hours later the one report is too weak: the hours decide again.
        let live = combine(&p, &closed, noon() + Duration::hours(5));
        assert_eq!(
            open_now(live.as_ref(), Some(true)),
            (Some(true), Some(OpenSource::Hours))
        );
        assert_eq!(open_now(None, None), (None, None));
        // Mixed reports do not decide.
        let mixed = [
            open("a", Tier::Registered, 1, false),
            open("b", Tier::Registered, 1, true),
        ];
        let live = combine(&p, &mixed, noon());
        assert_eq!(
            open_now(live.as_ref(), None),
            (None, None),
            "mixed reports leave it unknown"
        );
    }

    #[test]
    fn a_report_must_say_something_about_known_items() {
        let items = ["harina", "leche"];
        let none = BTreeMap::new();
        assert_eq!(
            check_report(None, None, &none, &items).unwrap_err().code,
            ErrorCode::EmptyReport
        );
        assert!(check_report(Some(true), None, &none, &items).is_ok());
        let mut stock = BTreeMap::new();
        stock.insert("harina".to_string(), Stock::Little);
        assert!(check_report(None, None, &stock, &items).is_ok());
        stock.insert("nafta".to_string(), Stock::None);
        let err = check_report(None, Some(Queue::Long), &stock, &items).unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownStockItem);
        assert!(err.message.contains("nafta"));
    }

    #[test]
    fn coordinators_and_verified_accounts_report_as_verified() {
        let facts = |role, verified| AccountFacts {
            id: 1,
            role,
            verified,
        };
        assert_eq!(tier_of(None), Tier::Anonymous);
        assert_eq!(
            tier_of(Some(&facts(Role::Volunteer, false))),
            Tier::Registered
        );
        assert_eq!(tier_of(Some(&facts(Role::Volunteer, true))), Tier::Verified);
        assert_eq!(
            tier_of(Some(&facts(Role::Coordinator, false))),
            Tier::Verified
        );
    }

    #[test]
    fn a_new_report_replaces_the_last_within_thirty_minutes() {
        assert!(replaces(noon(), noon() + Duration::minutes(29)));
        assert!(!replaces(noon(), noon() + Duration::minutes(30)));
    }

    #[test]
    fn the_reported_time_is_cut_to_the_minute() {
        let p = policy();
        let mut r = open("a", Tier::Registered, 0, true);
        r.at = "2026-12-05T14:59:37Z".parse().unwrap();
        let live = combine(&p, &[r], noon()).unwrap();
        assert_eq!(
            live.reported_at,
            "2026-12-05T14:59:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
