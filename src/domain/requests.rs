//! Help requests: categories, urgency, the lifecycle state machine and who may act on a
//! request. What each audience may see is decided in `privacy`; who may claim, in `claims`.

use crate::error_code::ErrorCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::Role;
use super::Invalid;

/// What a requester needs. Volunteer skills use the same ids.
pub const CATEGORIES: &[&str] = &[
    "groceries",
    "medicine",
    "company",
    "errand",
    "meal",
    "other",
];

/// The most entries a skill list may have (repeats included).
pub const SKILLS_MAX_ITEMS: usize = 24;

/// Parses a request category id.
pub fn category(s: &str) -> Result<&'static str, Invalid> {
    CATEGORIES.iter().copied().find(|c| *c == s).ok_or_else(|| {
        Invalid::new(
            ErrorCode::UnknownCategory,
            format!(
                "category must be one of {}, got `{s}`",
                CATEGORIES.join(", ")
            ),
        )
    })
}

/// Parses a list of skills, keeping each once; at least one.
pub fn skills<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Vec<&'static str>, Invalid> {
    let values: Vec<&str> = values.into_iter().collect();
    if values.len() > SKILLS_MAX_ITEMS {
        return Err(Invalid::new(
            ErrorCode::InvalidSkills,
            format!("list at most {SKILLS_MAX_ITEMS} skills"),
        ));
    }
    let mut out: Vec<&'static str> = Vec::new();
    for v in values {
        let c = category(v)?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        return Err(Invalid::new(
            ErrorCode::InvalidSkills,
            "give at least one skill",
        ));
    }
    Ok(out)
}

/// Ordered from least to most urgent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    #[default]
    Normal,
    High,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Low => "low",
            Urgency::Normal => "normal",
            Urgency::High => "high",
        }
    }
}

impl std::str::FromStr for Urgency {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s {
            "low" => Ok(Urgency::Low),
            "normal" => Ok(Urgency::Normal),
            "high" => Ok(Urgency::High),
            _ => Err(Invalid::new(
                ErrorCode::InvalidUrgency,
                format!("urgency must be low, normal or high, got `{s}`"),
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    PendingReview,
    Open,
    Assigned,
    Done,
    Cancelled,
    Expired,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::PendingReview => "pending_review",
            Status::Open => "open",
            Status::Assigned => "assigned",
            Status::Done => "done",
            Status::Cancelled => "cancelled",
            Status::Expired => "expired",
            Status::Rejected => "rejected",
        }
    }

    /// Final states; the retention clock starts when a request reaches one.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            Status::Done | Status::Cancelled | Status::Expired | Status::Rejected
        )
    }
}

impl std::str::FromStr for Status {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Ok(match s {
            "pending_review" => Status::PendingReview,
            "open" => Status::Open,
            "assigned" => Status::Assigned,
            "done" => Status::Done,
            "cancelled" => Status::Cancelled,
            "expired" => Status::Expired,
            "rejected" => Status::Rejected,
            _ => {
                return Err(Invalid::new(
                    ErrorCode::InvalidStatus,
                    format!("unknown status `{s}`"),
                ))
            }
        })
    }
}

/// What can happen to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Reject,
    Cancel,
    Claim,
    Release,
    Complete,
    Expire,
}

impl Action {
    /// The verb in the event log.
    pub fn event(self) -> &'static str {
        match self {
            Action::Approve => "approved",
            Action::Reject => "rejected",
            Action::Cancel => "cancelled",
            Action::Claim => "claimed",
            Action::Release => "released",
            Action::Complete => "completed",
            Action::Expire => "expired",
        }
    }
}

/// Why an action is refused. The API maps each kind to its HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// No account, where one is needed (401).
    SignInRequired,
    /// The actor may not do this (403), with a stable code.
    Forbidden(ErrorCode, String),
    /// The request's state does not allow it (409), with a stable code.
    Conflict(ErrorCode, String),
    /// Too many of these lately (429, with `Retry-After`).
    Limited {
        code: ErrorCode,
        message: String,
        retry_after_secs: u64,
    },
}

/// The state after `action`, or why it does not apply in `from`.
pub fn transition(from: Status, action: Action) -> Result<Status, Denied> {
    use Action::*;
    use Status::*;
    let to = match (from, action) {
        (PendingReview, Approve) => Open,
        (PendingReview, Reject) => Rejected,
        (PendingReview | Open | Assigned, Cancel) => Cancelled,
        (Open, Claim) => Assigned,
        (Assigned, Release) => Open,
        (Assigned, Complete) => Done,
        // An assigned request expires too, later (see `db::requests::expire`), so that a task a
        // volunteer abandoned still reaches the retention purge.
        (PendingReview | Open | Assigned, Expire) => Expired,
        (Assigned, Claim) => {
            return Err(Denied::Conflict(
                ErrorCode::AlreadyAssigned,
                "another volunteer has already taken this request".into(),
            ))
        }
        _ => {
            return Err(Denied::Conflict(
                ErrorCode::InvalidTransition,
                format!("cannot {action:?} a request that is {}", from.as_str()).to_lowercase(),
            ))
        }
    };
    Ok(to)
}

/// What the server knows about the account behind a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFacts {
    pub id: i64,
    pub role: Role,
    pub verified: bool,
}

/// Who is asking: maybe an account, maybe the holder of the manage link, maybe neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Actor {
    pub account: Option<AccountFacts>,
    /// The request's manage token was given and matched.
    pub has_token: bool,
}

impl Actor {
    fn is_coordinator(&self) -> bool {
        self.account.is_some_and(|a| a.role == Role::Coordinator)
    }
    fn is(&self, id: Option<i64>) -> bool {
        matches!((self.account, id), (Some(a), Some(id)) if a.id == id)
    }
}

/// Whether `actor` may attempt `action` on a request assigned to `assignee`. The state
/// machine still decides whether the action applies.
pub fn authorize(action: Action, actor: &Actor, assignee: Option<i64>) -> Result<(), Denied> {
    let forbidden = |code, msg: &str| Err(Denied::Forbidden(code, msg.to_string()));
    match action {
        Action::Approve | Action::Reject if actor.is_coordinator() => Ok(()),
        Action::Approve | Action::Reject if actor.account.is_none() => Err(Denied::SignInRequired),
        Action::Approve | Action::Reject => forbidden(
            ErrorCode::CoordinatorsOnly,
            "only coordinators review requests",
        ),
        Action::Cancel if actor.is_coordinator() || actor.has_token => Ok(()),
        Action::Cancel => forbidden(
            ErrorCode::Forbidden,
            "only the requester (with the private link) or a coordinator may cancel",
        ),
        // Who may claim is `claims::eligible`, which needs the volunteer's profile.
        Action::Claim if actor.account.is_none() => Err(Denied::SignInRequired),
        Action::Claim => Ok(()),
        Action::Release | Action::Complete if actor.is_coordinator() || actor.is(assignee) => {
            Ok(())
        }
        Action::Release | Action::Complete if actor.account.is_none() => {
            Err(Denied::SignInRequired)
        }
        Action::Release | Action::Complete => forbidden(
            ErrorCode::NotAssignee,
            "only the assigned volunteer or a coordinator may do this",
        ),
        Action::Expire => forbidden(ErrorCode::Forbidden, "requests expire by themselves"),
    }
}

/// Requests from coordinators and verified organizers skip review; the rest wait for it.
pub fn initial_status(creator: Option<&AccountFacts>) -> Status {
    match creator {
        Some(a) if a.role == Role::Coordinator => Status::Open,
        Some(a) if a.role == Role::Organizer && a.verified => Status::Open,
        _ => Status::PendingReview,
    }
}

/// `needed_by`, when given, must lie ahead.
pub fn needed_by(
    value: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, Invalid> {
    match value {
        Some(t) if t <= now => Err(Invalid::new(
            ErrorCode::InvalidNeededBy,
            format!("needed_by must be in the future, got {}", t.to_rfc3339()),
        )),
        v => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: i64, role: Role, verified: bool) -> Actor {
        Actor {
            account: Some(AccountFacts { id, role, verified }),
            has_token: false,
        }
    }

    #[test]
    fn the_lifecycle_follows_the_design() {
        use Action::*;
        use Status::*;
        assert_eq!(transition(PendingReview, Approve), Ok(Open));
        assert_eq!(transition(PendingReview, Reject), Ok(Rejected));
        assert_eq!(transition(Open, Claim), Ok(Assigned));
        assert_eq!(transition(Assigned, Release), Ok(Open));
        assert_eq!(transition(Assigned, Complete), Ok(Done));
        assert_eq!(transition(Open, Cancel), Ok(Cancelled));
        assert_eq!(transition(Open, Expire), Ok(Expired));
        assert!(matches!(
            transition(Assigned, Claim),
            Err(Denied::Conflict(ErrorCode::AlreadyAssigned, _))
        ));
        for closed in [Done, Cancelled, Expired, Rejected] {
            for action in [Approve, Reject, Cancel, Claim, Release, Complete, Expire] {
                assert!(transition(closed, action).is_err(), "{closed:?} {action:?}");
            }
        }
        assert!(transition(PendingReview, Claim).is_err());
        assert_eq!(transition(Assigned, Expire), Ok(Expired));
    }

    #[test]
    fn only_the_right_people_may_act() {
        let anon = Actor::default();
        let requester = Actor {
            account: None,
            has_token: true,
        };
        let coord = account(1, Role::Coordinator, true);
        let vol = account(2, Role::Volunteer, true);
        let unverified = account(3, Role::Volunteer, false);
        assert_eq!(authorize(Action::Approve, &coord, None), Ok(()));
        assert!(matches!(
            authorize(Action::Approve, &vol, None),
            Err(Denied::Forbidden(..))
        ));
        assert_eq!(
            authorize(Action::Approve, &anon, None),
            Err(Denied::SignInRequired)
        );
        assert_eq!(authorize(Action::Cancel, &requester, None), Ok(()));
        assert!(authorize(Action::Cancel, &vol, None).is_err());
        assert_eq!(authorize(Action::Claim, &vol, None), Ok(()));
        // Verification and the rest are checked against the profile (`claims::eligible`).
        assert_eq!(authorize(Action::Claim, &unverified, None), Ok(()));
        assert_eq!(
            authorize(Action::Claim, &anon, None),
            Err(Denied::SignInRequired)
        );
        assert_eq!(authorize(Action::Complete, &vol, Some(2)), Ok(()));
        assert!(authorize(Action::Release, &vol, Some(9)).is_err());
        assert_eq!(authorize(Action::Release, &coord, Some(9)), Ok(()));
    }

    #[test]
    fn trusted_authors_skip_review() {
        let f = |role, verified| AccountFacts {
            id: 1,
            role,
            verified,
        };
        assert_eq!(initial_status(None), Status::PendingReview);
        assert_eq!(
            initial_status(Some(&f(Role::Coordinator, true))),
            Status::Open
        );
        assert_eq!(
            initial_status(Some(&f(Role::Organizer, true))),
            Status::Open
        );
        assert_eq!(
            initial_status(Some(&f(Role::Organizer, false))),
            Status::PendingReview
        );
        assert_eq!(
            initial_status(Some(&f(Role::Volunteer, true))),
            Status::PendingReview
        );
    }

    #[test]
    fn inputs_are_parsed_once() {
        assert_eq!(category("medicine").unwrap(), "medicine");
        assert_eq!(
            category("pharmacy").unwrap_err().code.as_str(),
            "unknown_category"
        );
        assert_eq!(
            skills(["meal", "meal", "other"]).unwrap(),
            vec!["meal", "other"]
        );
        assert!(skills([]).is_err());
        assert_eq!("high".parse::<Urgency>().unwrap(), Urgency::High);
        assert!("soon".parse::<Urgency>().is_err());
        let now = Utc::now();
        assert!(needed_by(Some(now - chrono::Duration::hours(1)), now).is_err());
        assert!(needed_by(Some(now + chrono::Duration::hours(1)), now).is_ok());
    }
}
