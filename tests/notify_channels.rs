//! The real mail and webhook clients against local stand-ins (an SMTP sink, a gateway that
//! checks signatures): what arrives, and how refusals come back as retry or give-up. No
//! database needed.

mod common;

use antes::notify::email::Mailer;
use antes::notify::{webhook, Failure};
use chrono::Utc;
use common::{smtp_sink, webhook_receiver};
use serde_json::json;

const FROM: &str = "Antes de Salir <avisos@antes.test>";
const SECRET: &[u8] = b"secreto del gateway";

#[tokio::test]
async fn a_mail_arrives_with_its_headers_and_accents() {
    let sink = smtp_sink::start().await;
    let mailer = Mailer::new(&sink.url, FROM).unwrap();
    let body = "Hola: María, del 3º piso, necesita ayuda con las compras.\n\
                ¿Podés pasar por la esquina de Güemes y Córdoba?\n\
                .Una línea que empieza con punto.";
    mailer
        .send(
            "vecina@example.org",
            "Pedido de ayuda cerca: compras",
            body,
            "outbox-42",
            Some("https://antes.test/baja/abc123"),
        )
        .await
        .unwrap();

    let mails = sink.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.from, "avisos@antes.test");
    assert_eq!(mail.to, vec!["vecina@example.org".to_string()]);
    assert!(mail.data.is_ascii(), "sent without 8BITMIME: {}", mail.data);
    assert_eq!(
        mail.header("subject").as_deref(),
        Some("Pedido de ayuda cerca: compras")
    );
    assert_eq!(
        mail.header("Message-ID").as_deref(),
        Some("<outbox-42@antes.test>")
    );
    assert_eq!(
        mail.header("List-Unsubscribe").as_deref(),
        Some("<https://antes.test/baja/abc123>")
    );
    assert_eq!(
        mail.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert_eq!(
        mail.header("Content-Type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    // Mostly ASCII text with a few accents: lettre picks quoted-printable.
    assert_eq!(
        mail.header("Content-Transfer-Encoding").as_deref(),
        Some("quoted-printable")
    );
    // The caller writes the unsubscribe line, in the reader's language.
    assert_eq!(mail.body(), body);
}

#[tokio::test]
async fn an_accented_subject_survives_the_trip() {
    let sink = smtp_sink::start().await;
    let mailer = Mailer::new(&sink.url, FROM).unwrap();
    let subject = "Pedido de ayuda cerca: compras en Güemes, ¿podés ir mañana?";
    mailer
        .send("a@example.org", subject, "Gracias.", "outbox-43", None)
        .await
        .unwrap();
    // Mostly non-ASCII text, which lettre sends as base64 rather than quoted-printable.
    let dense = "¿Ñandú? ñoño güeñé ñañá éíóú ÁÉÍÓÚ ññññ";
    mailer
        .send("a@example.org", subject, dense, "outbox-45", None)
        .await
        .unwrap();
    let mails = sink.mails.lock().unwrap().clone();
    assert_eq!(mails[0].decoded_header("Subject").as_deref(), Some(subject));
    assert_eq!(mails[0].header("List-Unsubscribe"), None);
    assert_eq!(mails[0].body(), "Gracias.");
    assert_eq!(
        mails[1].header("Content-Transfer-Encoding").as_deref(),
        Some("base64")
    );
    assert_eq!(mails[1].body(), dense);
}

#[tokio::test]
async fn a_transient_refusal_is_retried() {
    let sink = smtp_sink::start().await;
    let mailer = Mailer::new(&sink.url, FROM).unwrap();
    sink.refuse_next(1);
    let first = mailer
        .send("a@example.org", "Aviso", "Texto", "outbox-44", None)
        .await;
    assert!(matches!(first, Err(Failure::Retry(_))), "{first:?}");
    assert!(sink.mails.lock().unwrap().is_empty());
    // The same outbox entry, sent again, goes through with the same Message-ID.
    mailer
        .send("a@example.org", "Aviso", "Texto", "outbox-44", None)
        .await
        .unwrap();
    let mails = sink.mails.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert_eq!(
        mails[0].header("message-id").as_deref(),
        Some("<outbox-44@antes.test>")
    );
}

#[tokio::test]
async fn no_smtp_server_is_retried_and_a_bad_recipient_given_up() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mailer = Mailer::new(&format!("smtp://127.0.0.1:{port}"), FROM).unwrap();
    let down = mailer.send("a@example.org", "Aviso", "T", "k", None).await;
    assert!(matches!(down, Err(Failure::Retry(_))), "{down:?}");
    let bad = mailer.send("not-an-address", "Aviso", "T", "k", None).await;
    assert!(matches!(bad, Err(Failure::GiveUp(_))), "{bad:?}");
}

#[tokio::test]
async fn a_signed_webhook_is_accepted_once_verified() {
    let receiver = webhook_receiver::start(SECRET).await;
    let client = reqwest::Client::new();
    let body = json!({"to": "+5493410000000", "text": "Pedido de ayuda cerca: compras en Güemes"});
    webhook::send(
        &client,
        &receiver.url,
        SECRET,
        &body,
        "outbox-7",
        Utc::now(),
    )
    .await
    .unwrap();
    let received = receiver.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].body, body);
    assert_eq!(received[0].idempotency_key.as_deref(), Some("outbox-7"));
    assert!(receiver.rejected.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_wrong_secret_or_a_stale_signature_is_refused() {
    let receiver = webhook_receiver::start(SECRET).await;
    let client = reqwest::Client::new();
    let body = json!({"text": "hola"});
    let wrong = webhook::send(&client, &receiver.url, b"otro", &body, "k1", Utc::now()).await;
    assert!(matches!(wrong, Err(Failure::GiveUp(_))), "{wrong:?}");
    // A request signed an hour ago (a replay, or a badly wrong clock).
    let old = Utc::now() - chrono::Duration::hours(1);
    let stale = webhook::send(&client, &receiver.url, SECRET, &body, "k2", old).await;
    assert!(matches!(stale, Err(Failure::GiveUp(_))), "{stale:?}");
    let rejected = receiver.rejected.lock().unwrap().clone();
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert!(rejected[0].contains("does not match"), "{rejected:?}");
    assert!(rejected[1].contains("timestamp"), "{rejected:?}");
    assert!(receiver.received.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_unavailable_gateway_is_retried() {
    let receiver = webhook_receiver::start(SECRET).await;
    let client = reqwest::Client::new();
    let body = json!({"text": "hola"});
    receiver.fail_next(1);
    let busy = webhook::send(&client, &receiver.url, SECRET, &body, "k3", Utc::now()).await;
    assert!(matches!(busy, Err(Failure::Retry(_))), "{busy:?}");
    webhook::send(&client, &receiver.url, SECRET, &body, "k3", Utc::now())
        .await
        .unwrap();
    let received = receiver.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].idempotency_key.as_deref(), Some("k3"));
}
