//! A stand-in for Google's GCM check-in and registration servers on 127.0.0.1, so that
//! Chromium's `PushManager.subscribe()` works without Google: Chromium started with
//! [`FakeGcm::chromium_args`] checks in here, then registers each subscription here, and the
//! page gets the endpoint `https://jmt17.google.com/fcm/send/<token>` with a token of ours.
//! Nothing is ever pushed through it; it records what Chromium asked, so a test can see the
//! server key a subscription was made for (the `sender` of a registration).

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Where Chromium's push subscriptions point, before the token.
pub const ENDPOINT_PREFIX: &str = "https://jmt17.google.com/fcm/send/";

/// An `AndroidCheckinResponse` as protobuf: `stats_ok` true, then `android_id` and
/// `security_token` (fixed64, any non-zero values). Chromium needs no more to register.
const CHECKIN: [u8; 20] = [
    0x08, 0x01, // stats_ok = true
    0x39, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, // android_id
    0x41, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, // security_token
];

/// One request Chromium made.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// The body as text (registrations are `application/x-www-form-urlencoded`).
    pub body: String,
}

impl Seen {
    /// A field of a form body, decoded.
    pub fn field(&self, name: &str) -> Option<String> {
        let url = reqwest::Url::parse(&format!("http://x/?{}", self.body)).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

pub struct FakeGcm {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeGcm {
    /// The Chromium switches that send its GCM traffic here.
    pub fn chromium_args(&self) -> Vec<String> {
        vec![
            format!("--gcm-checkin-url={}/checkin", self.url),
            format!("--gcm-registration-url={}/register", self.url),
        ]
    }

    /// The registrations made so far (a web page's carry `X-subtype=wp:<origin>...`).
    pub fn registrations(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path.starts_with("/register"))
            .cloned()
            .collect()
    }
}

pub async fn start() -> FakeGcm {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(serve(sock, log.clone()));
        }
    });
    FakeGcm { url, seen }
}

/// Answers the requests of one connection, which Chromium keeps alive between them.
async fn serve(mut sock: TcpStream, log: Arc<Mutex<Vec<Seen>>>) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 8192];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let length: usize = head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 8192];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_end..head_end + length].to_vec();
        buf.drain(..head_end + length);
        let mut words = head.split_whitespace();
        let method = words.next().unwrap_or_default().to_string();
        let path = words.next().unwrap_or_default().to_string();
        let n = {
            let mut seen = log.lock().unwrap();
            seen.push(Seen {
                method: method.clone(),
                path: path.clone(),
                body: String::from_utf8_lossy(&body).to_string(),
            });
            seen.len()
        };
        let (status, kind, out): (&str, &str, Vec<u8>) = if path.starts_with("/checkin") {
            ("200 OK", "application/x-protobuf", CHECKIN.to_vec())
        } else if path.starts_with("/register") {
            let token = format!("antes-fake-gcm-{n}");
            (
                "200 OK",
                "text/plain",
                format!("token={token}").into_bytes(),
            )
        } else {
            ("404 Not Found", "text/plain", b"not found".to_vec())
        };
        let head = format!(
            "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\n\r\n",
            out.len()
        );
        if sock.write_all(head.as_bytes()).await.is_err() || sock.write_all(&out).await.is_err() {
            return;
        }
    }
}
