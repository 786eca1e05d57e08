//! What coordinators see of who was told about a request.

use crate::*;

#[sqlx::test]
async fn a_coordinator_sees_who_was_told_of_a_request_and_who_took_it(pool: PgPool) {
    let app = common::app::TestApp::new(pool.clone()).await;
    let coord = app.coordinator().await;
    let vera = app.volunteer_at((-31.6335, -60.7015), 3000.0, 2).await;
    let nico = app.volunteer_at((-31.6340, -60.7020), 3000.0, 2).await;
    let done = app
        .ask(Some(&coord), (-31.6331, -60.7012), "medicine", "hecho")
        .await;
    let open = app
        .ask(Some(&coord), (-31.6331, -60.7012), "groceries", "abierto")
        .await;
    // Whatever the app queued itself is replaced by a known story.
    sqlx::query("DELETE FROM notifications")
        .execute(&pool)
        .await
        .unwrap();
    let sent = Told {
        key: "a",
        account: Some(vera.id),
        channel: "push",
        kind: "request",
        round: Some(1),
        status: "sent",
        attempts: 1,
        error: None,
    };
    let failed = Told {
        key: "b",
        account: Some(nico.id),
        channel: "email",
        error: Some("550 mailbox unavailable"),
        status: "failed",
        attempts: 3,
        ..sent
    };
    let to_requester = Told {
        key: "c",
        account: None,
        kind: "request_status",
        round: None,
        status: "pending",
        attempts: 0,
        error: None,
        ..failed
    };
    for told in [sent, failed, to_requester] {
        told.insert(&pool, &done.id).await;
    }
    assert_eq!(app.claim(&vera, &done.id).await.status, 200);
    let r = app
        .call(
            Some(&vera),
            rocket::http::Method::Post,
            &format!("/api/requests/{}/complete", done.id),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let base = serve(pool.clone(), test_config()).await;
    let b = Browser::start("notify-told", 360, 740).await;
    b.client.goto(&base).await.unwrap();
    b.wait_for_map().await;
    let email: String = sqlx::query_scalar("SELECT email FROM accounts WHERE id = $1")
        .bind(coord.id)
        .fetch_one(&pool)
        .await
        .unwrap();
    b.go("coordination").await;
    log_in(&b, "coord", &email).await;

    // The open request: nobody told yet, and the list says so.
    b.click(&format!(
        "#coord-open li[data-request-id='{}'] .details",
        open.id
    ))
    .await;
    b.wait_for(
        "document.querySelector('#coord-detail .notified .empty')",
        "the empty list",
    )
    .await;
    assert_eq!(
        b.text("#coord-detail .notified .empty").await,
        "Todavía no se avisó a nadie de este pedido."
    );

    // The request done: under its log, who was told, how, and who took it.
    let row = format!("#history-list li[data-request-id='{}']", done.id);
    b.click(&format!("{row} .show-log")).await;
    b.wait_for(
        &format!("document.querySelectorAll(\"{row} .notified li\").length === 3"),
        "who was told",
    )
    .await;
    let lines: Vec<String> = serde_json::from_value(
        b.eval(&format!(
            "[...document.querySelectorAll(\"{row} .notified li\")].map(li => li.textContent)"
        ))
        .await,
    )
    .unwrap();
    assert!(
        lines[0].starts_with("volunteer")
            && lines[0].contains(" · en el teléfono · ronda 1 · enviado hace"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("volunteer")
            && lines[1].contains(" · por correo · ronda 1 · falló hace")
            && lines[1].contains("550 mailbox unavailable"),
        "{lines:?}"
    );
    assert!(
        lines[2].starts_with("Quien lo pidió · por correo · pendiente hace"),
        "{lines:?}"
    );
    // "tomó el pedido" marks exactly the entries the server says took it.
    let log = app
        .get(
            Some(&coord),
            &format!("/api/requests/{}/notifications", done.id),
        )
        .await;
    assert_eq!(log.status, 200, "{}", log.body);
    for (line, entry) in lines
        .iter()
        .zip(log.body["notifications"].as_array().unwrap())
    {
        assert_eq!(
            line.ends_with("tomó el pedido"),
            entry["claimed"] == true,
            "{line} / {entry}"
        );
    }
    b.eval(&format!(
        "document.querySelector(\"{row} .notified\").scrollIntoView({{block: 'center'}})"
    ))
    .await;
    b.screenshot("notify-told").await;
    let mut problems = b.axe_serious().await;
    problems.extend(b.small_targets().await);
    assert!(problems.is_empty(), "{problems:?}");
    b.finish(&base).await;
}
