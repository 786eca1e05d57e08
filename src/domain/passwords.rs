//! The password policy: long enough, not one of the most common passwords (a bundled list),
//! and hard to guess by the zxcvbn estimator, given what else the account says about itself.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::domain::accounts::{PASSWORD_MAX, PASSWORD_MIN};
use crate::domain::Invalid;
use crate::error_code::ErrorCode;

/// zxcvbn's score (0–4) a new password needs: 3 is "safely unguessable", about 10^8 guesses.
pub const MIN_SCORE: u8 = 3;

fn common() -> &'static HashSet<&'static str> {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../../fixtures/common-passwords.txt")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

/// Whether the bundled list of the most common passwords holds `password` (case ignored).
pub fn is_common(password: &str) -> bool {
    common().contains(password.trim().to_lowercase().as_str())
}

/// Checks a new password. `context` holds what an attacker would try first: the email, the
/// name, the service's own name.
pub fn check_new(password: &str, context: &[&str]) -> Result<(), Invalid> {
    let n = password.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&n) {
        return Err(Invalid::new(
            ErrorCode::InvalidPassword,
            format!("password must have {PASSWORD_MIN} to {PASSWORD_MAX} characters, got {n}"),
        ));
    }
    if is_common(password) {
        return Err(Invalid::new(
            ErrorCode::WeakPassword,
            "this is one of the most common passwords; choose another",
        ));
    }
    let mut inputs: Vec<String> = ["antes", "salir", "antesdesalir", "ayuda"]
        .map(String::from)
        .to_vec();
    for c in context {
        let c = c.to_lowercase();
        inputs.extend(c.split(['@', '.', ' ', '_', '-']).map(String::from));
        inputs.push(
            c.split('@')
                .next()
                .unwrap_or_default()
                .replace(['.', '_', '-'], ""),
        );
        inputs.push(c.replace(' ', ""));
    }
    let inputs: Vec<&str> = inputs
        .iter()
        .map(String::as_str)
        .filter(|s| s.len() > 2)
        .collect();
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if u8::from(estimate.score()) < MIN_SCORE {
        let hint = estimate
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| format!(" ({w})"))
            .unwrap_or_default();
        return Err(Invalid::new(
            ErrorCode::WeakPassword,
            format!("this password is too easy to guess{hint}; a few unrelated words work well"),
        ));
    }
    Ok(())
}

/// How long a reset link works.
pub fn reset_link_lifetime() -> chrono::Duration {
    chrono::Duration::hours(24)
}

/// Whether a reset link may still be used: once, within its lifetime.
pub fn reset_usable(
    expires_at: chrono::DateTime<chrono::Utc>,
    used_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), crate::domain::requests::Denied> {
    if used_at.is_some() || now >= expires_at {
        return Err(crate::domain::requests::Denied::Forbidden(
            ErrorCode::ResetLinkInvalid,
            "this reset link was already used or has expired; ask a coordinator for a new one"
                .into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(password: &str, context: &[&str]) -> Option<&'static str> {
        check_new(password, context).err().map(|e| e.code.as_str())
    }

    #[test]
    fn the_most_common_passwords_are_refused_whatever_their_case() {
        assert!(is_common("password"));
        assert!(is_common("Password"));
        assert!(is_common("qwerty123"));
        assert_eq!(code("password", &[]), Some("weak_password"));
        assert_eq!(code("password1", &[]), Some("weak_password"));
        assert_eq!(code("1q2w3e4r5t", &[]), Some("weak_password"));
    }

    #[test]
    fn guessable_passwords_are_refused_and_passphrases_pass() {
        assert_eq!(code("long enough", &[]), Some("weak_password"));
        assert_eq!(code("Rosario1234", &[]), Some("weak_password"));
        assert_eq!(code("tengo un perro llamado toby", &[]), None);
        assert_eq!(code("correct horse battery", &[]), None);
    }

    #[test]
    fn the_accounts_own_email_and_name_do_not_make_a_password() {
        let context = ["marta.gomez@example.org", "Marta Gomez"];
        assert_eq!(code("martagomez2024", &context), Some("weak_password"));
        // The same password from someone else is fine: it is the context that gives it away.
        assert_eq!(code("martagomez2024", &["juan@example.org"]), None);
        assert_eq!(code("antesdesalir", &[]), Some("weak_password"));
    }

    #[test]
    fn a_reset_link_works_once_and_for_a_day() {
        let issued = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let expires = issued + reset_link_lifetime();
        assert!(reset_usable(expires, None, issued + chrono::Duration::hours(23)).is_ok());
        assert!(reset_usable(expires, None, expires).is_err());
        assert!(reset_usable(expires, Some(issued), issued).is_err());
    }

    #[test]
    fn length_is_checked_first() {
        assert_eq!(code("short", &[]), Some("invalid_password"));
        assert_eq!(code(&"a".repeat(300), &[]), Some("invalid_password"));
    }
}
