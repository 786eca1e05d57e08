//! One confirm-and-result flow per role, at 360 px: the weighty step asks first in a real
//! dialog (and "Volver" changes nothing), the button shows it is busy, the result is said in
//! words, undo works where the domain allows it, and an error lands beside its button.

use sqlx::PgPool;

use crate::common::{serve, test_config, Browser};
use crate::scene::{build, sign_in, TAKEN_AT};

async fn status_of(pool: &PgPool, id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM help_requests WHERE id = $1::uuid")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The open confirmation dialog's title, once it shows.
async fn dialog_title(b: &Browser) -> String {
    let v = b
        .wait_for(
            "document.querySelector('dialog#confirm-dialog[open]') && document.activeElement.id === 'confirm-no' && document.getElementById('confirm-title').textContent",
            "the confirmation dialog, with the focus on Volver",
        )
        .await;
    v.as_str().unwrap().to_string()
}

async fn result_text(b: &Browser, expected: &str) {
    b.wait_for(
        &format!("document.getElementById('result-text')?.textContent === {expected:?}"),
        expected,
    )
    .await;
}

/// Every call the page makes from now on waits `ms` first, so a busy state can be seen.
async fn slow_network(b: &Browser, ms: u32) {
    b.eval(&format!(
        "(() => {{ const f = window.fetch; window.fetch = (...a) => new Promise(r => setTimeout(r, {ms})).then(() => f(...a)); return true; }})()"
    ))
    .await;
}

#[sqlx::test]
async fn a_volunteer_confirms_before_finishing_is_thanked_and_alone_gets_directions(pool: PgPool) {
    let s = build(pool.clone()).await;
    let base = serve(pool.clone(), test_config()).await;
    let b = Browser::start("flow-volunteer", 360, 740).await;

    // Nobody else is offered a way to the exact point: not the coordinator, not the requester.
    sign_in(&b, &base, Some(&s.coordinator)).await;
    b.go("coordination").await;
    b.click(&format!(
        "#coord-open li[data-request-id='{}'] .details",
        s.open.id
    ))
    .await;
    b.wait_for(
        "document.querySelector('#coord-detail a[href^=\"tel:\"]')",
        "the full details",
    )
    .await;
    let leaks = "document.querySelectorAll('a[href^=\"geo:\"], a[href*=\"openstreetmap.org/directions\"]').length";
    assert_eq!(
        b.eval(leaks).await,
        0,
        "directions outside the assignee's view"
    );
    b.client
        .goto(&format!(
            "{base}/?request={}#token={}",
            s.taken.id, s.taken.manage_token
        ))
        .await
        .unwrap();
    b.wait_for(
        "document.getElementById('req-status-text')",
        "the status view",
    )
    .await;
    assert_eq!(b.eval(leaks).await, 0, "directions in the requester's view");

    sign_in(&b, &base, Some(&s.volunteer)).await;
    b.go("volunteer").await;
    b.wait_for(
        "document.querySelector('#vol-tasks li .claim')",
        "the tasks",
    )
    .await;
    // Before a claim, a task offers no way there either.
    assert_eq!(
        b.eval("document.querySelectorAll('#vol-tasks a').length")
            .await,
        0
    );
    let geo = b
        .eval("document.querySelector('#vol-assignments .geo-link').getAttribute('href')")
        .await;
    let at = format!("{:.6},{:.6}", TAKEN_AT.0, TAKEN_AT.1);
    assert_eq!(geo, format!("geo:{at}?q={at}").as_str());
    let osm = b
        .eval("document.querySelector('#vol-assignments .osm-directions').getAttribute('href')")
        .await;
    assert!(osm.as_str().unwrap().starts_with(&format!(
        "https://www.openstreetmap.org/directions?to={}",
        at.replace(',', "%2C")
    )));

    // "Ya lo hice" and "No puedo, liberarlo" are not side by side.
    let apart = b
        .eval(
            "(() => { const a = document.querySelector('#vol-assignments .complete').getBoundingClientRect();
               const r = document.querySelector('#vol-assignments .release').getBoundingClientRect();
               return r.top - a.bottom; })()",
        )
        .await;
    assert!(apart.as_f64().unwrap() >= 24.0, "only {apart} px apart");

    // "Volver" changes nothing.
    b.click("#vol-assignments .complete").await;
    assert_eq!(dialog_title(&b).await, "¿Ya ayudaste con este pedido?");
    let a11y = [b.axe_serious().await, b.small_targets().await].concat();
    assert!(a11y.is_empty(), "the dialog: {a11y:?}");
    b.click("#confirm-no").await;
    b.wait_for(
        "!document.querySelector('dialog#confirm-dialog')",
        "the dialog to close",
    )
    .await;
    assert_eq!(status_of(&pool, &s.taken.id).await, "assigned");

    // Confirmed: busy while it goes, then thanks, and the tasks are in view, not the profile.
    slow_network(&b, 700).await;
    b.click("#vol-assignments .complete").await;
    dialog_title(&b).await;
    b.click("#confirm-yes").await;
    b.wait_for(
        "document.querySelector('#vol-assignments .complete[aria-busy=\"true\"][disabled]')",
        "the busy button",
    )
    .await;
    result_text(&b, "¡Gracias! Marcamos el pedido como hecho.").await;
    let a11y = [b.axe_serious().await, b.small_targets().await].concat();
    assert!(a11y.is_empty(), "the result: {a11y:?}");
    assert_eq!(status_of(&pool, &s.taken.id).await, "done");
    b.wait_for(
        "!document.getElementById('vol-assignments')",
        "the assignment to go",
    )
    .await;
    let title_in_view = b
        .eval(
            "(() => { const r = document.getElementById('vol-tasks-title').getBoundingClientRect();
               const p = document.getElementById('panel').getBoundingClientRect();
               return r.top >= p.top - 1 && r.top < p.bottom; })()",
        )
        .await;
    assert_eq!(title_in_view, true, "the tasks' title is not in view");

    // Someone else takes the open task first: the error shows under that task's button.
    let other = s.app.volunteer_at(TAKEN_AT, 3000.0, 3).await;
    assert_eq!(s.app.claim(&other, &s.open.id).await.status, 200);
    b.click(&format!(
        "#vol-tasks li[data-task-id='{}'] .claim",
        s.open.id
    ))
    .await;
    let beside = b
        .wait_for(
            &format!(
                "document.querySelector(\"#vol-tasks li[data-task-id='{}'] .inline-error\")?.textContent",
                s.open.id
            ),
            "the error beside the button",
        )
        .await;
    assert!(
        beside.as_str().unwrap().len() > 10 && !beside.as_str().unwrap().contains("error."),
        "{beside}"
    );
    b.screenshot("flow-volunteer-error").await;
    // The refused claim is the only thing the console reports.
    let errors = b.console_errors().await;
    assert!(
        errors.iter().all(
            |e| e.contains(&format!("/api/requests/{}/claim", s.open.id)) && e.contains("409")
        ),
        "{errors:?}"
    );
    b.close().await;
}

#[sqlx::test]
async fn a_coordinator_verifies_with_a_minute_to_undo_and_rejects_only_after_confirming(
    pool: PgPool,
) {
    let s = build(pool.clone()).await;
    let base = serve(pool.clone(), test_config()).await;
    let b = Browser::start("flow-coordinator", 360, 740).await;
    sign_in(&b, &base, Some(&s.coordinator)).await;
    b.go("coordination").await;
    let verified = |id: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, bool>("SELECT verified FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };

    // Verify, with undo.
    b.click(&format!(
        "#coord-accounts li[data-account-id='{}'] .verify",
        s.waiting.id
    ))
    .await;
    result_text(&b, "Verificaste a nico.").await;
    assert!(verified(s.waiting.id).await);
    b.click("#result-undo").await;
    result_text(&b, "Listo, lo deshicimos.").await;
    assert!(!verified(s.waiting.id).await);
    b.wait_for(
        &format!(
            "document.querySelector(\"#coord-accounts li[data-account-id='{}']\")",
            s.waiting.id
        ),
        "the account back in the waiting list",
    )
    .await;

    // Matching: the volunteers who could take the open request show under its row.
    b.click(&format!(
        "#coord-open li[data-request-id='{}'] .matches",
        s.open.id
    ))
    .await;
    let matches = b
        .wait_for(
            &format!(
                "document.querySelector(\"#coord-open li[data-request-id='{}'] #coord-matches li\")?.textContent",
                s.open.id
            ),
            "the suggested volunteers under the row",
        )
        .await;
    assert!(
        matches.as_str().unwrap().starts_with("vera · A "),
        "{matches}"
    );

    // Reject: "Volver" keeps it in the queue; confirming closes it, and the history has it.
    let reject = format!(
        "#coord-queue li[data-request-id='{}'] .reject",
        s.pending.id
    );
    b.click(&reject).await;
    assert_eq!(dialog_title(&b).await, "¿Rechazar este pedido?");
    b.click("#confirm-no").await;
    assert_eq!(status_of(&pool, &s.pending.id).await, "pending_review");
    b.click(&reject).await;
    dialog_title(&b).await;
    b.click("#confirm-yes").await;
    result_text(&b, "Pedido rechazado. Queda en el historial.").await;
    assert_eq!(status_of(&pool, &s.pending.id).await, "rejected");

    // The history, filtered to rejected, shows it; its log names who rejected it.
    b.wait_for(
        &format!(
            "document.querySelector(\"#history-list li[data-request-id='{}']\")",
            s.pending.id
        ),
        "the desk to show the rejection",
    )
    .await;
    b.eval("(() => { const f = document.getElementById('history-status'); f.value = 'rejected'; f.dispatchEvent(new Event('change', {bubbles: true})); return true; })()")
        .await;
    b.click("#history-apply").await;
    b.wait_for(
        &format!(
            "document.querySelectorAll('#history-list li').length === 1 && document.querySelector(\"#history-list li[data-request-id='{}']\")",
            s.pending.id
        ),
        "the rejected request alone in the history",
    )
    .await;
    b.click(&format!(
        "#history-list li[data-request-id='{}'] .show-log",
        s.pending.id
    ))
    .await;
    let log = b
        .wait_for(
            "document.querySelector('#history-list .request-log li[data-action=\"rejected\"]')?.textContent",
            "the request's log",
        )
        .await;
    assert!(log.as_str().unwrap().contains("ana · lo rechazó"), "{log}");
    b.screenshot("flow-coordinator-history").await;
    b.finish(&base).await;
}

#[sqlx::test]
async fn a_requester_cancels_from_the_private_link_after_confirming(pool: PgPool) {
    let s = build(pool.clone()).await;
    let base = serve(pool.clone(), test_config()).await;
    let b = Browser::start("flow-requester", 360, 740).await;
    b.client
        .goto(&format!(
            "{base}/?request={}#token={}",
            s.pending.id, s.pending.manage_token
        ))
        .await
        .unwrap();
    b.wait_for("document.getElementById('req-cancel')", "the status view")
        .await;
    b.click("#req-cancel").await;
    assert_eq!(
        dialog_title(&b).await,
        "¿Seguro que querés cancelar el pedido?"
    );
    // Escape is "Volver" too.
    let no = b
        .client
        .find(fantoccini::Locator::Css("#confirm-no"))
        .await
        .unwrap();
    no.send_keys(&char::from(fantoccini::key::Key::Escape).to_string())
        .await
        .unwrap();
    b.wait_for(
        "!document.querySelector('dialog#confirm-dialog')",
        "Escape to close the dialog",
    )
    .await;
    assert_eq!(status_of(&pool, &s.pending.id).await, "pending_review");
    b.click("#req-cancel").await;
    dialog_title(&b).await;
    b.click("#confirm-yes").await;
    result_text(&b, "Pedido cancelado.").await;
    b.wait_for(
        "document.getElementById('req-status-text')?.dataset.status === 'cancelled'",
        "the cancelled status",
    )
    .await;
    assert_eq!(status_of(&pool, &s.pending.id).await, "cancelled");
    b.finish(&base).await;
}

#[sqlx::test]
async fn an_organizer_closes_a_need_only_after_confirming(pool: PgPool) {
    let s = build(pool.clone()).await;
    let base = serve(pool.clone(), test_config()).await;
    let b = Browser::start("flow-organizer", 360, 740).await;
    sign_in(&b, &base, Some(&s.organizer)).await;
    b.go("organizer").await;
    b.wait_for(
        "document.querySelectorAll('#organizer-needs .close-need').length === 2",
        "the kitchen's needs",
    )
    .await;
    let open_needs = || {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM needs WHERE status = 'open'")
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    b.click("#organizer-needs .close-need").await;
    assert_eq!(dialog_title(&b).await, "¿Cerrar este pedido del comedor?");
    b.click("#confirm-no").await;
    assert_eq!(open_needs().await, 2);
    b.click("#organizer-needs .close-need").await;
    dialog_title(&b).await;
    b.click("#confirm-yes").await;
    result_text(&b, "Pedido cerrado.").await;
    assert_eq!(open_needs().await, 1);
    b.wait_for(
        "document.querySelectorAll('#organizer-needs .close-need').length === 1",
        "one need left open",
    )
    .await;
    b.finish(&base).await;
}
