//! A minimal SMTP server on 127.0.0.1 for tests: speaks enough of RFC 5321 for lettre's
//! client over plain TCP (no STARTTLS, no AUTH) and records every mail it accepts.
//! `refuse_next` makes it answer DATA with a transient 451, to test retries.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One accepted mail: the envelope and the message as sent (dot-unstuffed, CRLF line ends).
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// The unfolded headers, in order.
    fn headers(&self) -> Vec<(String, String)> {
        let text = self.data.replace("\r\n", "\n");
        let head = text.split("\n\n").next().unwrap_or_default();
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                // A continuation: unfolding drops only the line break (RFC 5322 2.2.3).
                if let Some((_, value)) = headers.last_mut() {
                    value.push_str(line);
                }
            } else if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim().to_string(), value.to_string()));
            }
        }
        headers
            .into_iter()
            .map(|(n, v)| (n, v.trim().to_string()))
            .collect()
    }

    /// The first header of that name (any case), unfolded, as sent (RFC 2047 words stay
    /// encoded; see [`Mail::decoded_header`]).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers()
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Like [`Mail::header`], with RFC 2047 encoded words (`=?utf-8?b?...?=`) decoded.
    pub fn decoded_header(&self, name: &str) -> Option<String> {
        self.header(name).map(|v| decode_words(&v))
    }

    /// The body, decoded from its Content-Transfer-Encoding, with `\n` line ends and without
    /// the final one (which SMTP always adds, outside any base64 content).
    pub fn body(&self) -> String {
        let text = self.data.replace("\r\n", "\n");
        let raw = text.split_once("\n\n").map(|(_, b)| b).unwrap_or_default();
        let raw = raw.strip_suffix('\n').unwrap_or(raw);
        let encoding = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let bytes = match encoding.as_str() {
            "quoted-printable" => decode_qp(raw),
            "base64" => {
                let compact: String = raw.split_whitespace().collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .expect("base64 body")
            }
            _ => raw.as_bytes().to_vec(),
        };
        String::from_utf8(bytes)
            .expect("UTF-8 body")
            .replace("\r\n", "\n")
    }
}

/// Quoted-printable (RFC 2045 6.7): `=XX` is a byte, `=` at a line end is a soft break.
fn decode_qp(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let lines: Vec<&str> = text.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        // Trailing blanks were added in transport, not part of the text.
        let line = line.trim_end_matches([' ', '\t']);
        let (line, soft) = match line.strip_suffix('=') {
            Some(rest) => (rest, true),
            None => (line, false),
        };
        let bytes = line.as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            let hex = bytes
                .get(j + 1..j + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match (bytes[j], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
                (b'=', Some(byte)) => {
                    out.push(byte);
                    j += 3;
                }
                (b, _) => {
                    out.push(b);
                    j += 1;
                }
            }
        }
        if !soft && i + 1 < lines.len() {
            out.push(b'\n');
        }
    }
    out
}

/// RFC 2047: encoded words are decoded, and the space between two of them dropped.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut last_encoded = false;
    for word in value.split(' ') {
        let parts: Vec<&str> = word.split('?').collect();
        let encoded = parts.len() == 5 && parts[0] == "=" && parts[4] == "=";
        if encoded {
            match parts[2].to_ascii_lowercase().as_str() {
                "b" => pending.extend(
                    base64::engine::general_purpose::STANDARD
                        .decode(parts[3])
                        .expect("base64 word"),
                ),
                _ => pending.extend(decode_qp(&parts[3].replace('_', " "))),
            }
            if !last_encoded && !out.is_empty() {
                out.push(' ');
            }
        } else {
            // Bytes of adjacent words are joined first: a character may span two words.
            out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut pending)));
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
        last_encoded = encoded;
    }
    out.push_str(&String::from_utf8_lossy(&pending));
    out
}

pub struct SmtpSink {
    /// `smtp://127.0.0.1:PORT`: plain SMTP for lettre's `from_url`.
    pub url: String,
    pub mails: Arc<Mutex<Vec<Mail>>>,
    refusals: Arc<AtomicUsize>,
}

impl SmtpSink {
    /// The next `n` DATA commands are answered `451` (a transient failure).
    pub fn refuse_next(&self, n: usize) {
        self.refusals.store(n, Ordering::SeqCst);
    }
}

pub async fn start() -> SmtpSink {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let mails: Arc<Mutex<Vec<Mail>>> = Arc::default();
    let refusals: Arc<AtomicUsize> = Arc::default();
    let (seen, refuse) = (mails.clone(), refusals.clone());
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            // Mailers may connect concurrently; each session runs on its own.
            tokio::spawn(session(sock, seen.clone(), refuse.clone()));
        }
    });
    SmtpSink {
        url,
        mails,
        refusals,
    }
}

async fn read_line<R: AsyncRead + Unpin>(r: &mut BufReader<R>) -> Option<String> {
    let mut buf = Vec::new();
    match r.read_until(b'\n', &mut buf).await {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            let line = String::from_utf8_lossy(&buf);
            Some(line.trim_end_matches(['\r', '\n']).to_string())
        }
    }
}

/// The address in `MAIL FROM:<a@b> BODY=8BITMIME` or `RCPT TO:<a@b>`.
fn path_arg(line: &str) -> String {
    let rest = line.split_once(':').map(|(_, r)| r.trim()).unwrap_or("");
    match (rest.find('<'), rest.find('>')) {
        (Some(a), Some(b)) if a < b => rest[a + 1..b].to_string(),
        _ => rest.split_whitespace().next().unwrap_or("").to_string(),
    }
}

/// Decrements the refusal count if it is above zero; true when this command is refused.
fn take_refusal(refusals: &AtomicUsize) -> bool {
    refusals
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

async fn session(sock: TcpStream, mails: Arc<Mutex<Vec<Mail>>>, refusals: Arc<AtomicUsize>) {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    let (mut from, mut to) = (String::new(), Vec::new());
    if w.write_all(b"220 sink.test ESMTP ready\r\n").await.is_err() {
        return;
    }
    while let Some(line) = read_line(&mut r).await {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply = match verb.as_str() {
            // No STARTTLS, AUTH nor 8BITMIME: lettre must send a 7-bit clean message.
            "EHLO" => "250-sink.test greets you\r\n250 HELP",
            "HELO" => "250 sink.test",
            "MAIL" => {
                from = path_arg(&line);
                to.clear();
                "250 2.1.0 OK"
            }
            "RCPT" => {
                to.push(path_arg(&line));
                "250 2.1.5 OK"
            }
            "DATA" if to.is_empty() => "503 5.5.1 RCPT first",
            "DATA" if take_refusal(&refusals) => "451 4.3.0 try again later",
            "DATA" => {
                if w.write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let mut data = String::new();
                loop {
                    let Some(line) = read_line(&mut r).await else {
                        return;
                    };
                    if line == "." {
                        break;
                    }
                    // Dot-stuffing (RFC 5321 4.5.2): a leading dot was doubled.
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                    data.push_str("\r\n");
                }
                mails.lock().unwrap().push(Mail {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                });
                "250 2.0.0 queued"
            }
            "RSET" => {
                from.clear();
                to.clear();
                "250 2.0.0 OK"
            }
            "NOOP" => "250 2.0.0 OK",
            "QUIT" => {
                let _ = w.write_all(b"221 2.0.0 bye\r\n").await;
                return;
            }
            _ => "502 5.5.2 command not implemented",
        };
        if w.write_all(format!("{reply}\r\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}
