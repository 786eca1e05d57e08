//! Idempotency keys for the POSTs that create something: a phone that lost the answer sends
//! the same write again with the same `Idempotency-Key`, and gets the first answer back instead
//! of a second request, pledge or sign-up.
//!
//! The database never holds a key or an answer it can read: rows are found by a digest of the
//! key, and the stored answer (which may hold a manage token) is sealed with AES-256-GCM under
//! another digest of it. Only the client that made the key can open what was stored.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::Invalid;
use crate::error_code::ErrorCode;

/// How long a key and its answer are kept.
pub const KEPT_FOR_HOURS: i64 = 24;
/// Keys are client-made: a UUID, or up to this many visible ASCII characters.
pub const MAX_KEY_LEN: usize = 255;

/// A client's key, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    /// Visible ASCII only, 8 to 255 characters: long enough that keys from different phones
    /// do not collide by chance.
    pub fn parse(raw: &str) -> Result<Key, Invalid> {
        let ok =
            (8..=MAX_KEY_LEN).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Key(raw.to_string()))
        } else {
            Err(Invalid::new(
                ErrorCode::InvalidIdempotencyKey,
                "Idempotency-Key must be 8 to 255 visible ASCII characters, e.g. a UUID",
            ))
        }
    }

    /// What the database looks rows up by.
    pub fn lookup(&self) -> Vec<u8> {
        derive(b"antes idempotency lookup", &self.0).to_vec()
    }

    fn sealing_key(&self) -> [u8; 32] {
        derive(b"antes idempotency seal", &self.0)
    }

    /// The answer, sealed for storage: a fresh 96-bit nonce and the ciphertext.
    pub fn seal(&self, answer: &[u8]) -> Sealed {
        let cipher = Aes256Gcm::new(&self.sealing_key().into());
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let body = cipher
            .encrypt(Nonce::from_slice(&nonce), answer)
            .expect("AES-GCM encrypts any answer under 64 GiB");
        Sealed {
            nonce: nonce.to_vec(),
            body,
        }
    }

    /// The stored answer, or None when it does not open with this key.
    pub fn open(&self, sealed: &Sealed) -> Option<Vec<u8>> {
        if sealed.nonce.len() != 12 {
            return None;
        }
        Aes256Gcm::new(&self.sealing_key().into())
            .decrypt(Nonce::from_slice(&sealed.nonce), sealed.body.as_slice())
            .ok()
    }
}

fn derive(purpose: &[u8], key: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(purpose);
    h.update([0]);
    h.update(key.as_bytes());
    h.finalize().into()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub nonce: Vec<u8>,
    pub body: Vec<u8>,
}

/// What one write was: the route, who sent it and the body's bytes. The same key may only
/// be used again for the same write.
pub fn fingerprint(route: &str, account: Option<i64>, body: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(route.as_bytes());
    h.update([0]);
    h.update(
        account
            .map(|a| a.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    h.update([0]);
    h.update(body);
    h.finalize().to_vec()
}

/// Rows created before this have expired and may be replaced.
pub fn expired_before(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(KEPT_FOR_HOURS)
}

/// A key already used, as stored: its fingerprint and, once the first write committed, its
/// answer.
pub struct Used {
    pub fingerprint: Vec<u8>,
    pub status: Option<u16>,
    pub answer: Option<Sealed>,
}

/// What to do with a key seen before.
#[derive(Debug, PartialEq, Eq)]
pub enum Repeat {
    /// Send the first answer again.
    Replay { status: u16, body: Vec<u8> },
    /// The key was used for a different write.
    Reused,
    /// The stored answer is missing or does not open: a damaged row, never a normal state,
    /// since a key and its answer are committed together.
    Unreadable,
}

pub fn repeat(key: &Key, used: &Used, fingerprint: &[u8]) -> Repeat {
    if used.fingerprint != fingerprint {
        return Repeat::Reused;
    }
    match (used.status, used.answer.as_ref().and_then(|a| key.open(a))) {
        (Some(status), Some(body)) => Repeat::Replay { status, body },
        _ => Repeat::Unreadable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    #[test]
    fn keys_are_visible_ascii_of_reasonable_length() {
        assert!(Key::parse("3f1c0a9e-6b1d-4c55-9d7e-0c7a2f0e9b11").is_ok());
        for bad in [
            "",
            "short",
            "has space in it",
            "ñandú-ñandú-ñandú",
            &"x".repeat(256),
        ] {
            assert_eq!(
                Key::parse(bad).unwrap_err().code,
                ErrorCode::InvalidIdempotencyKey,
                "{bad}"
            );
        }
    }

    #[test]
    fn a_sealed_answer_opens_with_its_key_only() {
        let k = key("first-key-123");
        let sealed = k.seal(b"{\"manage_token\":\"secret\"}");
        assert!(!sealed.body.windows(6).any(|w| w == b"secret"));
        assert_eq!(k.open(&sealed).unwrap(), b"{\"manage_token\":\"secret\"}");
        assert_eq!(key("other-key-123").open(&sealed), None);
        assert_ne!(k.lookup(), key("other-key-123").lookup());
        assert_ne!(k.lookup(), k.sealing_key().to_vec());
    }

    #[test]
    fn the_same_write_replays_and_another_is_refused() {
        let k = key("first-key-123");
        let fp = fingerprint("POST /api/requests", None, b"{}");
        let used = Used {
            fingerprint: fp.clone(),
            status: Some(201),
            answer: Some(k.seal(b"{\"id\":1}")),
        };
        assert_eq!(
            repeat(&k, &used, &fp),
            Repeat::Replay {
                status: 201,
                body: b"{\"id\":1}".to_vec()
            }
        );
        let other_body = fingerprint("POST /api/requests", None, b"{\"a\":1}");
        let other_account = fingerprint("POST /api/requests", Some(7), b"{}");
        let other_route = fingerprint("POST /api/places", None, b"{}");
        for fp2 in [other_body, other_account, other_route] {
            assert_eq!(repeat(&k, &used, &fp2), Repeat::Reused);
        }
        let pending = Used {
            fingerprint: fp.clone(),
            status: None,
            answer: None,
        };
        assert_eq!(repeat(&k, &pending, &fp), Repeat::Unreadable);
    }

    #[test]
    fn keys_expire_after_a_day() {
        let now = Utc::now();
        assert_eq!(now - expired_before(now), Duration::hours(24));
    }
}
