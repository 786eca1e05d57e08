//! The real `antes serve` binary as a child process, for tests that kill it, signal it or run
//! two of it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::free_port;

/// The `antes serve` binary on `database_url`, on a free port, with limits off.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub async fn start(database_url: &str) -> Server {
        Server::start_with(database_url, &[], Stdio::null()).await
    }

    /// With more settings in the environment, and stderr (the log) where `log` says.
    pub async fn start_with(database_url: &str, env: &[(&str, &str)], log: Stdio) -> Server {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_antes"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("ROCKET_PORT", port.to_string())
            .env("ROCKET_ADDRESS", "127.0.0.1")
            .env("ROCKET_MAINTENANCE_INTERVAL_SECS", "0")
            .env("ROCKET_LOG_LEVEL", "off")
            .env("RUST_LOG", "warn")
            .env(
                "ROCKET_RATE_LIMITS",
                "{post_request={per_address=0,per_account=0,period_secs=60}}",
            )
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start antes serve");
        // Owned at once, so a failed start still kills and reaps the child.
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(r) = reqwest::get(format!("{}/healthz", server.base)).await {
                if r.status().is_success() {
                    return server;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("antes serve did not start on {}", server.base);
    }

    pub fn still_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn signal(&self, signal: &str) {
        let ok = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "kill -{signal} failed");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
