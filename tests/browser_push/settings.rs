//! Mail and SMS settings, following a kitchen, a requester's email, and the unsubscribe link.

use crate::*;

#[sqlx::test]
async fn a_volunteer_picks_mail_and_sms_follows_a_kitchen_and_a_request_leaves_an_email(
    pool: PgPool,
) {
    let (mut config, _) = with_push();
    // Mail and the SMS gateway are offered; nothing is sent (the sender is off in tests).
    config.notify.smtp_url = "smtp://127.0.0.1:2525".into();
    config.notify.webhook_url = "http://127.0.0.1:9/sms".into();
    config.notify.webhook_secret = "a-secret-of-16-chars-or-more".into();
    let (olga, _) = common::account(&pool, "olga@example.org", "organizer", true).await;
    let (vera, _) = common::account(&pool, "vera@example.org", "volunteer", true).await;
    let place = kitchen(&pool, "Comedor La Esperanza", olga).await;
    let base = serve(pool.clone(), config).await;
    // The narrowest phone the suite knows.
    let b = Browser::start("notify-choices", 320, 740).await;
    b.client.goto(&base).await.unwrap();
    b.wait_for_map().await;

    b.go("volunteer").await;
    log_in(&b, "vol", "vera@example.org").await;
    b.click("#vol-notify-toggle").await;
    b.wait_for(
        "document.getElementById('notify-by-webhook')",
        "the choices",
    )
    .await;
    let labels = b
        .eval("[...document.querySelectorAll('#notify-form fieldset label')].map(l => l.textContent.trim())")
        .await;
    assert_eq!(
        labels,
        json!([
            "En este teléfono",
            "Por correo",
            "Por SMS/WhatsApp",
            "Número para SMS/WhatsApp",
            "Desde",
            "Hasta"
        ])
    );
    b.eval("document.getElementById('vol-notify').scrollIntoView({block: 'start'})")
        .await;
    b.screenshot("notify-open").await;
    let fits = b
        .eval("document.documentElement.scrollWidth <= window.innerWidth && [...document.querySelectorAll('#vol-notify *')].every(e => e.getBoundingClientRect().right <= window.innerWidth)")
        .await;
    assert_eq!(fits, true, "the section fits a 320 px screen");
    // The open section passes the same accessibility checks as every screen.
    b.eval("document.getElementById('notify-save').scrollIntoView({block: 'center'})")
        .await;
    let mut problems = b.axe_serious().await;
    problems.extend(b.small_targets().await);
    assert!(problems.is_empty(), "{problems:?}");

    // SMS without a number is refused, and the page says why.
    b.click("#notify-by-email").await;
    b.click("#notify-by-webhook").await;
    b.click("#notify-save").await;
    b.wait_for(
        "document.querySelector('#notify-status.error')",
        "the refusal",
    )
    .await;
    assert_eq!(b.text("#notify-status").await, "Revisá el teléfono.");
    b.fill("#notify-webhook-to", "+54 342 455-1234").await;
    b.eval("(() => { const s = document.getElementById('notify-language'); s.value = 'en'; return true; })()")
        .await;
    b.click("#notify-save").await;
    b.wait_for(
        "document.querySelector('#notify-status:not(.error)')?.textContent",
        "the settings saved",
    )
    .await;
    assert_eq!(
        b.text("#notify-status").await,
        "Listo: guardamos cómo avisarte."
    );
    let settings = settings_seen_by_the_page(&b).await;
    assert_eq!(
        (
            &settings["by_push"],
            &settings["by_email"],
            &settings["by_webhook"],
            &settings["language"]
        ),
        (&json!(false), &json!(true), &json!(true), &json!("en")),
        "{settings}"
    );
    assert!(
        settings["webhook_to"]
            .as_str()
            .is_some_and(|p| p.contains("455")),
        "{settings}"
    );
    b.screenshot("notify-choices").await;

    // On the kitchen's card: "tell me when it needs something", and back.
    b.client
        .goto(&format!("{base}/?place={place}"))
        .await
        .unwrap();
    b.wait_for(
        "document.getElementById('kitchen-follow-toggle')",
        "the follow button",
    )
    .await;
    assert_eq!(
        b.text("#kitchen-follow-toggle").await,
        "Avisarme cuando falte algo"
    );
    b.click("#kitchen-follow-toggle").await;
    b.wait_for(
        "document.getElementById('kitchen-follow-toggle')?.textContent === 'Dejar de seguir'",
        "following",
    )
    .await;
    // Mail and SMS are on, so nothing more is asked of the person.
    b.wait_for(
        "document.getElementById('result-text')?.textContent === 'Listo: te avisamos cuando a este comedor le falte algo.'",
        "the result in words",
    )
    .await;
    let follows = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM kitchen_followers WHERE place_id = $1 AND account_id = $2",
        )
        .bind(place)
        .bind(vera)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert_eq!(follows().await, 1);
    b.screenshot("notify-follow").await;
    b.click("#kitchen-follow-toggle").await;
    b.wait_for(
        "document.getElementById('kitchen-follow-toggle')?.textContent === 'Avisarme cuando falte algo'",
        "not following",
    )
    .await;
    assert_eq!(follows().await, 0);

    // A help request, asked in English, leaves an email for news of it.
    b.eval("(() => { const s = document.getElementById('lang-select'); s.value = 'en'; s.dispatchEvent(new Event('change')); return true; })()").await;
    b.go("request").await;
    b.wait_for("document.getElementById('req-email')", "the request form")
        .await;
    assert_eq!(
        b.text("#req-form label:has(#req-email)").await.trim(),
        "Your email (optional): we tell you when someone takes it"
    );
    tap_map(&b, -31.6331, -60.7012).await;
    b.wait_for("window.antes.requests.point !== null", "the picked point")
        .await;
    b.fill("#req-name", "Rosa Quiroga").await;
    b.fill("#req-phone", "+54 342 455-9876").await;
    b.fill("#req-email", "rosa@example.org").await;
    b.click("#req-submit").await;
    b.wait_for("document.getElementById('req-emailed')", "the private link")
        .await;
    let (email, language): (Option<String>, String) =
        sqlx::query_as("SELECT contact_email, contact_language FROM help_requests")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (email.as_deref(), language.as_str()),
        (Some("rosa@example.org"), "en")
    );
    finish_but(b, &base, None, &[("/api/me/notifications", "422")]).await;
}

#[sqlx::test]
async fn a_mails_unsubscribe_link_asks_once_then_turns_mail_off(pool: PgPool) {
    // Of the form the server makes (64 hex digits); any other is refused before the database.
    const TOKEN: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let (ana, _) = common::account(&pool, "ana@example.org", "volunteer", true).await;
    sqlx::query(
        "INSERT INTO notification_settings (account_id, by_email, unsubscribe_token) \
         VALUES ($1, true, $2)",
    )
    .bind(ana)
    .bind(TOKEN)
    .execute(&pool)
    .await
    .unwrap();
    let base = serve(pool.clone(), test_config()).await;
    let b = Browser::start("push-unsubscribe", 360, 740).await;
    b.client
        .goto(&format!("{base}/?unsubscribe={TOKEN}"))
        .await
        .unwrap();
    b.wait_for("document.getElementById('unsubscribe-yes')", "the question")
        .await;
    // The token leaves the address bar at once; nothing changed before the tap.
    assert_eq!(b.eval("location.search").await, "");
    let by_email = || async {
        sqlx::query_scalar::<_, bool>(
            "SELECT by_email FROM notification_settings WHERE account_id = $1",
        )
        .bind(ana)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert!(by_email().await);
    b.click("#unsubscribe-yes").await;
    b.wait_for(
        "document.getElementById('unsubscribe-status').textContent",
        "the answer",
    )
    .await;
    assert_eq!(
        b.text("#unsubscribe-status").await,
        "Listo: no te vamos a mandar más correos de aviso."
    );
    assert!(!by_email().await);

    // A link that is not known says so, in words.
    b.click("#unsubscribe-close").await;
    b.client
        .goto(&format!("{base}/?unsubscribe=no-such-token"))
        .await
        .unwrap();
    b.click("#unsubscribe-yes").await;
    b.wait_for(
        "document.querySelector('#unsubscribe-status.error')",
        "the refusal",
    )
    .await;
    assert!(b
        .text("#unsubscribe-status")
        .await
        .contains("Este enlace ya no sirve"));
    finish_but(b, &base, None, &[("/api/unsubscribe/no-such-token", "404")]).await;
}
