//! Web Push without a push SDK: the message is encrypted for the browser (RFC 8291, the
//! "aes128gcm" content coding of RFC 8188) and the request is signed with the deployment's VAPID
//! key (RFC 8292), then POSTed to the subscription's endpoint (RFC 8030).
//!
//! The push service only relays an opaque body; only the browser holding the subscription's
//! private key and auth secret can read it.

use aes_gcm::aead::Aead;
use aes_gcm::{Aes128Gcm, KeyInit, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::notify::Failure;

pub use super::vapid::{vapid_authorization, VapidKeys};

/// The record size written in the header; one record always fits in it.
const RECORD_SIZE: u32 = 4096;
/// Header (86 bytes) + plaintext + delimiter (1) + tag (16) must fit the 4096 bytes every push
/// service accepts (RFC 8291 §4), which leaves this much plaintext.
pub const MAX_PLAINTEXT: usize = 3993;
/// The uncompressed SEC1 form (65 bytes) that Web Push uses everywhere.
pub(super) fn uncompressed(key: &PublicKey) -> Vec<u8> {
    key.to_encoded_point(false).as_bytes().to_vec()
}

pub(super) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Base64url, tolerating the padding some clients add.
pub(super) fn unb64(what: &str, text: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .map_err(|e| format!("{what} is not base64url: {e}"))
}

/// What the browser's PushManager gave: endpoint and keys.p256dh / keys.auth (base64url).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct Subscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

impl Subscription {
    /// The endpoint is an http(s) URL, `p256dh` a P-256 point and `auth` 16 bytes.
    pub fn check(&self) -> Result<(), String> {
        origin(&self.endpoint)?;
        self.keys().map(|_| ())
    }

    /// The browser's public key (65 bytes, uncompressed) and auth secret.
    fn keys(&self) -> Result<(Vec<u8>, Vec<u8>), String> {
        let ua_public = unb64("p256dh", &self.p256dh)?;
        ua_point(&ua_public)?;
        let auth = unb64("auth", &self.auth)?;
        if auth.len() != 16 {
            return Err(format!("auth must be 16 bytes, got {}", auth.len()));
        }
        Ok((ua_public, auth))
    }
}

/// RFC 8291 wants the uncompressed form: it goes into the key derivation byte for byte.
fn ua_point(bytes: &[u8]) -> Result<PublicKey, String> {
    if bytes.len() != 65 || bytes[0] != 4 {
        let n = bytes.len();
        return Err(format!("p256dh is not an uncompressed point ({n} bytes)"));
    }
    PublicKey::from_sec1_bytes(bytes).map_err(|_| "p256dh is not a point on P-256".to_string())
}

/// `scheme://host[:port]` of an http(s) URL: the VAPID audience.
pub(super) fn origin(endpoint: &str) -> Result<String, String> {
    let url = reqwest::Url::parse(endpoint)
        .map_err(|e| format!("the endpoint is not a URL ({e}): {endpoint}"))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(format!("the endpoint is not an http(s) URL: {endpoint}"));
    }
    Ok(url.origin().ascii_serialization())
}

/// RFC 8291 encryption with a fresh salt and ephemeral key.
pub fn encrypt(sub: &Subscription, plaintext: &[u8]) -> Result<Vec<u8>, String> {
    let (ua_public, auth) = sub.keys()?;
    let (mut salt, as_secret) = ([0u8; 16], SecretKey::random(&mut OsRng));
    OsRng.fill_bytes(&mut salt);
    encrypt_with(&ua_public, &auth, plaintext, salt, &as_secret)
}

/// Same with given salt and ephemeral secret, so the RFC 8291 Appendix A vector can be checked.
pub fn encrypt_with(
    ua_public: &[u8],
    auth: &[u8],
    plaintext: &[u8],
    salt: [u8; 16],
    as_secret: &SecretKey,
) -> Result<Vec<u8>, String> {
    if plaintext.len() > MAX_PLAINTEXT {
        let n = plaintext.len();
        return Err(format!(
            "a push message holds at most {MAX_PLAINTEXT} bytes, not {n}"
        ));
    }
    let ua = ua_point(ua_public)?;
    let as_public = uncompressed(&as_secret.public_key());
    let ecdh = p256::ecdh::diffie_hellman(as_secret.to_nonzero_scalar(), ua.as_affine());

    // §3.3: mix the auth secret and both public keys into the shared secret ...
    let key_info = [b"WebPush: info\0", ua_public, &as_public].concat();
    let mut ikm = [0u8; 32];
    Hkdf::<Sha256>::new(Some(auth), ecdh.raw_secret_bytes())
        .expand(&key_info, &mut ikm)
        .map_err(|e| e.to_string())?;
    // ... then RFC 8188 §2.2-2.3 derive the content key and nonce with the salt.
    let prk = Hkdf::<Sha256>::new(Some(&salt), &ikm);
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek)
        .and_then(|_| prk.expand(b"Content-Encoding: nonce\0", &mut nonce))
        .map_err(|e| e.to_string())?;

    // One record, so its sequence number is 0 and the nonce is used as derived; 0x02 marks
    // the last record, with no further padding.
    let mut record = plaintext.to_vec();
    record.push(2);
    let sealed = Aes128Gcm::new_from_slice(&cek)
        .map_err(|e| e.to_string())?
        .encrypt(Nonce::from_slice(&nonce), record.as_slice())
        .map_err(|e| e.to_string())?;

    let rs = RECORD_SIZE.to_be_bytes();
    Ok([&salt[..], &rs, &[65], &as_public, &sealed].concat())
}

/// The `Topic` header (RFC 8030 §5.4): at most 32 base64url characters. A topic that is not
/// one already becomes the first 24 bytes of its SHA-256, so the same topic still replaces.
pub fn topic_header(topic: &str) -> String {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !topic.is_empty() && topic.len() <= 32 && topic.chars().all(ok) {
        topic.to_string()
    } else {
        b64(&Sha256::digest(topic.as_bytes())[..24])
    }
}

/// POSTs one encrypted message (headers Content-Encoding: aes128gcm, TTL, Urgency, Topic if
/// given, Authorization).
#[allow(clippy::too_many_arguments)]
pub async fn send(
    client: &reqwest::Client,
    keys: &VapidKeys,
    subject: &str,
    sub: &Subscription,
    payload: &[u8],
    ttl_secs: u32,
    urgency: &str,
    topic: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Failure> {
    if !matches!(urgency, "very-low" | "low" | "normal" | "high") {
        return Err(Failure::GiveUp(format!("unknown push urgency {urgency:?}")));
    }
    let body = encrypt(sub, payload).map_err(Failure::GiveUp)?;
    let authorization =
        vapid_authorization(keys, &sub.endpoint, subject, now).map_err(Failure::GiveUp)?;
    let mut req = client
        .post(&sub.endpoint)
        .header("Content-Encoding", "aes128gcm")
        .header("Content-Type", "application/octet-stream")
        .header("TTL", ttl_secs.to_string())
        .header("Urgency", urgency)
        .header("Authorization", authorization)
        .body(body);
    if let Some(topic) = topic {
        req = req.header("Topic", topic_header(topic));
    }
    let res = req
        .send()
        .await
        .map_err(|e| Failure::Retry(format!("push to {}: {e}", host(&sub.endpoint))))?;
    let status = res.status().as_u16();
    if res.status().is_success() {
        return Ok(());
    }
    let text: String = res
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let message = format!("push to {}: HTTP {status} {text}", host(&sub.endpoint));
    Err(classify(status, message))
}

/// Only the host goes into messages: the endpoint's path is the subscription's capability.
fn host(endpoint: &str) -> String {
    origin(endpoint).unwrap_or_else(|_| "?".into())
}

/// What a push service's refusal means for the sender (RFC 8030 §5, RFC 8292 §4.2).
fn classify(status: u16, message: String) -> Failure {
    match status {
        404 | 410 => Failure::Gone(message),
        408 | 429 | 500..=599 => Failure::Retry(message),
        _ => Failure::GiveUp(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Vec<u8> {
        unb64("test value", s).unwrap()
    }

    // RFC 8291 Appendix A.
    const AS_PRIVATE: &str = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    const AS_PUBLIC: &str =
        "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    const UA_PRIVATE: &str = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const SALT: &str = "DGv6ra1nlYgDCS1FRnbzlw";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
    const BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    #[test]
    fn reproduces_the_rfc_8291_example() {
        let secret = |s| SecretKey::from_slice(&d(s)).unwrap();
        // The vector's key pairs belong together.
        let public = |s| b64(&uncompressed(&secret(s).public_key()));
        assert_eq!(public(AS_PRIVATE), AS_PUBLIC);
        assert_eq!(public(UA_PRIVATE), UA_PUBLIC);
        let plaintext = b"When I grow up, I want to be a watermelon";
        let (ua, auth, salt) = (d(UA_PUBLIC), d(AUTH), d(SALT).try_into().unwrap());
        let body = encrypt_with(&ua, &auth, plaintext, salt, &secret(AS_PRIVATE));
        assert_eq!(b64(&body.unwrap()), BODY);
    }

    const ENDPOINT: &str = "https://push.example.net:8443/wpush/v2/abc?x=1";

    fn sub(endpoint: &str, p256dh: &str, auth: &str) -> Subscription {
        let (endpoint, p256dh, auth) = (endpoint.into(), p256dh.into(), auth.into());
        Subscription {
            endpoint,
            p256dh,
            auth,
        }
    }

    #[test]
    fn fresh_encryptions_differ_and_fit() {
        let sub = sub(ENDPOINT, UA_PUBLIC, AUTH);
        let a = encrypt(&sub, b"hola").unwrap();
        assert_ne!(a, encrypt(&sub, b"hola").unwrap());
        assert_eq!(a.len(), 86 + 4 + 1 + 16);
        assert_eq!(a[16..21], [0, 0, 16, 0, 65]);
        assert_eq!(encrypt(&sub, &[b'x'; MAX_PLAINTEXT]).unwrap().len(), 4096);
        assert!(encrypt(&sub, &[b'x'; MAX_PLAINTEXT + 1]).is_err());
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let order = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
        let order = b64(&hex::decode(order).unwrap());
        let zero = "A".repeat(43);
        for bad in ["", "not base64!", "AAAA", &zero, &order, &AS_PRIVATE[..40]] {
            assert!(VapidKeys::from_private(bad).is_err(), "{bad:?}");
        }
        let (keys, now) = (VapidKeys::generate(), Utc::now());
        assert!(vapid_authorization(&keys, "not a url", "mailto:a@b", now).is_err());
        assert!(vapid_authorization(&keys, "https://x.org/p", "ops@x.org", now).is_err());

        assert!(sub(ENDPOINT, UA_PUBLIC, AUTH).check().is_ok());
        for endpoint in ["ftp://push.example.net/x", "push.example.net/x", "https://"] {
            assert!(
                sub(endpoint, UA_PUBLIC, AUTH).check().is_err(),
                "{endpoint}"
            );
        }
        let off_curve = b64(&[4u8; 65]);
        let compressed = b64(&[&[2u8], &d(UA_PUBLIC)[1..33]].concat());
        let (p256dh, auth) = (["", &off_curve, &compressed, "%%%"], ["", "AAAA", "?"]);
        let bad = p256dh
            .map(|p| (p, AUTH))
            .into_iter()
            .chain(auth.map(|a| (UA_PUBLIC, a)));
        for (p256dh, auth) in bad {
            let sub = sub(ENDPOINT, p256dh, auth);
            assert!(sub.check().is_err(), "{sub:?}");
            assert!(encrypt(&sub, b"x").is_err(), "{sub:?}");
        }
    }

    #[test]
    fn topics_fit_the_header_and_refusals_are_classified() {
        assert_eq!(topic_header("request-42"), "request-42");
        let long = "a topic with spaces that is also far too long";
        assert_eq!(topic_header(long).len(), 32);
        assert_eq!(topic_header(long), topic_header(long));
        assert_eq!(topic_header("").len(), 32);

        let kind = |s| match classify(s, String::new()) {
            Failure::Retry(_) => "retry",
            Failure::GiveUp(_) => "give up",
            Failure::Gone(_) => "gone",
        };
        let statuses = [404, 410, 429, 503, 400, 401, 403, 413];
        let kinds = statuses.map(kind);
        assert_eq!(kinds[..4], ["gone", "gone", "retry", "retry"]);
        assert!(kinds[4..].iter().all(|k| *k == "give up"), "{kinds:?}");
    }
}
