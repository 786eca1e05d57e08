//! Mail over SMTP with `lettre`: one plain-text UTF-8 message per outbox entry.
//!
//! The SMTP server is given as a URL in lettre's own syntax (`smtp://host:port` is plain
//! SMTP, `smtp://host?tls=required` upgrades with STARTTLS, `smtps://user:pass@host` is TLS
//! from the first byte). Each message carries the outbox key as its `Message-ID`, so a
//! resend after a lost reply is recognisable as the same mail, and, when the recipient can
//! opt out, the RFC 8058 one-click unsubscribe headers that large mailbox providers expect
//! from bulk senders.

use std::fmt;
use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::notify::Failure;

/// An SMTP command that takes longer than this is taken as a dead connection (lettre's
/// default is a minute, which would hold up the outbox for too long).
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends mail through one SMTP server, from one address.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

// By hand: the transport holds the SMTP credentials, which must not reach a log line.
impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// From an SMTP URL as lettre understands it (`smtp://host:port`,
    /// `smtps://user:pass@host`, `smtp://host?tls=required`) and a From address
    /// (`avisos@example.org` or `Antes de Salir <avisos@example.org>`).
    pub fn new(smtp_url: &str, from: &str) -> Result<Mailer, String> {
        // The URL may hold a password, so the error names the problem but not the URL.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| format!("the SMTP URL is not usable: {e}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| format!("the From address {from:?} is not valid: {e}"))?;
        Ok(Mailer { transport, from })
    }

    /// Sends one plain-text UTF-8 mail. `message_id` is the outbox key, used as the
    /// `Message-ID`; `unsubscribe` (an http(s) URL) adds the RFC 8058 headers. The body says
    /// how to unsubscribe in the reader's language; the caller writes it.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        message_id: &str,
        unsubscribe: Option<&str>,
    ) -> Result<(), Failure> {
        let message = build(&self.from, to, subject, body, message_id, unsubscribe)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(classify)
    }
}

/// Builds the message without sending it, so its exact form can be tested.
fn build(
    from: &Mailbox,
    to: &str,
    subject: &str,
    body: &str,
    message_id: &str,
    unsubscribe: Option<&str>,
) -> Result<Message, Failure> {
    let to = to
        .parse::<Mailbox>()
        .map_err(|e| Failure::GiveUp(format!("bad recipient address {to:?}: {e}")))?;
    if let Some(url) = unsubscribe {
        check_link(url)?;
    }
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(message_id_header(message_id, from.email.domain())))
        .header(ContentType::TEXT_PLAIN);
    let text = body.trim_end().to_string();
    if let Some(url) = unsubscribe {
        builder = builder
            .header(ListUnsubscribe(url.to_string()))
            .header(ListUnsubscribePost);
    }
    // No final line end: lettre's SMTP client always adds CRLF before the closing dot, so
    // one here would arrive as an extra empty line. lettre turns the line ends into CRLF
    // and picks 7bit, quoted-printable or base64.
    builder
        .body(text)
        .map_err(|e| Failure::GiveUp(format!("the message cannot be built: {e}")))
}

/// `<key@domain>`: a Message-ID must look like an address, and the sender's own domain keeps
/// it unique worldwide. Characters outside RFC 5322's `atext` would make the header
/// unparsable, so they become `-` (the same key still gives the same id).
fn message_id_header(key: &str, domain: &str) -> String {
    let left: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let left = left.trim_matches('.');
    let left = if left.is_empty() { "-" } else { left };
    format!("<{left}@{domain}>")
}

/// The unsubscribe link goes inside `<...>` in a header: anything but a plain http(s) URL
/// could break out of it (a header injection) or would not be followed by mail clients.
fn check_link(url: &str) -> Result<(), Failure> {
    let scheme_ok = url.starts_with("https://") || url.starts_with("http://");
    let chars_ok = url
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>');
    if scheme_ok && chars_ok {
        Ok(())
    } else {
        Err(Failure::GiveUp(format!(
            "the unsubscribe link {url:?} is not a plain http(s) URL"
        )))
    }
}

/// 4xx replies and broken connections may pass; a 5xx reply or a message lettre itself
/// refuses (a client error) will not, however often it is tried.
fn classify(e: lettre::transport::smtp::Error) -> Failure {
    if e.is_permanent() || e.is_client() {
        Failure::GiveUp(e.to_string())
    } else {
        Failure::Retry(e.to_string())
    }
}

/// `List-Unsubscribe: <https://...>` (RFC 2369).
#[derive(Debug, Clone, PartialEq)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let url = s
            .trim()
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .ok_or("List-Unsubscribe must be <url>")?;
        Ok(ListUnsubscribe(url.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the link works with a
/// bare POST, so the mail client can unsubscribe without opening a page.
#[derive(Debug, Clone, PartialEq)]
struct ListUnsubscribePost;

const ONE_CLICK: &str = "List-Unsubscribe=One-Click";

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        if s.trim() == ONE_CLICK {
            Ok(ListUnsubscribePost)
        } else {
            Err(format!("List-Unsubscribe-Post must be {ONE_CLICK}").into())
        }
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), ONE_CLICK.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn from() -> Mailbox {
        "Antes de Salir <avisos@antes.test>".parse().unwrap()
    }

    fn formatted(message: &Message) -> String {
        String::from_utf8(message.formatted()).unwrap()
    }

    /// The (unfolded) value of a header in a formatted message.
    fn header(text: &str, name: &str) -> Option<String> {
        let head = text.split("\r\n\r\n").next().unwrap().replace("\r\n ", " ");
        head.lines().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    #[test]
    fn carries_the_one_click_unsubscribe_headers_and_the_link() {
        let message = build(
            &from(),
            "vecina@example.org",
            "Pedido de ayuda cerca",
            "Alguien necesita ayuda con las compras.",
            "outbox-42",
            Some("https://antes.test/baja/abc123"),
        )
        .unwrap();
        let text = formatted(&message);
        assert_eq!(
            header(&text, "List-Unsubscribe").as_deref(),
            Some("<https://antes.test/baja/abc123>")
        );
        assert_eq!(
            header(&text, "List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        assert_eq!(
            header(&text, "Message-ID").as_deref(),
            Some("<outbox-42@antes.test>")
        );
        // An ASCII body is sent as is.
        assert_eq!(
            header(&text, "Content-Transfer-Encoding").as_deref(),
            Some("7bit")
        );
        assert!(
            text.ends_with("\r\nAlguien necesita ayuda con las compras."),
            "{text}"
        );
    }

    #[test]
    fn without_a_link_there_are_no_unsubscribe_headers() {
        let message = build(&from(), "a@example.org", "Hola", "Texto", "k1", None).unwrap();
        let text = formatted(&message);
        assert_eq!(header(&text, "List-Unsubscribe"), None);
        assert_eq!(header(&text, "List-Unsubscribe-Post"), None);
        assert!(!text.contains("dejar de recibir"));
    }

    #[test]
    fn an_accented_subject_is_encoded_and_decodes_back() {
        let subject = "Pedido de ayuda cerca: compras en Güemes, ¿podés?";
        let message = build(
            &from(),
            "a@example.org",
            subject,
            "Señora María, 3º piso",
            "k2",
            None,
        )
        .unwrap();
        let text = formatted(&message);
        assert!(text.is_ascii(), "a message must be 7-bit clean: {text}");
        let raw = header(&text, "Subject").unwrap();
        // RFC 2047: plain words as they are, the others as base64 encoded words.
        let mut decoded = String::new();
        for word in raw.split(' ') {
            match word
                .strip_prefix("=?utf-8?b?")
                .and_then(|w| w.strip_suffix("?="))
            {
                Some(b64) => {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .unwrap();
                    decoded.push_str(&String::from_utf8(bytes).unwrap());
                }
                None => decoded.push_str(&format!("{word} ")),
            }
        }
        assert_eq!(decoded.trim_end(), subject, "{raw}");
        assert_eq!(
            header(&text, "Content-Type").as_deref(),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(
            header(&text, "Content-Transfer-Encoding").as_deref(),
            Some("quoted-printable")
        );
    }

    #[test]
    fn a_bad_recipient_is_given_up_on() {
        for to in ["not an address", "", "a@b@c", "<>"] {
            let built = build(&from(), to, "Hola", "Texto", "k3", None);
            assert!(matches!(built, Err(Failure::GiveUp(_))), "{to:?}");
        }
    }

    #[test]
    fn only_plain_http_links_are_accepted() {
        for url in [
            "javascript:alert(1)",
            "mailto:baja@antes.test",
            "https://antes.test/a b",
            "https://antes.test/>\r\nBcc: x@y.z",
        ] {
            let built = build(&from(), "a@example.org", "Hola", "Texto", "k4", Some(url));
            assert!(matches!(built, Err(Failure::GiveUp(_))), "{url:?}");
        }
        let http = build(
            &from(),
            "a@example.org",
            "Hola",
            "T",
            "k",
            Some("http://l/x"),
        );
        assert!(http.is_ok());
    }

    #[test]
    fn message_ids_are_stable_and_well_formed() {
        assert_eq!(message_id_header("42", "a.test"), "<42@a.test>");
        assert_eq!(
            message_id_header("mail:7 <x>", "a.test"),
            "<mail-7--x-@a.test>"
        );
        assert_eq!(message_id_header("", "a.test"), "<-@a.test>");
    }

    #[tokio::test]
    async fn settings_are_checked_up_front() {
        assert!(Mailer::new("smtp://127.0.0.1:2525", "avisos@antes.test").is_ok());
        assert!(Mailer::new("smtps://u:p%40ss@smtp.example.org", "avisos@antes.test").is_ok());
        assert!(Mailer::new("smtp://smtp.example.org?tls=required", "a@antes.test").is_ok());
        let bad_url = Mailer::new("http://smtp.example.org", "a@antes.test").unwrap_err();
        assert!(bad_url.contains("SMTP URL"), "{bad_url}");
        let secret = Mailer::new("smtp//user:hunter2@host", "a@antes.test").unwrap_err();
        assert!(!secret.contains("hunter2"), "{secret}");
        let bad_from = Mailer::new("smtp://127.0.0.1", "nobody").unwrap_err();
        assert!(bad_from.contains("From"), "{bad_from}");
    }
}
