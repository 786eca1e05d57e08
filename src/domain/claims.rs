//! Who may take a help request, and give it back: the rules a claim and a release must pass,
//! and the volunteer eligibility that matching shares with claims.

use crate::error_code::ErrorCode;
use chrono::{DateTime, Duration, Utc};

use super::accounts::Role;
use super::cells::Cell;
use super::privacy::{self, not_verified, volunteers_only};
use super::requests::{transition, Action, Denied, Status};

/// A volunteer's standing, read from their account and profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Volunteer {
    pub role: Role,
    pub verified: bool,
    pub suspended: bool,
    pub on_duty: bool,
    pub skills: Vec<String>,
    pub radius_m: f64,
    /// Requests assigned to them and not yet finished.
    pub open_assignments: i64,
    pub max_open: i32,
}

/// Whether an account may take tasks at all, whatever its profile says: a verified volunteer
/// (or coordinator) in good standing.
pub fn may_take_tasks(role: Role, verified: bool, suspended: bool) -> Result<(), Denied> {
    match role {
        Role::Volunteer | Role::Coordinator => {}
        Role::Organizer => return Err(volunteers_only()),
    }
    if suspended {
        return Err(Denied::Forbidden(
            ErrorCode::AccountSuspended,
            "this account is suspended".into(),
        ));
    }
    if !verified {
        return Err(not_verified());
    }
    Ok(())
}

/// Whether `v`, whose home is `home`, may take a `category` request in `request`'s cell.
/// Returns the distance between the two public points. The same rule picks the candidates a
/// coordinator sees, so it too depends on public cells only.
pub fn eligible(
    v: &Volunteer,
    home: Option<Cell>,
    category: &str,
    request: Cell,
) -> Result<f64, Denied> {
    may_take_tasks(v.role, v.verified, v.suspended)?;
    if !v.on_duty {
        return Err(Denied::Forbidden(
            ErrorCode::OffDuty,
            "go on duty before taking requests".into(),
        ));
    }
    let Some(home) = home else {
        return Err(home_not_settled());
    };
    let Some(d) = privacy::within_reach(home, v.radius_m, request)
        .filter(|_| v.skills.iter().any(|s| s == category))
    else {
        return Err(Denied::Forbidden(
            ErrorCode::NotEligible,
            "this request is outside your skills or your radius".into(),
        ));
    };
    if v.open_assignments >= i64::from(v.max_open) {
        return Err(Denied::Conflict(
            ErrorCode::TooManyOpen,
            format!(
                "you already have {} open assignments (your limit is {})",
                v.open_assignments, v.max_open
            ),
        ));
    }
    Ok(d)
}

fn home_not_settled() -> Denied {
    Denied::Forbidden(
        ErrorCode::HomeNotSettled,
        "your home area was set or moved too recently; you can take requests near it once it \
         has been in place for the claim window"
            .into(),
    )
}

/// What a claim is checked against, read inside the claim transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimFacts {
    pub volunteer: Volunteer,
    /// The home as it stood when the claim window opened (e.g. an hour ago), not the current
    /// one: otherwise a claimant could move next to any request just before claiming it.
    pub settled_home: Option<Cell>,
    pub status: Status,
    pub category: String,
    /// The request's stored cell; `None` once purged.
    pub cell: Option<Cell>,
}

/// A claim passes the lifecycle (only open requests) and the volunteer's eligibility.
pub fn decide_claim(f: &ClaimFacts) -> Result<(), Denied> {
    transition(f.status, Action::Claim)?;
    let cell = f.cell.ok_or_else(|| {
        Denied::Conflict(
            ErrorCode::InvalidTransition,
            "this request has ended".into(),
        )
    })?;
    eligible(&f.volunteer, f.settled_home, &f.category, cell).map(|_| ())
}

/// Claims and releases allowed per volunteer in any 24 hours. Every claim shows an address, so
/// the claim limit caps how many one account can read in a day, however it frees its slots
/// (giving back, or marking done); the release limit stops quick give-backs well before that.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DailyLimits {
    /// Releases.
    pub per_day: u32,
    pub claims_per_day: u32,
}

/// What an allowed claim or release does besides its change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitDecision {
    /// This one reaches the daily limit: tell the coordinators (a burst of claims, or of claim
    /// and release cycles, is how addresses are harvested).
    pub alert: bool,
}

/// One more event against a daily limit of `per_day` (0: none), given the earlier ones.
fn daily_limit(
    per_day: u32,
    earlier: &[DateTime<Utc>],
    now: DateTime<Utc>,
    code: ErrorCode,
    what: &str,
) -> Result<LimitDecision, Denied> {
    if per_day == 0 {
        return Ok(LimitDecision { alert: false });
    }
    let day = Duration::hours(24);
    let in_window: Vec<DateTime<Utc>> =
        earlier.iter().copied().filter(|t| *t > now - day).collect();
    let used = in_window.len() as u32;
    if used >= per_day {
        let oldest = in_window.iter().min().copied().unwrap_or(now);
        return Err(Denied::Limited {
            code,
            message: format!(
                "you have {what} {used} requests in the last 24 hours (the limit is {per_day}); \
                 ask a coordinator if you need more"
            ),
            retry_after_secs: (oldest + day - now).num_seconds().max(1) as u64,
        });
    }
    Ok(LimitDecision {
        alert: used + 1 == per_day,
    })
}

/// A volunteer's own release, given when they released in the last 24 hours. Coordinators
/// releasing for someone else are not limited.
pub fn decide_release(
    policy: DailyLimits,
    by_assignee: bool,
    recent_releases: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Result<LimitDecision, Denied> {
    if !by_assignee {
        return Ok(LimitDecision { alert: false });
    }
    daily_limit(
        policy.per_day,
        recent_releases,
        now,
        ErrorCode::ReleaseLimit,
        "given back",
    )
}

/// A claim, given when the volunteer claimed in the last 24 hours.
pub fn decide_claim_rate(
    policy: DailyLimits,
    recent_claims: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Result<LimitDecision, Denied> {
    daily_limit(
        policy.claims_per_day,
        recent_claims,
        now,
        ErrorCode::ClaimLimit,
        "taken",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::cells::STORED_RES;
    use crate::domain::geo::LatLon;

    fn res9(lat: f64, lon: f64) -> Cell {
        Cell::at(LatLon::new(lat, lon).unwrap(), STORED_RES)
    }

    fn ok_facts() -> ClaimFacts {
        ClaimFacts {
            volunteer: Volunteer {
                role: Role::Volunteer,
                verified: true,
                suspended: false,
                on_duty: true,
                skills: vec!["groceries".into(), "medicine".into()],
                radius_m: 2_000.0,
                open_assignments: 0,
                max_open: 1,
            },
            settled_home: Some(res9(-31.6333, -60.7)),
            status: Status::Open,
            category: "medicine".into(),
            cell: Some(res9(-31.64, -60.70)),
        }
    }

    fn code(f: ClaimFacts) -> &'static str {
        match decide_claim(&f) {
            Err(Denied::Conflict(c, _) | Denied::Forbidden(c, _)) => c.as_str(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_claim_passes_only_every_rule() {
        let ok = ok_facts();
        assert_eq!(decide_claim(&ok), Ok(()));
        let mut f = ok.clone();
        f.status = Status::Assigned;
        assert_eq!(code(f), "already_assigned");
        let mut f = ok.clone();
        f.category = "meal".into();
        assert_eq!(code(f), "not_eligible");
        let mut f = ok.clone();
        f.cell = Some(res9(-31.9, -60.7));
        assert_eq!(code(f), "not_eligible");
        let mut f = ok.clone();
        f.volunteer.open_assignments = 1;
        assert_eq!(code(f), "too_many_open");
        let mut f = ok.clone();
        f.volunteer.on_duty = false;
        assert_eq!(code(f), "off_duty");
        let mut f = ok.clone();
        f.volunteer.verified = false;
        assert_eq!(code(f), "not_verified");
        let mut f = ok.clone();
        f.volunteer.role = Role::Organizer;
        assert_eq!(code(f), "volunteers_only");
        let mut f = ok.clone();
        f.settled_home = None;
        assert_eq!(code(f), "home_not_settled");
        let mut f = ok.clone();
        f.volunteer.suspended = true;
        assert_eq!(code(f), "account_suspended");
    }

    #[test]
    fn releases_are_limited_per_day_and_the_last_allowed_one_alerts() {
        let policy = DailyLimits {
            per_day: 3,
            claims_per_day: 10,
        };
        let now = Utc::now();
        let h = Duration::hours;
        assert_eq!(
            decide_release(policy, true, &[], now),
            Ok(LimitDecision { alert: false })
        );
        assert_eq!(
            decide_release(policy, true, &[now - h(1), now - h(2)], now),
            Ok(LimitDecision { alert: true })
        );
        match decide_release(policy, true, &[now - h(1), now - h(2), now - h(20)], now) {
            Err(Denied::Limited {
                code: ErrorCode::ReleaseLimit,
                retry_after_secs,
                ..
            }) => assert_eq!(retry_after_secs, 4 * 3600),
            other => panic!("{other:?}"),
        }
        // Older releases have left the window; coordinators are not limited.
        assert!(decide_release(policy, true, &[now - h(25); 5], now).is_ok());
        assert!(decide_release(policy, false, &[now; 9], now).is_ok());
    }

    #[test]
    fn claims_are_limited_per_day_however_slots_are_freed() {
        let policy = DailyLimits {
            per_day: 3,
            claims_per_day: 2,
        };
        let now = Utc::now();
        assert_eq!(
            decide_claim_rate(policy, &[now - Duration::hours(1)], now),
            Ok(LimitDecision { alert: true })
        );
        assert!(matches!(
            decide_claim_rate(policy, &[now; 2], now),
            Err(Denied::Limited {
                code: ErrorCode::ClaimLimit,
                ..
            })
        ));
    }
}
