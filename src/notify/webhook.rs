//! Signed webhooks, for SMS and WhatsApp gateways run by the organisation itself.
//!
//! Each POST carries `X-Antes-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
//! `"<t>.<body>"` with a secret shared with the receiver, in the style of Stripe and GitHub:
//! the MAC proves the body came from us, and the signed timestamp lets the receiver refuse a
//! captured request replayed later. `Idempotency-Key` (the outbox key) lets it drop a resend
//! of a message it already took, since after a lost reply we cannot know it did.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::notify::Failure;

pub const SIGNATURE_HEADER: &str = "X-Antes-Signature";
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// A gateway that has not answered by then is taken as down; the outbox tries again later.
const TIMEOUT: StdDuration = StdDuration::from_secs(30);

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], t: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn sign(secret: &[u8], body: &[u8], at: DateTime<Utc>) -> String {
    let t = at.timestamp();
    let tag = mac(secret, t, body).finalize().into_bytes();
    format!("t={t},v1={}", hex::encode(tag))
}

/// What a receiver does: parse the header, refuse a timestamp more than `window` away from
/// `now` (either way: a clock ahead is as suspect as a replay), and compare the MAC in
/// constant time. Unknown fields are ignored and any one of several `v1` may match, so the
/// format can grow (a new scheme, two secrets while one is rotated) without breaking
/// receivers. `Err` says why the request was refused.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now: DateTime<Utc>,
    window: Duration,
) -> Result<(), String> {
    let mut t = None;
    let mut tags = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            return Err(format!("malformed signature field {part:?}"));
        };
        match key {
            "t" => {
                let secs = value
                    .parse::<i64>()
                    .map_err(|_| format!("malformed timestamp {value:?}"))?;
                t = Some(secs);
            }
            "v1" => tags.push(hex::decode(value).map_err(|_| "signature is not hex".to_string())?),
            _ => {}
        }
    }
    let t = t.ok_or("no timestamp in the signature")?;
    if tags.is_empty() {
        return Err("no v1 signature".to_string());
    }
    let at = DateTime::from_timestamp(t, 0).ok_or("timestamp out of range")?;
    let skew = (now - at).abs();
    if skew > window {
        return Err(format!(
            "timestamp {}s away from now, more than the {}s allowed",
            skew.num_seconds(),
            window.num_seconds()
        ));
    }
    let expected = mac(secret, t, body);
    // verify_slice compares in constant time, so timing does not reveal the right MAC.
    if tags
        .iter()
        .any(|tag| expected.clone().verify_slice(tag).is_ok())
    {
        Ok(())
    } else {
        Err("signature does not match".to_string())
    }
}

/// POSTs `body` as JSON, signed at `now`, with `key` as the idempotency key. 2xx is done;
/// 408, 429, 5xx and network errors are worth retrying; any other answer is a refusal.
pub async fn send(
    client: &reqwest::Client,
    url: &str,
    secret: &[u8],
    body: &serde_json::Value,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    // The exact bytes signed are the bytes sent.
    let bytes = serde_json::to_vec(body).map_err(|e| Failure::GiveUp(e.to_string()))?;
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, sign(secret, &bytes, now))
        .header(IDEMPOTENCY_HEADER, key)
        .timeout(TIMEOUT)
        .body(bytes)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        // Gateway URLs may hold a token: leave the URL out of the error text.
        Err(e) if e.is_builder() => {
            return Err(Failure::GiveUp(format!(
                "webhook request not valid: {}",
                error_chain(&e.without_url())
            )))
        }
        Err(e) => {
            return Err(Failure::Retry(format!(
                "webhook not reached: {}",
                error_chain(&e.without_url())
            )))
        }
    };
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    // A little of the answer helps whoever reads the outbox to see why.
    let text = response.text().await.unwrap_or_default();
    let why = format!(
        "webhook answered {status}: {}",
        text.chars().take(200).collect::<String>()
    );
    match status.as_u16() {
        408 | 429 | 500..=599 => Err(Failure::Retry(why)),
        _ => Err(Failure::GiveUp(why)),
    }
}

/// reqwest's own message is often just "error sending request"; the cause is further down.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"un secreto compartido";
    const BODY: &[u8] = br#"{"to":"+5493410000000","text":"Pedido de ayuda cerca"}"#;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    fn window() -> Duration {
        Duration::minutes(5)
    }

    #[test]
    fn a_signature_verifies() {
        let header = sign(SECRET, BODY, at(1_700_000_000));
        assert!(header.starts_with("t=1700000000,v1="), "{header}");
        assert_eq!(header.len(), "t=1700000000,v1=".len() + 64);
        assert_eq!(
            verify(SECRET, &header, BODY, at(1_700_000_010), window()),
            Ok(())
        );
    }

    #[test]
    fn a_known_vector_matches() {
        // Computed independently: Python's hmac.new(b"key", b'1700000000.{"a":1}', sha256).
        assert_eq!(
            sign(b"key", br#"{"a":1}"#, at(1_700_000_000)),
            "t=1700000000,v1=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03"
        );
    }

    #[test]
    fn a_tampered_body_is_refused() {
        let header = sign(SECRET, BODY, at(1_700_000_000));
        let tampered = br#"{"to":"+5493419999999","text":"Pedido de ayuda cerca"}"#;
        let err = verify(SECRET, &header, tampered, at(1_700_000_000), window()).unwrap_err();
        assert!(err.contains("does not match"), "{err}");
    }

    #[test]
    fn a_wrong_secret_is_refused() {
        let header = sign(b"otro secreto", BODY, at(1_700_000_000));
        assert!(verify(SECRET, &header, BODY, at(1_700_000_000), window()).is_err());
    }

    #[test]
    fn a_changed_timestamp_breaks_the_signature() {
        let header = sign(SECRET, BODY, at(1_700_000_000));
        let moved = header.replace("t=1700000000", "t=1700000100");
        assert!(verify(SECRET, &moved, BODY, at(1_700_000_100), window()).is_err());
    }

    #[test]
    fn old_and_future_timestamps_are_refused() {
        let header = sign(SECRET, BODY, at(1_700_000_000));
        let late = verify(SECRET, &header, BODY, at(1_700_000_301), window()).unwrap_err();
        assert!(late.contains("301s"), "{late}");
        let early = verify(SECRET, &header, BODY, at(1_699_999_699), window());
        assert!(early.is_err());
        // The edges of the window are still inside.
        assert!(verify(SECRET, &header, BODY, at(1_700_000_300), window()).is_ok());
        assert!(verify(SECRET, &header, BODY, at(1_699_999_700), window()).is_ok());
    }

    #[test]
    fn malformed_headers_are_refused() {
        let good = sign(SECRET, BODY, at(1_700_000_000));
        let tag = good.split(",v1=").nth(1).unwrap();
        for header in [
            String::new(),
            "garbage".to_string(),
            format!("v1={tag}"),
            "t=1700000000".to_string(),
            format!("t=soon,v1={tag}"),
            "t=1700000000,v1=not-hex".to_string(),
            format!("t=99999999999999999,v1={tag}"),
            format!("t=1700000000,v1={}", &tag[..32]),
        ] {
            assert!(
                verify(SECRET, &header, BODY, at(1_700_000_000), window()).is_err(),
                "{header:?}"
            );
        }
    }

    #[test]
    fn unknown_fields_and_extra_signatures_are_tolerated() {
        let good = sign(SECRET, BODY, at(1_700_000_000));
        let tag = good.split(",v1=").nth(1).unwrap();
        let header = format!("t=1700000000, v0=abc, v1={}, v1={tag}", "00".repeat(32));
        assert_eq!(
            verify(SECRET, &header, BODY, at(1_700_000_000), window()),
            Ok(())
        );
    }

    #[tokio::test]
    async fn an_unreachable_gateway_is_retried_and_a_bad_url_given_up() {
        // Bind and drop to get a port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = reqwest::Client::new();
        let body = serde_json::json!({"text": "hola"});
        let url = format!("http://127.0.0.1:{port}/hook?token=s3cret");
        let down = send(&client, &url, SECRET, &body, "k1", Utc::now()).await;
        match down {
            Err(Failure::Retry(why)) => assert!(!why.contains("s3cret"), "{why}"),
            other => panic!("expected Retry, got {other:?}"),
        }
        let bad = send(&client, "not a url", SECRET, &body, "k1", Utc::now()).await;
        assert!(matches!(bad, Err(Failure::GiveUp(_))), "{bad:?}");
    }
}
