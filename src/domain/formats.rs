//! The text formats the API publishes in its OpenAPI document as JSON Schema patterns, and
//! enforces with the very same regexes, so the document and the server cannot disagree.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex::Regex;

/// Free text: at least one visible character, and no control characters other than tab and
/// line breaks (PostgreSQL refuses NUL in text).
pub const TEXT: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*[^\x00-\x20\x7F-\x9F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";

/// An email: one `@`, a dot in the domain, no spaces or control characters.
pub const EMAIL: &str =
    r"^ *[^\x00-\x20\x7F-\x9F@]+@[^\x00-\x20\x7F-\x9F@]+\.[^\x00-\x20\x7F-\x9F@.]+ *$";

/// A phone number as people write it: 6 to 20 digits with spaces, dashes, dots and brackets,
/// and one leading `+`.
pub const PHONE: &str = r"^ *\+?[ ().-]*([0-9][ ().-]*){6,20}$";

/// A time of day, `HH:MM` on a 24-hour clock.
pub const CLOCK: &str = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

/// An H3 cell of resolution 0 to 8, in lower-case hex.
pub const CELL_ID: &str = "^8[0-8][0-9a-f]{13}$";

/// A URL as a browser gives a push endpoint: no spaces or control characters.
pub const URL: &str = r"^[^\x00-\x20\x7F-\x9F]+$";

/// A token the server made ([`crate::secrets::new_token`]): 64 lower-case hex digits.
pub const TOKEN: &str = "^[0-9a-f]{64}$";

/// A decimal number as a map sends one.
const NUMBER: &str = r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?";

/// The longest `bbox` value taken.
pub const BBOX_MAX: usize = 200;

/// `minLon,minLat,maxLon,maxLat`.
pub fn bbox() -> String {
    format!("^{NUMBER},{NUMBER},{NUMBER},{NUMBER}$")
}

/// Whether `text` has the format `pattern`.
pub fn is(pattern: &str, text: &str) -> bool {
    static COMPILED: OnceLock<Mutex<HashMap<String, Regex>>> = OnceLock::new();
    let mut cache = COMPILED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    cache
        .entry(pattern.to_string())
        .or_insert_with(|| Regex::new(pattern).expect("a valid built-in pattern"))
        .is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_needs_something_visible_and_no_control_characters() {
        assert!(is(TEXT, "Leche y pan"));
        assert!(is(TEXT, "  línea uno\nlínea dos\t"));
        assert!(!is(TEXT, ""));
        assert!(!is(TEXT, " \n\t "));
        assert!(!is(TEXT, "a\u{0}b"));
        assert!(!is(TEXT, "a\u{85}b"));
    }

    #[test]
    fn emails_and_phones_are_checked_by_their_published_patterns() {
        assert!(is(EMAIL, "ana@example.org"));
        assert!(!is(EMAIL, "ana@example"));
        assert!(!is(EMAIL, "a b@example.org"));
        assert!(!is(EMAIL, "a@b@example.org"));
        assert!(is(PHONE, "+54 342 400-0000"));
        assert!(is(PHONE, "(0342) 455.1234"));
        assert!(!is(PHONE, "12345"));
        assert!(!is(PHONE, "54+342 4000000"));
        assert!(!is(PHONE, "123456789012345678901"));
    }

    #[test]
    fn a_bbox_is_four_plain_numbers() {
        assert!(is(&bbox(), "-60.75,-31.68,-60.65,-31.58"));
        assert!(is(&bbox(), "0,0,1e-7,1"));
        assert!(!is(&bbox(), "-60.75, -31.68,-60.65,-31.58"));
        assert!(!is(&bbox(), "inf,0,0,0"));
        assert!(!is(&bbox(), "1,2,3"));
    }
}
