//! Places made by hand: who may manage one, the status it starts in, what an edit does to
//! it, and the checks on the fields people type.

use super::accounts::{self, Role};
use super::requests::Denied;
use super::Invalid;
use crate::error_code::ErrorCode;

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
            ErrorCode::NotAnOrganizer,
            "only this kitchen's organizers and coordinators may do this".into(),
        ));
    }
    if !verified {
        return Err(Denied::Forbidden(
            ErrorCode::NotVerified,
            "a coordinator must verify your account before you manage a kitchen".into(),
        ));
    }
    Ok(())
}

/// What people trust a place by: its name, phone and location (lat, lon).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Identity<'a> {
    pub name: &'a str,
    pub phone: Option<&'a str>,
    pub location: (f64, f64),
}

/// Whether an edit that sets the given fields (`None`: left as it is) changes the identity.
/// Sending a field back unchanged is no change, so a form that resends everything is fine.
pub fn identity_changed(current: Identity<'_>, edit: Identity<'_>, sets: [bool; 3]) -> bool {
    let [name, phone, location] = sets;
    (name && edit.name != current.name)
        || (phone && edit.phone != current.phone)
        || (location && edit.location != current.location)
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
                ErrorCode::InvalidOpeningHours,
                format!("`{raw}` is not in OpenStreetMap opening_hours syntax (e.g. `Mo-Fr 11:30-14:00`)"),
            )
        })
}

/// Place fields people type, checked like account texts (no control characters, which
/// PostgreSQL refuses); empty means absent.
pub fn place_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    accounts::optional_text(field, value, max)
}

/// A place's phone, checked like an account's; empty means absent.
pub fn place_phone(value: Option<&str>) -> Result<Option<String>, Invalid> {
    value.map(accounts::phone).transpose()
}

/// Meals a day, when given, within reason.
pub fn meals_per_day(value: Option<i32>) -> Result<Option<i32>, Invalid> {
    match value {
        Some(m) if !(0..=100_000).contains(&m) => Err(Invalid::new(
            ErrorCode::InvalidPlace,
            format!("`meals_per_day` must be between 0 and 100000, got {m}"),
        )),
        v => Ok(v),
    }
}

/// Who may be made one of a place's organizers: organizers and coordinators.
pub fn may_organize(role: Role) -> bool {
    matches!(role, Role::Organizer | Role::Coordinator)
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
            Err(Denied::Forbidden(ErrorCode::NotVerified, _))
        ));
        assert!(matches!(
            may_manage(Role::Organizer, true, false),
            Err(Denied::Forbidden(ErrorCode::NotAnOrganizer, _))
        ));
        assert!(may_manage(Role::Volunteer, true, false).is_err());
    }

    #[test]
    fn only_a_changed_name_phone_or_location_is_an_identity_change() {
        let now = Identity {
            name: "Comedor",
            phone: Some("+54 342 400-0200"),
            location: (-31.6, -60.7),
        };
        assert!(!identity_changed(now, now, [true, true, true]));
        let renamed = Identity {
            name: "Otro",
            ..now
        };
        assert!(identity_changed(now, renamed, [true, false, false]));
        assert!(!identity_changed(now, renamed, [false, true, true]));
        let moved = Identity {
            location: (-31.61, -60.7),
            ..now
        };
        assert!(identity_changed(now, moved, [false, false, true]));
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
            parse_hours("whenever").unwrap_err().code.as_str(),
            "invalid_opening_hours"
        );
    }

    #[test]
    fn typed_fields_refuse_control_characters_and_bad_phones() {
        assert_eq!(
            place_phone(Some("+54 342 400-0001")).unwrap().as_deref(),
            Some("+54 342 400-0001")
        );
        assert!(place_phone(Some("\u{1}\u{0}")).is_err());
        assert!(place_text("name", Some("A\u{0}B"), 120).is_err());
        assert!(may_organize(Role::Organizer) && !may_organize(Role::Volunteer));
    }
}
