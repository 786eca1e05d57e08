//! Accounts: roles, and the rules for emails, passwords, names and phone numbers.

use crate::domain::formats;
use crate::error_code::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::requests::Denied;
use super::Invalid;

/// What an account may do. Volunteers take tasks; organizers run kitchens; coordinators
/// review requests and verify accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Volunteer,
    Organizer,
    Coordinator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Volunteer => "volunteer",
            Role::Organizer => "organizer",
            Role::Coordinator => "coordinator",
        }
    }

    /// The roles anyone may pick when registering; coordinators are made from the CLI.
    pub fn parse_self_service(s: &str) -> Result<Role, Invalid> {
        match s.parse()? {
            Role::Coordinator => Err(Invalid::new(
                ErrorCode::InvalidRole,
                "role must be `volunteer` or `organizer`; coordinators are created by an administrator",
            )),
            role => Ok(role),
        }
    }
}

impl std::str::FromStr for Role {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s {
            "volunteer" => Ok(Role::Volunteer),
            "organizer" => Ok(Role::Organizer),
            "coordinator" => Ok(Role::Coordinator),
            _ => Err(Invalid::new(
                ErrorCode::InvalidRole,
                format!("role must be volunteer, organizer or coordinator, got `{s}`"),
            )),
        }
    }
}

/// What a coordinator may do to an account's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Verify,
    Unverify,
    Suspend,
    Unsuspend,
}

impl Standing {
    /// The verb in the account audit log.
    pub fn event(self) -> &'static str {
        match self {
            Standing::Verify => "verified",
            Standing::Unverify => "unverified",
            Standing::Suspend => "suspended",
            Standing::Unsuspend => "unsuspended",
        }
    }
}

/// Only coordinators change an account's standing, and none may take away their own (a
/// coordinator locked out by mistake needs another one, or the CLI).
pub fn decide_standing(
    actor_role: Role,
    actor_id: i64,
    target: i64,
    change: Standing,
) -> Result<(), Denied> {
    if actor_role != Role::Coordinator {
        return Err(Denied::Forbidden(
            ErrorCode::CoordinatorsOnly,
            "only coordinators may do this".into(),
        ));
    }
    if actor_id == target && matches!(change, Standing::Unverify | Standing::Suspend) {
        return Err(Denied::Conflict(
            ErrorCode::CannotSuspendSelf,
            "you cannot suspend or unverify your own account".into(),
        ));
    }
    Ok(())
}

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;

pub const EMAIL_MAX: usize = 254;

/// A lower-cased email of the published format ([`formats::EMAIL`], at most 254 characters).
pub fn email(raw: &str) -> Result<String, Invalid> {
    if raw.chars().count() > EMAIL_MAX || !formats::is(formats::EMAIL, raw) {
        return Err(Invalid::new(
            ErrorCode::InvalidEmail,
            format!("not a valid email address: `{raw}`"),
        ));
    }
    Ok(raw.trim().to_lowercase())
}

pub fn password(raw: &str) -> Result<&str, Invalid> {
    let n = raw.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&n) {
        return Err(Invalid::new(
            ErrorCode::InvalidPassword,
            format!("password must have {PASSWORD_MIN} to {PASSWORD_MAX} characters, got {n}"),
        ));
    }
    Ok(raw)
}

/// Free text of the published format ([`formats::TEXT`]: something visible, no control
/// characters but tabs and line breaks) and at most `max` characters, trimmed.
pub fn text(field: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let n = raw.chars().count();
    if n > max {
        return Err(Invalid::new(
            ErrorCode::InvalidText,
            format!("{field} must have at most {max} characters, got {n}"),
        ));
    }
    if !formats::is(formats::TEXT, raw) {
        return Err(Invalid::new(
            ErrorCode::InvalidText,
            format!("{field} must have a visible character and no control characters"),
        ));
    }
    let t = raw.trim();
    Ok(if t.is_empty() { raw } else { t }.to_string())
}

/// Like [`text`], but absent (null) is allowed.
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, Invalid> {
    raw.map(|t| text(field, t, max)).transpose()
}

/// A phone number of the published format ([`formats::PHONE`]).
pub fn phone(raw: &str) -> Result<String, Invalid> {
    if !formats::is(formats::PHONE, raw) {
        return Err(Invalid::new(
            ErrorCode::InvalidPhone,
            format!("not a phone number: `{raw}`"),
        ));
    }
    Ok(raw.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(email("  Ana@Example.org ").unwrap(), "ana@example.org");
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.org",
            "a@b",
            "a b@x.org",
            "a@x@y.org",
            "a@x.",
        ] {
            assert_eq!(
                email(bad).unwrap_err().code.as_str(),
                "invalid_email",
                "{bad}"
            );
        }
    }

    #[test]
    fn only_coordinators_change_standing_and_not_their_own() {
        assert!(decide_standing(Role::Coordinator, 1, 2, Standing::Suspend).is_ok());
        assert!(decide_standing(Role::Coordinator, 1, 1, Standing::Verify).is_ok());
        assert!(matches!(
            decide_standing(Role::Coordinator, 1, 1, Standing::Suspend),
            Err(Denied::Conflict(ErrorCode::CannotSuspendSelf, _))
        ));
        assert!(matches!(
            decide_standing(Role::Volunteer, 1, 2, Standing::Verify),
            Err(Denied::Forbidden(ErrorCode::CoordinatorsOnly, _))
        ));
    }

    #[test]
    fn passwords_need_eight_characters() {
        assert!(password("1234567").is_err());
        assert!(password("12345678").is_ok());
        assert!(password(&"x".repeat(257)).is_err());
    }

    #[test]
    fn registration_cannot_ask_for_coordinator() {
        assert_eq!(
            Role::parse_self_service("organizer").unwrap(),
            Role::Organizer
        );
        assert_eq!(
            Role::parse_self_service("coordinator")
                .unwrap_err()
                .code
                .as_str(),
            "invalid_role"
        );
        assert!(Role::parse_self_service("admin").is_err());
    }

    #[test]
    fn phones_accept_local_formats_only() {
        assert_eq!(phone(" +54 342 455-1234 ").unwrap(), "+54 342 455-1234");
        assert!(phone("(0342) 4551234").is_ok());
        assert!(phone("12345").is_err());
        assert!(phone("call me").is_err());
        assert!(phone("54+342455").is_err());
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(text("name", "  Ana ", 10).unwrap(), "Ana");
        assert!(text("name", "   ", 10).is_err());
        assert!(text("name", "abcdefghijk", 10).is_err());
        assert!(optional_text("x", Some("  "), 5).is_err());
        assert_eq!(optional_text("x", None, 5).unwrap(), None);
        assert!(text("name", "a\u{0}b", 10).is_err());
        assert_eq!(text("note", "a\nb", 10).unwrap(), "a\nb");
        assert!(email("a\u{0}@x.org").is_err());
    }
}
