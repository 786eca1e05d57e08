//! A TCP relay between the browser and the app, on 127.0.0.1, that the test can cut: the
//! network a phone loses. Down, it refuses new connections and ends the open ones. Armed, it
//! lets one matching request reach the server and then drops the connection before the answer
//! comes back, as a connection lost after the server committed.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

#[derive(Default)]
struct Shared {
    down: AtomicBool,
    cut: Notify,
    /// A request line prefix whose answer is to be lost, once.
    lose_answer_to: Mutex<Option<String>>,
    answers_lost: AtomicUsize,
}

#[derive(Clone)]
pub struct Proxy {
    pub base: String,
    shared: Arc<Shared>,
}

impl Proxy {
    /// Relays a free local port to `target` (`http://127.0.0.1:PORT`).
    pub async fn start(target: &str) -> Proxy {
        let target = target.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if s.down.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                tokio::spawn(relay(client, target.clone(), s.clone()));
            }
        });
        Proxy { base, shared }
    }

    /// Cuts the network (true) or brings it back (false).
    pub fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
        if down {
            self.shared.cut.notify_waiters();
        }
    }

    /// The next request whose first line starts with `prefix` (e.g. "POST /api/requests ")
    /// reaches the server, and its answer is lost.
    pub fn lose_next_answer_to(&self, prefix: &str) {
        *self.shared.lose_answer_to.lock().unwrap() = Some(prefix.to_string());
    }

    pub fn answers_lost(&self) -> usize {
        self.shared.answers_lost.load(Ordering::SeqCst)
    }
}

async fn relay(mut client: TcpStream, target: String, shared: Arc<Shared>) {
    let Ok(mut server) = TcpStream::connect(&target).await else {
        return;
    };
    let (mut cr, mut cw) = client.split();
    let (mut sr, mut sw) = server.split();
    let lose = AtomicBool::new(false);
    let upstream = async {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            {
                let mut armed = shared.lose_answer_to.lock().unwrap();
                if armed
                    .as_deref()
                    .is_some_and(|p| buf[..n].starts_with(p.as_bytes()))
                {
                    *armed = None;
                    lose.store(true, Ordering::SeqCst);
                }
            }
            if sw.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    let downstream = async {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            // The server has answered, so it has committed: the answer is lost on the way.
            if lose.load(Ordering::SeqCst) {
                shared.answers_lost.fetch_add(1, Ordering::SeqCst);
                return;
            }
            if cw.write_all(&buf[..n]).await.is_err() {
                return;
            }
        }
    };
    tokio::select! {
        _ = upstream => {}
        _ = downstream => {}
        _ = shared.cut.notified() => {}
    }
}
