//! What a browser's Web Push subscription may be: its bounds, and an endpoint the server may
//! post to.

use super::formats;

/// The longest push endpoint, browser key and auth secret taken (as the database holds them).
pub const PUSH_ENDPOINT_MAX: usize = 1024;
pub const PUSH_KEY_MAX: usize = 128;
pub const PUSH_AUTH_MAX: usize = 64;

/// Whether a subscription's parts fit their bounds, before anything else is checked.
pub fn fits(endpoint: &str, p256dh: &str, auth: &str) -> Result<(), String> {
    let fits = |s: &str, max: usize| s.chars().count() <= max;
    if !(fits(endpoint, PUSH_ENDPOINT_MAX)
        && fits(p256dh, PUSH_KEY_MAX)
        && fits(auth, PUSH_AUTH_MAX))
    {
        return Err(format!(
            "a push endpoint has at most {PUSH_ENDPOINT_MAX} characters, p256dh {PUSH_KEY_MAX} and auth {PUSH_AUTH_MAX}"
        ));
    }
    // PostgreSQL refuses NUL in text, and no browser gives spaces or control characters.
    if !formats::is(formats::URL, endpoint) {
        return Err("a push endpoint is a URL, with no spaces or control characters".into());
    }
    Ok(())
}

/// A push endpoint the server may post to: https, on a named host that is not this machine.
/// Browsers give push services' URLs; anything else would let a user aim the server's
/// requests at an address of their choosing.
pub fn public_endpoint(endpoint: &str) -> Result<(), String> {
    let rest = endpoint
        .strip_prefix("https://")
        .ok_or("a push endpoint must be an https URL")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ip_like = host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok();
    if host.is_empty()
        || ip_like
        || host == "localhost"
        || host.ends_with(".localhost")
        || !host.contains('.')
    {
        return Err(format!(
            "a push endpoint must be on a push service's host, not `{host}`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_with_control_characters_or_spaces_do_not_fit() {
        assert!(fits("https://push.example.org/a", "", "").is_ok());
        for bad in [
            "https://push.example.org/a\u{0}b",
            "https://a.org/ b",
            "",
            "x\u{85}",
        ] {
            assert!(fits(bad, "", "").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn push_endpoints_must_be_https_on_a_named_public_host() {
        assert!(public_endpoint("https://fcm.googleapis.com/fcm/send/abc").is_ok());
        assert!(public_endpoint("https://updates.push.services.mozilla.com/wpush/v2/x").is_ok());
        for bad in [
            "http://fcm.googleapis.com/x",
            "https://127.0.0.1/x",
            "https://[::1]:8443/x",
            "https://localhost:9000/x",
            "https://intranet/x",
            "https://user@10.0.0.1/x",
            "ftp://example.org/x",
        ] {
            assert!(public_endpoint(bad).is_err(), "{bad}");
        }
    }
}
