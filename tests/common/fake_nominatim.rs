//! A stand-in for Nominatim on 127.0.0.1: answers every search with the recorded real response
//! in `fixtures/nominatim/`, and remembers what it was asked.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct FakeNominatim {
    pub url: String,
    /// Each request's arrival time and head.
    pub requests: Arc<Mutex<Vec<(Instant, String)>>>,
}

pub async fn start() -> FakeNominatim {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/nominatim/search_san_martin_santa_fe.json"
    ))
    .unwrap();
    let requests: Arc<Mutex<Vec<(Instant, String)>>> = Arc::default();
    let seen = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let mut len = 0;
            while !buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut buf[len..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => len += n,
                }
            }
            seen.lock().unwrap().push((
                Instant::now(),
                String::from_utf8_lossy(&buf[..len]).to_string(),
            ));
            let resp = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
        }
    });
    FakeNominatim { url, requests }
}
