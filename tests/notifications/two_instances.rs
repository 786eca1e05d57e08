//! Nothing lost, nothing doubled: a server killed between the commit and the send, and two
//! servers sharing one outbox.

use std::process::Stdio;
use std::time::Duration;

use sqlx::PgPool;

use crate::common::database_url;
use crate::common::server::Server;
use crate::{request_body, World, SANTA_FE};

/// `antes serve` as its own process on the test's database, with the channels of `w`.
async fn server(pool: &PgPool, w: &World, sender: bool) -> Server {
    let n = &w.config.notify;
    let notify = format!(
        "{{sender={sender},poll_ms=50,vapid_private_key=\"{}\",vapid_subject=\"{}\",push_insecure_endpoints=true}}",
        n.vapid_private_key, n.vapid_subject
    );
    let env = [("ROCKET_NOTIFY", notify.as_str()), ("RUST_LOG", "error")];
    Server::start_with(&database_url(pool), &env, Stdio::null()).await
}

#[sqlx::test]
async fn a_server_killed_after_the_commit_and_before_the_send_delivers_once_after_restart(
    pool: PgPool,
) {
    let w = World::new(pool.clone()).await;
    let coordinator = w.app.coordinator().await;
    for i in 0..3 {
        w.pushed_volunteer(&format!("v{i}"), SANTA_FE).await;
    }
    // The first server commits the request and its messages but never gets to send them.
    let mut first = server(&pool, &w, false).await;
    let r = reqwest::Client::new()
        .post(format!("{}/api/requests", first.base))
        .header("Cookie", format!("antes_session={}", coordinator.token))
        .json(&request_body(SANTA_FE, "normal"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let queued: i64 =
        sqlx::query_scalar("SELECT count(*) FROM notifications WHERE status = 'pending'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(queued, 3);
    assert!(w.push.received.lock().unwrap().is_empty());
    // After the restart each message goes out once, and stays sent.
    let _second = server(&pool, &w, true).await;
    w.push.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let got = w.push.received.lock().unwrap().clone();
    let mut names: Vec<&str> = got.iter().map(|r| r.endpoint_name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["v0", "v1", "v2"]);
}

#[sqlx::test]
async fn two_servers_sharing_one_outbox_send_each_message_once(pool: PgPool) {
    let w = World::new(pool.clone()).await;
    let coordinator = w.app.coordinator().await;
    for i in 0..5 {
        w.pushed_volunteer(&format!("v{i}"), SANTA_FE).await;
    }
    let _a = server(&pool, &w, true).await;
    let _b = server(&pool, &w, true).await;
    for _ in 0..10 {
        w.open_request(&coordinator, SANTA_FE, "normal").await;
    }
    w.push.wait_for(50).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let got = w.push.received.lock().unwrap().clone();
    assert_eq!(got.len(), 50);
    for i in 0..5 {
        let name = format!("v{i}");
        assert_eq!(
            got.iter().filter(|r| r.endpoint_name == name).count(),
            10,
            "{name}"
        );
    }
    let (sent, tries): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'sent'), sum(attempts) FROM notifications",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((sent, tries), (50, 50));
}
