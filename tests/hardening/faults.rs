//! Faults: the database goes away under load and comes back; the server is told to stop while
//! a request is in flight. Both run the real `antes` binary, so an exit or a panic shows.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::free_port;
use crate::common::server::Server;
use crate::prelude::*;

/// A PostgreSQL cluster of the test's own, so stopping it disturbs no other test.
struct Cluster {
    bindir: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    fn bindir() -> PathBuf {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed under /usr/lib/postgresql")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|p| p.join("pg_ctl").exists())
            .collect();
        dirs.sort();
        dirs.pop().expect("a PostgreSQL bin directory")
    }

    /// PostgreSQL refuses to run as root; as root, run it as `postgres`.
    fn run(&self, program: &str, args: &[&str]) {
        let program = self.bindir.join(program);
        let status = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .stdout(Stdio::null())
                .status()
        } else {
            Command::new(&program)
                .args(args)
                .stdout(Stdio::null())
                .status()
        };
        assert!(
            status.is_ok_and(|s| s.success()),
            "{} {args:?} failed",
            program.display()
        );
    }

    fn create() -> Cluster {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join(format!("fault-cluster-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            let ok = Command::new("chown")
                .args(["postgres"])
                .arg(&dir)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown postgres {}", dir.display());
        }
        let cluster = Cluster {
            bindir: Cluster::bindir(),
            dir,
            port: free_port(),
        };
        let dir = cluster.dir.display().to_string();
        cluster.run(
            "initdb",
            &["-D", &dir, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        );
        cluster
    }

    fn start(&self) {
        let dir = self.dir.display().to_string();
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {dir} -c max_connections=100",
            self.port
        );
        let log = format!("{dir}/server.log");
        self.run(
            "pg_ctl",
            &["-D", &dir, "-l", &log, "-w", "-o", &options, "start"],
        );
    }

    /// Stops at once, as a crash or a pulled cable would: no checkpoint, sessions cut.
    fn kill(&self) {
        let dir = self.dir.display().to_string();
        self.run("pg_ctl", &["-D", &dir, "-m", "immediate", "-w", "stop"]);
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let dir = self.dir.display().to_string();
        let _ = Command::new(if is_root() { "runuser" } else { "true" })
            .args(["-u", "postgres", "--"])
            .arg(self.bindir.join("pg_ctl"))
            .args(["-D", &dir, "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !is_root() {
            let _ = Command::new(self.bindir.join("pg_ctl"))
                .args(["-D", &dir, "-m", "immediate", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// What one client saw for one write.
#[derive(Debug, Clone)]
struct Attempt {
    marker: String,
    status: u16,
    retry_after: bool,
    at: Instant,
}

#[tokio::test]
async fn writes_survive_the_database_stopping_under_twenty_clients() {
    let cluster = Cluster::create();
    cluster.start();
    let admin = sqlx::PgPool::connect(&cluster.url("postgres"))
        .await
        .unwrap();
    sqlx::query("CREATE DATABASE antes")
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let pool = sqlx::PgPool::connect(&cluster.url("antes")).await.unwrap();
    sqlx::query("CREATE EXTENSION postgis")
        .execute(&pool)
        .await
        .unwrap();
    antes::db::migrate(&pool).await.unwrap();
    pool.close().await;

    let mut server = Server::start(&cluster.url("antes")).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let attempts: Arc<Mutex<Vec<Attempt>>> = Arc::default();
    let running = Arc::new(AtomicBool::new(true));
    let clients: Vec<_> = (0..20)
        .map(|client| {
            let (http, base) = (http.clone(), server.base.clone());
            let (attempts, running) = (attempts.clone(), running.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while running.load(Ordering::Relaxed) {
                    let marker = format!("fault-{client}-{n}");
                    n += 1;
                    let mut body = help_request("Rosa");
                    body["description"] = Value::String(marker.clone());
                    let res = http
                        .post(format!("{base}/api/requests"))
                        .json(&body)
                        .send()
                        .await
                        .unwrap_or_else(|e| panic!("the server stopped answering: {e}"));
                    let attempt = Attempt {
                        marker,
                        status: res.status().as_u16(),
                        retry_after: res.headers().contains_key("retry-after"),
                        at: Instant::now(),
                    };
                    attempts.lock().unwrap().push(attempt);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(1)).await;
    cluster.kill();
    tokio::time::sleep(Duration::from_secs(4)).await;
    cluster.start();
    let up_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(6)).await;
    running.store(false, Ordering::Relaxed);
    for c in clients {
        c.await.expect("a client failed");
    }
    assert!(
        server.still_running(),
        "the server exited during the outage"
    );

    let attempts = attempts.lock().unwrap().clone();
    let unexpected: Vec<&Attempt> = attempts
        .iter()
        .filter(|a| !(a.status == 201 || (a.status == 503 && a.retry_after)))
        .collect();
    assert!(
        unexpected.is_empty(),
        "answers other than 201 or 503 with Retry-After: {unexpected:?}"
    );
    let refused = attempts.iter().filter(|a| a.status == 503).count();
    assert!(refused > 0, "the outage was never seen");
    let first_after = attempts
        .iter()
        .filter(|a| a.status == 201 && a.at > up_at)
        .map(|a| a.at)
        .min()
        .expect("writes succeed again after the database returns");
    let recovery = first_after - up_at;
    assert!(
        recovery <= Duration::from_secs(5),
        "writes came back after {recovery:?}"
    );

    let pool = sqlx::PgPool::connect(&cluster.url("antes")).await.unwrap();
    let stored: Vec<(String, i64)> =
        sqlx::query_as("SELECT description, count(*) FROM help_requests GROUP BY description")
            .fetch_all(&pool)
            .await
            .unwrap();
    let doubled: Vec<&(String, i64)> = stored.iter().filter(|(_, n)| *n > 1).collect();
    assert!(doubled.is_empty(), "doubled writes: {doubled:?}");
    let stored: std::collections::HashSet<&str> = stored.iter().map(|(d, _)| d.as_str()).collect();
    let acknowledged: Vec<&Attempt> = attempts.iter().filter(|a| a.status == 201).collect();
    let lost: Vec<&&Attempt> = acknowledged
        .iter()
        .filter(|a| !stored.contains(a.marker.as_str()))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    println!(
        "{} writes acknowledged, {refused} refused with 503 during the outage, back {recovery:?} after the database",
        acknowledged.len()
    );
    pool.close().await;
}

#[sqlx::test]
async fn sigterm_lets_a_request_in_flight_finish(pool: PgPool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut server = Server::start(&crate::common::database_url(&pool)).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut body = help_request("Rosa");
    body["description"] = Value::String("in flight at shutdown".into());
    let body = body.to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/requests HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(first.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.signal("TERM");
    tokio::time::sleep(Duration::from_millis(700)).await;
    // New connections are no longer taken...
    assert!(
        reqwest::get(format!("{}/healthz", server.base))
            .await
            .is_err(),
        "the server still takes new requests after SIGTERM"
    );
    // ...but the one in flight finishes.
    stream.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM help_requests WHERE description = 'in flight at shutdown'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored, 1);
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.still_running() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = server.child.try_wait().unwrap().expect("the server exits");
    assert!(status.success(), "exit status {status}");
}
