//! A stand-in for an SMS/WhatsApp gateway on 127.0.0.1: checks each POST's signature the
//! way a real receiver should (with `antes::notify::webhook::verify`, a 5 minute window),
//! records what it took, and answers 401 to what it refused. `fail_next` makes it answer
//! 503 for a while, to test retries.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use antes::notify::webhook::{verify, IDEMPOTENCY_HEADER, SIGNATURE_HEADER};
use chrono::{Duration, Utc};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One accepted delivery.
#[derive(Debug, Clone)]
pub struct Received {
    pub body: Value,
    pub idempotency_key: Option<String>,
}

pub struct WebhookReceiver {
    /// Where to POST: `http://127.0.0.1:PORT/hook`.
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    /// Why each refused request was refused.
    pub rejected: Arc<Mutex<Vec<String>>>,
    failures: Arc<AtomicUsize>,
}

impl WebhookReceiver {
    /// The next `n` requests are answered `503 Service Unavailable`, unchecked.
    pub fn fail_next(&self, n: usize) {
        self.failures.store(n, Ordering::SeqCst);
    }
}

#[derive(Clone)]
struct Shared {
    secret: Arc<Vec<u8>>,
    received: Arc<Mutex<Vec<Received>>>,
    rejected: Arc<Mutex<Vec<String>>>,
    failures: Arc<AtomicUsize>,
}

pub async fn start(secret: &[u8]) -> WebhookReceiver {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let shared = Shared {
        secret: Arc::new(secret.to_vec()),
        received: Arc::default(),
        rejected: Arc::default(),
        failures: Arc::default(),
    };
    let receiver = WebhookReceiver {
        url,
        received: shared.received.clone(),
        rejected: shared.rejected.clone(),
        failures: shared.failures.clone(),
    };
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(handle(sock, shared.clone()));
        }
    });
    receiver
}

/// One request per connection (answered with `connection: close`).
async fn handle(mut sock: TcpStream, shared: Shared) {
    let Some((head, body)) = read_request(&mut sock).await else {
        return;
    };
    let (status, text) = answer(&head, &body, &shared);
    let resp = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = sock.write_all(resp.as_bytes()).await;
    let _ = sock.shutdown().await;
}

fn answer(head: &str, body: &[u8], shared: &Shared) -> (&'static str, String) {
    let taken = shared
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    if taken.is_ok() {
        return ("503 Service Unavailable", "busy, try later".into());
    }
    let reject = |why: String| {
        shared.rejected.lock().unwrap().push(why.clone());
        ("401 Unauthorized", why)
    };
    if !head.starts_with("POST ") {
        return reject(format!("not a POST: {}", head.lines().next().unwrap_or("")));
    }
    let Some(signature) = header(head, SIGNATURE_HEADER) else {
        return reject("no signature header".into());
    };
    if let Err(why) = verify(
        &shared.secret,
        &signature,
        body,
        Utc::now(),
        Duration::minutes(5),
    ) {
        return reject(why);
    }
    let body: Value = match serde_json::from_slice(body) {
        Ok(body) => body,
        Err(e) => return reject(format!("body is not JSON: {e}")),
    };
    shared.received.lock().unwrap().push(Received {
        body,
        idempotency_key: header(head, IDEMPOTENCY_HEADER),
    });
    ("200 OK", "ok".into())
}

/// A request header's value; HTTP header names are case-insensitive.
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// Reads the head, then as many body bytes as `content-length` says.
async fn read_request(sock: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = header(&head, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    body.truncate(length);
    Some((head, body))
}
