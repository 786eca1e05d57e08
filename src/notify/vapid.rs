//! VAPID (RFC 8292): the deployment's key pair, and the signed token that tells a push service
//! who sends, so that only this server can push to the subscriptions made with its key.

use chrono::{DateTime, Utc};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use rand::rngs::OsRng;

use super::web_push::{b64, origin, unb64, uncompressed};

/// How long a VAPID token is valid; services refuse more than 24 h (RFC 8292 §2).
const VAPID_LIFETIME_SECS: i64 = 12 * 3600;

/// The deployment's VAPID key pair (RFC 8292).
#[derive(Clone)]
pub struct VapidKeys {
    key: SigningKey,
}

impl std::fmt::Debug for VapidKeys {
    // The private scalar stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VapidKeys {{ public: {} }}", self.public_base64url())
    }
}

impl VapidKeys {
    pub fn generate() -> VapidKeys {
        let key = SigningKey::random(&mut OsRng);
        VapidKeys { key }
    }

    /// From the private scalar as base64url (32 bytes), as `antes vapid generate` prints it.
    pub fn from_private(b64: &str) -> Result<VapidKeys, String> {
        let bytes = unb64("the VAPID private key", b64)?;
        // `from_slice` would also take shorter slices (left-padding them); a truncated key
        // should be an error, not a different key.
        if bytes.len() != 32 {
            let n = bytes.len();
            return Err(format!("the VAPID private key has {n} bytes, not 32"));
        }
        let key = SigningKey::from_slice(&bytes)
            .map_err(|_| "the VAPID private key is not a valid P-256 scalar".to_string())?;
        Ok(VapidKeys { key })
    }

    pub fn private_base64url(&self) -> String {
        b64(&self.key.to_bytes())
    }

    /// The uncompressed public key (65 bytes) as base64url: the page's applicationServerKey.
    pub fn public_base64url(&self) -> String {
        b64(&uncompressed(&self.key.verifying_key().into()))
    }
}

/// The `Authorization` header value: `vapid t=<ES256 JWT>, k=<public key>` (RFC 8292 §3).
pub fn vapid_authorization(
    keys: &VapidKeys,
    endpoint: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<String, String> {
    // Services (Apple's among them) refuse a token without a contact they can reach.
    if !(subject.starts_with("mailto:") || subject.starts_with("https:")) {
        return Err(format!(
            "the VAPID subject must be a mailto: or https: URL: {subject:?}"
        ));
    }
    let claims = serde_json::json!({
        "aud": origin(endpoint)?,
        "exp": now.timestamp() + VAPID_LIFETIME_SECS,
        "sub": subject,
    });
    let signing_input = format!(
        "{}.{}",
        b64(br#"{"typ":"JWT","alg":"ES256"}"#),
        b64(claims.to_string().as_bytes())
    );
    // JWS wants r||s (64 bytes), which is `Signature`'s fixed encoding, not DER.
    let signature: Signature = keys.key.sign(signing_input.as_bytes());
    Ok(format!(
        "vapid t={signing_input}.{}, k={}",
        b64(&signature.to_bytes()),
        keys.public_base64url()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;
    use serde_json::{json, Value};

    const ENDPOINT: &str = "https://push.example.net:8443/wpush/v2/abc?x=1";

    fn d(s: &str) -> Vec<u8> {
        unb64("test value", s).unwrap()
    }

    /// Checks the token's signature under `k` and returns its header, claims and `k`.
    fn verified(header: &str) -> (Value, Value, String) {
        let rest = header.strip_prefix("vapid t=").unwrap();
        let (t, k) = rest.split_once(", k=").unwrap();
        let parts: Vec<&str> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        let verifier = VerifyingKey::from_sec1_bytes(&d(k)).unwrap();
        let sig = Signature::from_slice(&d(parts[2])).unwrap();
        let signed = format!("{}.{}", parts[0], parts[1]);
        verifier.verify(signed.as_bytes(), &sig).unwrap();
        assert!(verifier.verify(b"something else", &sig).is_err());
        let json = |p| serde_json::from_slice::<Value>(&d(p)).unwrap();
        (json(parts[0]), json(parts[1]), k.to_string())
    }

    #[test]
    fn vapid_token_verifies_and_names_the_origin() {
        let keys = VapidKeys::generate();
        let again = VapidKeys::from_private(&keys.private_base64url()).unwrap();
        assert_eq!(again.public_base64url(), keys.public_base64url());
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let subject = "mailto:ops@example.org";
        let auth = vapid_authorization(&keys, ENDPOINT, subject, now).unwrap();
        let (head, claims, k) = verified(&auth);
        assert_eq!(k, keys.public_base64url());
        assert_eq!(head, json!({"typ": "JWT", "alg": "ES256"}));
        let (aud, exp) = ("https://push.example.net:8443", 1_700_000_000 + 12 * 3600);
        assert_eq!(claims, json!({"aud": aud, "exp": exp, "sub": subject}));
        // The default port is left out of the origin.
        let endpoint = "https://fcm.googleapis.com:443/x";
        let auth = vapid_authorization(&keys, endpoint, "https://a.example", now).unwrap();
        assert_eq!(verified(&auth).1["aud"], "https://fcm.googleapis.com");
    }
}
