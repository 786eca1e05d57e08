//! Logs: with `log_format = "json"` every line is one JSON object, and the line for a request
//! carries the id the client got in `X-Request-Id`.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::common::server::Server;
use crate::prelude::*;

#[sqlx::test]
async fn json_logs_are_one_object_a_line_and_carry_the_request_id(pool: PgPool) {
    let mut server = Server::start_with(
        &crate::common::database_url(&pool),
        &[("ROCKET_LOG_FORMAT", "json"), ("RUST_LOG", "info")],
        Stdio::piped(),
    )
    .await;
    let res = reqwest::get(format!(
        "{}/api/places?bbox=-60.8,-31.7,-60.6,-31.5",
        server.base
    ))
    .await
    .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    // Read to the end, so no open connection holds the shutdown to its grace period.
    let _ = res.bytes().await;
    server.signal("TERM");
    let _ = server.child.wait();
    let log = server.child.stderr.take().expect("the log is piped");
    let lines: Vec<String> = BufReader::new(log).lines().map_while(Result::ok).collect();
    assert!(!lines.is_empty(), "nothing was logged");
    let objects: Vec<Value> = lines
        .iter()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON object ({e}): {l}"))
        })
        .collect();
    let answered = objects
        .iter()
        .find(|o| o["request_id"] == id.as_str())
        .unwrap_or_else(|| panic!("no line carries {id}: {lines:?}"));
    assert_eq!(answered["path"], "/api/places");
    assert_eq!(answered["status"], 200);
    assert!(
        lines.iter().all(|l| !l.contains("-31.7")),
        "a query's coordinates reached the log"
    );
}
