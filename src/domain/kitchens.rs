//! Community kitchens' needs: supplies with quantities and pledges, and volunteer shifts with
//! slots. Validation and the rules that decide sign-ups and pledges live here; who runs a
//! kitchen and what an edit does is `place_admin`.

use crate::error_code::ErrorCode;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts;
use super::Invalid;

/// What is still missing of a supplies need; never negative.
pub fn remaining(quantity: f64, pledged: f64) -> f64 {
    (quantity - pledged).max(0.0)
}

/// What a shift volunteer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShiftRole {
    Cook,
    Serve,
    Deliver,
    Clean,
}

impl ShiftRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftRole::Cook => "cook",
            ShiftRole::Serve => "serve",
            ShiftRole::Deliver => "deliver",
            ShiftRole::Clean => "clean",
        }
    }
}

/// The body of `POST /api/places/{id}/needs`, tagged by `kind`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NewNeed {
    Supplies {
        item: String,
        quantity: f64,
        unit: String,
        needed_by: Option<DateTime<Utc>>,
    },
    Shift {
        role: ShiftRole,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        #[serde(deserialize_with = "crate::domain::whole::i32")]
        slots: i32,
    },
}

pub const MAX_SLOTS: i32 = 100;
pub const MAX_SHIFT_HOURS: i64 = 16;

/// The two kinds of need.
pub fn need_kind(raw: &str) -> Result<&'static str, Invalid> {
    match raw {
        "supplies" => Ok("supplies"),
        "shift" => Ok("shift"),
        other => Err(Invalid::new(
            ErrorCode::InvalidKind,
            format!("kind must be `supplies` or `shift`, got `{other}`"),
        )),
    }
}

impl NewNeed {
    /// Checks a new need against `now`: positive amounts, a future end, a sensible shift.
    pub fn validate(self, now: DateTime<Utc>) -> Result<NewNeed, Invalid> {
        match self {
            NewNeed::Supplies {
                item,
                quantity,
                unit,
                needed_by,
            } => {
                if !quantity.is_finite() || quantity <= 0.0 || quantity > 1_000_000.0 {
                    return Err(Invalid::new(
                        ErrorCode::InvalidNeed,
                        format!("`quantity` must be greater than 0, got {quantity}"),
                    ));
                }
                if needed_by.is_some_and(|t| t <= now) {
                    return Err(Invalid::new(
                        ErrorCode::InvalidNeed,
                        "`needed_by` is in the past",
                    ));
                }
                Ok(NewNeed::Supplies {
                    item: accounts::text("item", &item, 120)?,
                    quantity,
                    unit: accounts::text("unit", &unit, 30)?,
                    needed_by,
                })
            }
            NewNeed::Shift {
                role,
                starts_at,
                ends_at,
                slots,
            } => {
                if ends_at <= starts_at {
                    return Err(Invalid::new(
                        ErrorCode::InvalidNeed,
                        "`ends_at` must be after `starts_at`",
                    ));
                }
                if ends_at - starts_at > Duration::hours(MAX_SHIFT_HOURS) {
                    return Err(Invalid::new(
                        ErrorCode::InvalidNeed,
                        format!("a shift lasts at most {MAX_SHIFT_HOURS} hours"),
                    ));
                }
                if ends_at <= now {
                    return Err(Invalid::new(
                        ErrorCode::InvalidNeed,
                        "the shift has already ended",
                    ));
                }
                if !(1..=MAX_SLOTS).contains(&slots) {
                    return Err(Invalid::new(
                        ErrorCode::InvalidNeed,
                        format!("`slots` must be between 1 and {MAX_SLOTS}, got {slots}"),
                    ));
                }
                Ok(NewNeed::Shift {
                    role,
                    starts_at,
                    ends_at,
                    slots,
                })
            }
        }
    }
}

/// Whether two time ranges overlap; touching ends (one ends as the next starts) do not.
pub fn overlaps(a: (DateTime<Utc>, DateTime<Utc>), b: (DateTime<Utc>, DateTime<Utc>)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Why a sign-up is refused, if it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupRefusal {
    NotOpen,
    Started,
    AlreadySignedUp,
    Full,
    Overlap,
}

/// Decides a shift sign-up from the shift's state and the volunteer's other shifts.
pub fn decide_signup(
    now: DateTime<Utc>,
    status: &str,
    taken: i64,
    slots: i32,
    already: bool,
    shift: (DateTime<Utc>, DateTime<Utc>),
    my_other_shifts: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Result<(), SignupRefusal> {
    if status != "open" {
        return Err(SignupRefusal::NotOpen);
    }
    if shift.0 <= now {
        return Err(SignupRefusal::Started);
    }
    if already {
        return Err(SignupRefusal::AlreadySignedUp);
    }
    if taken >= i64::from(slots) {
        return Err(SignupRefusal::Full);
    }
    if my_other_shifts.iter().any(|o| overlaps(*o, shift)) {
        return Err(SignupRefusal::Overlap);
    }
    Ok(())
}

/// Why a pledge is refused, if it is.
#[derive(Debug, Clone, PartialEq)]
pub enum PledgeRefusal {
    NotOpen,
    BadQuantity(f64),
    /// More than is still missing, which is given.
    TooMuch(f64),
}

/// Over-pledging is refused: a pledge may not exceed what is still missing, so the kitchen
/// never receives more promises than it asked for and the remainder stays truthful.
pub fn decide_pledge(status: &str, quantity: f64, remaining: f64) -> Result<(), PledgeRefusal> {
    if status != "open" {
        return Err(PledgeRefusal::NotOpen);
    }
    if !quantity.is_finite() || quantity <= 0.0 {
        return Err(PledgeRefusal::BadQuantity(quantity));
    }
    // A small tolerance so decimal amounts that add up exactly are not refused.
    if quantity > remaining + 1e-9 {
        return Err(PledgeRefusal::TooMuch(remaining));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::hours(h)
    }

    #[test]
    fn what_is_missing_is_never_negative() {
        assert_eq!(remaining(10.0, 12.0), 0.0);
        assert_eq!(remaining(10.0, 4.0), 6.0);
    }

    #[test]
    fn shifts_that_touch_do_not_overlap_but_shared_minutes_do() {
        assert!(!overlaps((t(10), t(12)), (t(12), t(14))));
        assert!(overlaps((t(10), t(13)), (t(12), t(14))));
        assert!(overlaps((t(10), t(20)), (t(12), t(14))));
    }

    #[test]
    fn sign_ups_are_refused_when_full_repeated_overlapping_started_or_closed() {
        let shift = (t(10), t(12));
        let now = t(0);
        let decide = |status, taken, already, mine: &[_]| {
            decide_signup(now, status, taken, 3, already, shift, mine)
        };
        assert_eq!(decide("open", 2, false, &[]), Ok(()));
        assert_eq!(decide("open", 3, false, &[]), Err(SignupRefusal::Full));
        assert_eq!(
            decide("open", 0, true, &[]),
            Err(SignupRefusal::AlreadySignedUp)
        );
        assert_eq!(
            decide("open", 0, false, &[(t(11), t(13))]),
            Err(SignupRefusal::Overlap)
        );
        assert_eq!(decide("closed", 0, false, &[]), Err(SignupRefusal::NotOpen));
        assert_eq!(
            decide_signup(t(10), "open", 0, 3, false, shift, &[]),
            Err(SignupRefusal::Started)
        );
    }

    #[test]
    fn pledges_may_fill_but_not_exceed_what_is_missing() {
        assert!(decide_pledge("open", 5.0, 5.0).is_ok());
        assert_eq!(
            decide_pledge("open", 5.5, 5.0),
            Err(PledgeRefusal::TooMuch(5.0))
        );
        assert_eq!(
            decide_pledge("open", 0.0, 5.0),
            Err(PledgeRefusal::BadQuantity(0.0))
        );
        assert_eq!(
            decide_pledge("closed", 1.0, 5.0),
            Err(PledgeRefusal::NotOpen)
        );
    }

    #[test]
    fn needs_are_validated_against_the_clock() {
        let now = t(0);
        let shift = |s, e, slots| NewNeed::Shift {
            role: ShiftRole::Cook,
            starts_at: t(s),
            ends_at: t(e),
            slots,
        };
        assert!(shift(1, 3, 3).validate(now).is_ok());
        assert!(shift(3, 1, 3).validate(now).is_err());
        assert!(shift(1, 30, 3).validate(now).is_err());
        assert!(shift(1, 3, 0).validate(now).is_err());
        assert!(shift(-5, -3, 2).validate(now).is_err());
        let supplies = |q: f64, item: &str| NewNeed::Supplies {
            item: item.into(),
            quantity: q,
            unit: "kg".into(),
            needed_by: None,
        };
        assert!(supplies(10.0, "Harina").validate(now).is_ok());
        assert!(supplies(-1.0, "Harina").validate(now).is_err());
        assert!(supplies(1.0, "  ").validate(now).is_err());
        assert_eq!(
            supplies(1.0, "Har\u{0}ina")
                .validate(now)
                .unwrap_err()
                .code
                .as_str(),
            "invalid_text"
        );
    }
}
