//! A stand-in Web Push service on 127.0.0.1, playing both the push service and the browsers
//! behind it: it hands out subscriptions with fresh keys, checks each POST as a real service
//! would (VAPID token, headers) and decrypts the body as the browser would (RFC 8291), so a
//! test sees the plaintext the app sent.
//!
//! The decryption is written here from the RFCs, apart from the app's encryption, so a mistake
//! in one is not mirrored in the other.
//!
//! ```ignore
//! let push = push_service::start().await;
//! let (sub, json) = push.subscribe("ana"); // `json` is what PushSubscription.toJSON() gives
//! // ... the app sends to `sub.endpoint` ...
//! let got = push.wait_for(1).await;
//! assert_eq!(got[0].endpoint_name, "ana");
//! assert!(push.rejected.lock().unwrap().is_empty());
//! ```

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aes_gcm::aead::Aead;
use aes_gcm::{Aes128Gcm, KeyInit, Nonce};
use antes::notify::web_push::Subscription;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use rand::RngCore;
use serde_json::Value;
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One message that passed every check, as the browser would see it.
#[derive(Debug, Clone)]
pub struct Received {
    /// The `name` given to [`PushService::subscribe`].
    pub endpoint_name: String,
    pub plaintext: String,
    /// The `k=` of the VAPID header (base64url, uncompressed point).
    pub vapid_public_key: String,
    pub urgency: Option<String>,
    pub topic: Option<String>,
    pub ttl: u32,
}

/// The browser side of one subscription.
struct Browser {
    secret: SecretKey,
    auth: [u8; 16],
}

#[derive(Default)]
struct Registry {
    browsers: HashMap<String, Browser>,
    gone: HashSet<String>,
}

pub struct PushService {
    /// `http://127.0.0.1:PORT`, which is also the audience a VAPID token must name.
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    /// Why each refused request was refused (400, 404, 413); a test expects none.
    pub rejected: Arc<Mutex<Vec<String>>>,
    registry: Arc<Mutex<Registry>>,
}

pub async fn start() -> PushService {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let service = PushService {
        url: url.clone(),
        received: Arc::default(),
        rejected: Arc::default(),
        registry: Arc::default(),
    };
    let (received, rejected) = (service.received.clone(), service.rejected.clone());
    let registry = service.registry.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (url, registry) = (url.clone(), registry.clone());
            let (received, rejected) = (received.clone(), rejected.clone());
            tokio::spawn(async move {
                let mut sock = sock;
                let Some((head, body)) = read_request(&mut sock).await else {
                    return;
                };
                let (status, text) = match judge(&head, &body, &url, &registry) {
                    Outcome::Accepted(msg) => {
                        received.lock().unwrap().push(msg);
                        (201, String::new())
                    }
                    Outcome::Gone => (410, "subscription expired".to_string()),
                    Outcome::Refused(status, reason) => {
                        rejected.lock().unwrap().push(reason.clone());
                        (status, reason)
                    }
                };
                reply(&mut sock, status, &text).await;
            });
        }
    });
    service
}

impl PushService {
    /// A new subscription `name` with its own key pair and auth secret, endpoint
    /// `{url}/push/{name}`; also as the JSON a page gets from `PushSubscription.toJSON()`.
    pub fn subscribe(&self, name: &str) -> (Subscription, Value) {
        let secret = SecretKey::random(&mut rand::rngs::OsRng);
        let mut auth = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut auth);
        let p256dh = b64(secret.public_key().to_encoded_point(false).as_bytes());
        let sub = Subscription {
            endpoint: format!("{}/push/{name}", self.url),
            p256dh,
            auth: b64(&auth),
        };
        let json = serde_json::json!({
            "endpoint": sub.endpoint, "expirationTime": null,
            "keys": {"p256dh": sub.p256dh, "auth": sub.auth},
        });
        let mut registry = self.registry.lock().unwrap();
        registry.gone.remove(name);
        registry
            .browsers
            .insert(name.to_string(), Browser { secret, auth });
        (sub, json)
    }

    /// From now on, pushes to `name` get 410 Gone, as after the user unsubscribed.
    pub fn forget(&self, name: &str) {
        let mut registry = self.registry.lock().unwrap();
        registry.browsers.remove(name);
        registry.gone.insert(name.to_string());
    }

    /// Waits (up to 30 s) until at least `count` messages have arrived; returns all of them.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let got = self.received.lock().unwrap().clone();
            if got.len() >= count {
                return got;
            }
            if Instant::now() > deadline {
                let rejected = self.rejected.lock().unwrap().clone();
                panic!(
                    "{} of {count} pushes arrived; rejected: {rejected:?}",
                    got.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

enum Outcome {
    Accepted(Received),
    Gone,
    Refused(u16, String),
}

/// The request line and lower-cased headers.
struct Head {
    line: String,
    headers: HashMap<String, String>,
}

/// Reads one request, its body by `content-length`.
async fn read_request(sock: &mut TcpStream) -> Option<(Head, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let text = String::from_utf8_lossy(&buf[..end]).to_string();
    let mut lines = text.split("\r\n");
    let line = lines.next().unwrap_or_default().to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < end + len {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    Some((Head { line, headers }, buf[end..end + len].to_vec()))
}

async fn reply(sock: &mut TcpStream, status: u16, text: &str) {
    let phrase = match status {
        201 => "Created",
        404 => "Not Found",
        410 => "Gone",
        413 => "Payload Too Large",
        _ => "Bad Request",
    };
    let resp = format!(
        "HTTP/1.1 {status} {phrase}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = sock.write_all(resp.as_bytes()).await;
    let _ = sock.shutdown().await;
}

/// What a push service and then the browser make of one request.
fn judge(head: &Head, body: &[u8], origin: &str, registry: &Mutex<Registry>) -> Outcome {
    let refuse = |reason: String| Outcome::Refused(400, reason);
    let Some(name) = head
        .line
        .strip_prefix("POST /push/")
        .and_then(|rest| rest.strip_suffix(" HTTP/1.1"))
    else {
        return refuse(format!("not a push: {}", head.line));
    };
    let header = |h: &str| head.headers.get(h).cloned();
    let vapid_public_key = match header("authorization") {
        Some(a) => match check_vapid(&a, origin) {
            Ok(k) => k,
            Err(e) => return refuse(format!("{name}: VAPID: {e}")),
        },
        None => return refuse(format!("{name}: no Authorization header")),
    };
    if header("content-encoding").as_deref() != Some("aes128gcm") {
        let got = header("content-encoding");
        return refuse(format!("{name}: Content-Encoding {got:?}, not aes128gcm"));
    }
    let Some(ttl) = header("ttl").and_then(|t| t.parse::<u32>().ok()) else {
        return refuse(format!("{name}: no valid TTL header: {:?}", header("ttl")));
    };
    let urgency = header("urgency");
    if let Some(u) = urgency.as_deref() {
        if !["very-low", "low", "normal", "high"].contains(&u) {
            return refuse(format!("{name}: unknown Urgency {u:?}"));
        }
    }
    let topic = header("topic");
    if let Some(t) = topic.as_deref() {
        let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if t.is_empty() || t.len() > 32 || !t.chars().all(ok) {
            return refuse(format!(
                "{name}: Topic is not 1-32 base64url characters: {t:?}"
            ));
        }
    }
    if body.len() > 4096 {
        return Outcome::Refused(413, format!("{name}: body of {} bytes", body.len()));
    }
    let registry = registry.lock().unwrap();
    if registry.gone.contains(name) {
        return Outcome::Gone;
    }
    let Some(browser) = registry.browsers.get(name) else {
        return Outcome::Refused(404, format!("{name}: no such subscription"));
    };
    let plaintext = match decrypt(browser, body) {
        Ok(p) => p,
        Err(e) => return refuse(format!("{name}: {e}")),
    };
    let Ok(plaintext) = String::from_utf8(plaintext) else {
        return refuse(format!("{name}: the plaintext is not UTF-8"));
    };
    Outcome::Accepted(Received {
        endpoint_name: name.to_string(),
        plaintext,
        vapid_public_key,
        urgency,
        topic,
        ttl,
    })
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(what: &str, text: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| format!("{what} is not unpadded base64url: {e}"))
}

/// RFC 8292: `vapid t=<JWT>, k=<key>`; the ES256 signature must hold under `k`, and the claims
/// must name this service, expire within a day and give a contact. Returns `k`.
fn check_vapid(authorization: &str, origin: &str) -> Result<String, String> {
    let params = authorization
        .strip_prefix("vapid ")
        .ok_or("the scheme is not vapid")?;
    let (mut t, mut k) = (None, None);
    for param in params.split(',') {
        match param.trim().split_once('=') {
            Some(("t", v)) => t = Some(v),
            Some(("k", v)) => k = Some(v),
            _ => return Err(format!("unexpected parameter {param:?}")),
        }
    }
    let (t, k) = (t.ok_or("no t=")?, k.ok_or("no k=")?);
    let key = unb64("k", k)?;
    if key.len() != 65 {
        return Err(format!(
            "k is {} bytes, not an uncompressed point",
            key.len()
        ));
    }
    let key = VerifyingKey::from_sec1_bytes(&key).map_err(|_| "k is not a P-256 point")?;
    let parts: Vec<&str> = t.split('.').collect();
    let [head, claims, sig] = parts[..] else {
        return Err("the token does not have three parts".into());
    };
    let json = |what, p| -> Result<Value, String> {
        serde_json::from_slice(&unb64(what, p)?).map_err(|e| format!("{what}: {e}"))
    };
    let head = json("JWT header", head)?;
    if head["alg"] != "ES256" || !matches!(head.get("typ"), None | Some(Value::String(_))) {
        return Err(format!("JWT header {head}"));
    }
    let sig = Signature::from_slice(&unb64("signature", sig)?)
        .map_err(|_| "the signature is not 64 bytes of r||s")?;
    key.verify(format!("{}.{claims}", parts[0]).as_bytes(), &sig)
        .map_err(|_| "the signature does not verify under k")?;
    let claims = json("JWT claims", claims)?;
    if claims["aud"] != origin {
        return Err(format!("aud {} is not {origin}", claims["aud"]));
    }
    let now = chrono::Utc::now().timestamp();
    match claims["exp"].as_i64() {
        Some(exp) if exp > now && exp <= now + 24 * 3600 => {}
        _ => return Err(format!("exp {} is not within the next 24 h", claims["exp"])),
    }
    let sub = claims["sub"].as_str().unwrap_or_default();
    if !(sub.starts_with("mailto:") || sub.starts_with("https:")) {
        return Err(format!(
            "sub {} is not a mailto: or https: contact",
            claims["sub"]
        ));
    }
    Ok(k.to_string())
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The browser's side of RFC 8291 and RFC 8188. Each HKDF here yields at most 32 bytes, so it
/// is spelled out as one extract and one expand block of HMAC-SHA-256.
fn decrypt(browser: &Browser, body: &[u8]) -> Result<Vec<u8>, String> {
    if body.len() < 21 {
        return Err(format!("a body of {} bytes has no header", body.len()));
    }
    let (salt, rs, idlen) = (&body[..16], &body[16..20], body[20] as usize);
    let rs = u32::from_be_bytes(rs.try_into().unwrap()) as usize;
    if idlen != 65 || body.len() < 21 + idlen {
        return Err(format!(
            "keyid of {idlen} bytes, not the sender's 65-byte key"
        ));
    }
    let (as_public, record) = (&body[21..21 + idlen], &body[21 + idlen..]);
    if rs < 18 || record.len() > rs || record.len() < 17 {
        return Err(format!("a record of {} bytes with rs {rs}", record.len()));
    }
    let sender = PublicKey::from_sec1_bytes(as_public).map_err(|_| "keyid is not a point")?;
    let shared = p256::ecdh::diffie_hellman(browser.secret.to_nonzero_scalar(), sender.as_affine());
    let ua_public = browser.secret.public_key().to_encoded_point(false);

    let prk_key = hmac_sha256(&browser.auth, &[shared.raw_secret_bytes()]);
    let key_info: &[&[u8]] = &[b"WebPush: info\0", ua_public.as_bytes(), as_public, &[1]];
    let ikm = hmac_sha256(&prk_key, key_info);
    let prk = hmac_sha256(salt, &[&ikm]);
    let cek = hmac_sha256(&prk, &[b"Content-Encoding: aes128gcm\0", &[1]]);
    let nonce = hmac_sha256(&prk, &[b"Content-Encoding: nonce\0", &[1]]);
    let padded = Aes128Gcm::new_from_slice(&cek[..16])
        .unwrap()
        .decrypt(Nonce::from_slice(&nonce[..12]), record)
        .map_err(|_| "the body does not decrypt (wrong keys or derivation)")?;
    // Padding is zeros after a delimiter; 2 marks the last (here the only) record.
    let end = padded
        .iter()
        .rposition(|&b| b != 0)
        .ok_or("no padding delimiter")?;
    if padded[end] != 2 {
        return Err(format!(
            "padding delimiter {}, not 2 (last record)",
            padded[end]
        ));
    }
    Ok(padded[..end].to_vec())
}
