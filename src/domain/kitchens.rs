//! Community kitchens' needs: supplies with quantities and pledges, and volunteer shifts with
//! slots. Validation and the rules that decide sign-ups and pledges live here.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::{self, Role};
use super::requests::Denied;
use super::Invalid;

/// Who may manage a place (post and close needs, edit it, see who signed up and who pledged):
/// coordinators, and the place's own organizers once a coordinator has verified them. An
/// unverified organizer of an approved kitchen could otherwise change it unreviewed and read
/// its volunteers' phones.
pub fn may_manage(role: Role, verified: bool, is_organizer_of_place: bool) -> Result<(), Denied> {
    if role == Role::Coordinator {
        return Ok(());
    }
    if !is_organizer_of_place {
        return Err(Denied::Forbidden(
            "not_an_organizer",
            "only this kitchen's organizers and coordinators may do this".into(),
        ));
    }
    if !verified {
        return Err(Denied::Forbidden(
            "not_verified",
            "a coordinator must verify your account before you manage a kitchen".into(),
        ));
    }
    Ok(())
}

/// The status a place has after an edit. The name, location and phone are what people trust
/// a kitchen by, so changing any of them on an approved place sends it back to review, unless
/// a coordinator made the change.
pub fn status_after_edit(current: &str, by_coordinator: bool, identity_changed: bool) -> &str {
    if current == "active" && identity_changed && !by_coordinator {
        "pending_review"
    } else {
        current
    }
}

/// The status a hand-made place starts in, or `None` when the role may not create places.
/// Unverified organizers' places wait for a coordinator, so a scammer cannot publish a fake
/// kitchen that collects donations.
pub fn initial_place_status(role: Role, verified: bool) -> Option<&'static str> {
    match role {
        Role::Coordinator => Some("active"),
        Role::Organizer if verified => Some("active"),
        Role::Organizer => Some("pending_review"),
        Role::Volunteer => None,
    }
}

/// Checks serving or opening hours written in OSM `opening_hours` syntax.
pub fn parse_hours(raw: &str) -> Result<(), Invalid> {
    raw.trim()
        .parse::<opening_hours::OpeningHours>()
        .map(|_| ())
        .map_err(|_| {
            Invalid::new(
                "invalid_opening_hours",
                format!("`{raw}` is not in OpenStreetMap opening_hours syntax (e.g. `Mo-Fr 11:30-14:00`)"),
            )
        })
}

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
        slots: i32,
    },
}

pub const MAX_SLOTS: i32 = 100;
pub const MAX_SHIFT_HOURS: i64 = 16;

/// Place fields people type, checked like account texts (no control characters, which
/// PostgreSQL refuses); empty means absent.
pub fn place_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    accounts::optional_text(field, value, max)
}

/// A place's phone, checked like an account's; empty means absent.
pub fn place_phone(value: Option<&str>) -> Result<Option<String>, Invalid> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(p) => accounts::phone(p).map(Some),
    }
}

/// Meals a day, when given, within reason.
pub fn meals_per_day(value: Option<i32>) -> Result<Option<i32>, Invalid> {
    match value {
        Some(m) if !(0..=100_000).contains(&m) => Err(Invalid::new(
            "invalid_place",
            format!("`meals_per_day` must be between 0 and 100000, got {m}"),
        )),
        v => Ok(v),
    }
}

/// Who may be made one of a place's organizers: organizers and coordinators.
pub fn may_organize(role: Role) -> bool {
    matches!(role, Role::Organizer | Role::Coordinator)
}

/// The two kinds of need.
pub fn need_kind(raw: &str) -> Result<&'static str, Invalid> {
    match raw.trim() {
        "supplies" => Ok("supplies"),
        "shift" => Ok("shift"),
        other => Err(Invalid::new(
            "invalid_kind",
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
                        "invalid_need",
                        format!("`quantity` must be greater than 0, got {quantity}"),
                    ));
                }
                if needed_by.is_some_and(|t| t <= now) {
                    return Err(Invalid::new("invalid_need", "`needed_by` is in the past"));
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
                        "invalid_need",
                        "`ends_at` must be after `starts_at`",
                    ));
                }
                if ends_at - starts_at > Duration::hours(MAX_SHIFT_HOURS) {
                    return Err(Invalid::new(
                        "invalid_need",
                        format!("a shift lasts at most {MAX_SHIFT_HOURS} hours"),
                    ));
                }
                if ends_at <= now {
                    return Err(Invalid::new("invalid_need", "the shift has already ended"));
                }
                if !(1..=MAX_SLOTS).contains(&slots) {
                    return Err(Invalid::new(
                        "invalid_need",
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

    #[test]
    fn only_verified_organizers_of_the_place_and_coordinators_manage_it() {
        assert!(may_manage(Role::Coordinator, true, false).is_ok());
        assert!(may_manage(Role::Organizer, true, true).is_ok());
        assert!(matches!(
            may_manage(Role::Organizer, false, true),
            Err(Denied::Forbidden("not_verified", _))
        ));
        assert!(matches!(
            may_manage(Role::Organizer, true, false),
            Err(Denied::Forbidden("not_an_organizer", _))
        ));
        assert!(may_manage(Role::Volunteer, true, false).is_err());
    }

    #[test]
    fn identity_edits_by_organizers_go_back_to_review() {
        assert_eq!(status_after_edit("active", false, true), "pending_review");
        assert_eq!(status_after_edit("active", false, false), "active");
        assert_eq!(status_after_edit("active", true, true), "active");
        assert_eq!(
            status_after_edit("pending_review", true, true),
            "pending_review"
        );
    }

    fn t(h: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::hours(h)
    }

    #[test]
    fn only_verified_organizers_and_coordinators_publish_places_at_once() {
        assert_eq!(
            initial_place_status(Role::Coordinator, false),
            Some("active")
        );
        assert_eq!(initial_place_status(Role::Organizer, true), Some("active"));
        assert_eq!(
            initial_place_status(Role::Organizer, false),
            Some("pending_review")
        );
        assert_eq!(initial_place_status(Role::Volunteer, true), None);
        assert!(parse_hours("Mo-Fr 11:30-14:00").is_ok());
        assert_eq!(
            parse_hours("whenever").unwrap_err().code,
            "invalid_opening_hours"
        );
        assert_eq!(remaining(10.0, 12.0), 0.0);
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
            supplies(1.0, "Har\u{0}ina").validate(now).unwrap_err().code,
            "invalid_text"
        );
        assert_eq!(
            place_phone(Some("+54 342 400-0001")).unwrap().as_deref(),
            Some("+54 342 400-0001")
        );
        assert!(place_phone(Some("\u{1}\u{0}")).is_err());
        assert!(place_text("name", Some("A\u{0}B"), 120).is_err());
        assert!(may_organize(Role::Organizer) && !may_organize(Role::Volunteer));
    }
}
