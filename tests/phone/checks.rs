//! What every phone screen must pass: no text wider than its box or the screen, no word or
//! number broken across two lines, every date as es-AR writes it, and the look of the
//! reference screenshot kept in `tests/screenshots/`.

use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;
use std::path::{Path, PathBuf};

use crate::common::{artifacts_dir, Browser};

/// Text that spills out of its box, or off the screen. A box cut with an ellipsis on purpose
/// (the private link, whose "Copiar" copies all of it) is not a spill.
pub async fn overflowing(b: &Browser) -> Vec<String> {
    let found = b
        .eval(
            "(() => {
               const out = [];
               const vw = document.documentElement.clientWidth;
               if (document.documentElement.scrollWidth > vw) out.push(`the page is ${document.documentElement.scrollWidth} px wide`);
               for (const e of document.querySelectorAll('body *')) {
                 if (e.closest('.maplibregl-map, script, style, svg, .visually-hidden, select')) continue;
                 if (!e.getClientRects().length) continue;
                 if (![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
                 const cs = getComputedStyle(e);
                 if (cs.textOverflow === 'ellipsis') continue;
                 const r = e.getBoundingClientRect();
                 const name = `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} \"${e.textContent.trim().slice(0, 40)}\"`;
                 if (cs.display !== 'inline' && e.scrollWidth > e.clientWidth + 1) out.push(`${name}: ${e.scrollWidth} px in ${e.clientWidth}`);
                 if (r.right > vw + 1 || r.left < -1) out.push(`${name}: off screen (${Math.round(r.left)}..${Math.round(r.right)})`);
               }
               return out;
             })()",
        )
        .await;
    serde_json::from_value(found).unwrap()
}

/// Words and numbers (anything between spaces, so "455-9876" too) laid out on two lines.
pub async fn broken_words(b: &Browser) -> Vec<String> {
    let found = b
        .eval(
            "(() => {
               const out = [];
               const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
               for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                 const p = n.parentElement;
                 if (!p || p.closest('.maplibregl-map, script, style, .visually-hidden, select, textarea')) continue;
                 if (!p.getClientRects().length) continue;
                 const words = /\\S+/g;
                 for (let m = words.exec(n.textContent); m; m = words.exec(n.textContent)) {
                   const range = document.createRange();
                   range.setStart(n, m.index);
                   range.setEnd(n, m.index + m[0].length);
                   const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top).sort((a, b) => a - b);
                   const lines = tops.filter((t, i) => i === 0 || t - tops[i - 1] > 3).length;
                   if (lines > 1) out.push(`\"${m[0]}\" in ${p.tagName.toLowerCase()}${p.id ? '#' + p.id : ''}`);
                 }
               }
               return out;
             })()",
        )
        .await;
    serde_json::from_value(found).unwrap()
}

/// Text that no person should read: "null", "undefined", "NaN", a placeholder left as
/// "{name}", or a catalog key shown for want of its text.
pub async fn stray_text(b: &Browser) -> Vec<String> {
    let text = b.eval("document.body.innerText").await;
    let stray = regex::Regex::new(
        r"\b(null|undefined|NaN)\b|\{[a-z_]+\}|\b(app|nav|places|nearby|req|vol|coord|history|log|account_log|activity|kitchen|common|status|status_help|cat|urgency|live|offline|error|view|alert|auth|password|role|footer)\.[a-z_]+(\.[a-z_]+)*\b",
    )
    .unwrap();
    stray
        .find_iter(text.as_str().unwrap_or_default())
        .map(|m| format!("stray text \"{}\"", m.as_str()))
        .collect()
}

#[derive(Deserialize)]
struct Shown {
    datetime: String,
    text: String,
    title: String,
    style: String,
}

const WEEKDAYS: [&str; 7] = ["dom", "lun", "mar", "mié", "jue", "vie", "sáb"];
const MONTHS: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
];

fn argentina() -> FixedOffset {
    FixedOffset::west_opt(3 * 3600).unwrap()
}

/// "5/12/2026 06:31", worked out here rather than by the page.
fn full(at: DateTime<Utc>) -> String {
    at.with_timezone(&argentina())
        .format("%-d/%-m/%Y %H:%M")
        .to_string()
}

/// "vie, 11 dic, 18:00"
fn shift(at: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let local = at.with_timezone(&argentina());
    format!(
        "{}, {} {}, {}",
        WEEKDAYS[local.weekday().num_days_from_sunday() as usize],
        local.day(),
        MONTHS[local.month0() as usize],
        local.format("%H:%M")
    )
}

/// Whether `text` is how es-AR says `at` in `style` (see js/format.js: `when` is "hace 5 min"
/// or "hace 3 h" in the last day, the full date otherwise).
fn reads_right(at: DateTime<Utc>, style: &str, text: &str) -> bool {
    match style {
        "date" => text == full(at),
        "shift" => text == shift(at),
        _ => {
            let age = Utc::now() - at;
            if age < chrono::Duration::zero() || age >= chrono::Duration::hours(24) {
                return text == full(at);
            }
            let relative = regex::Regex::new(r"^hace (\d+) (min|h)$").unwrap();
            let Some(c) = relative.captures(text) else {
                return false;
            };
            let n: i64 = c[1].parse().unwrap();
            if &c[2] == "min" {
                age.num_minutes() < 60 && (n - age.num_minutes().max(1)).abs() <= 2
            } else {
                (n - (age.num_minutes() as f64 / 60.0).round() as i64).abs() <= 1
            }
        }
    }
}

/// Dates that do not read as es-AR: each <time> is checked against its own `datetime`, and
/// no text on screen may look like a US, ISO or two-digit-year date.
pub async fn misdated(b: &Browser) -> Vec<String> {
    let shown: Vec<Shown> = serde_json::from_value(
        b.eval(
            "[...document.querySelectorAll('time')].filter(t => t.getClientRects().length).map(t => ({
               datetime: t.dateTime, text: t.textContent, title: t.title, style: t.dataset.style || 'when' }))",
        )
        .await,
    )
    .unwrap();
    let mut out = Vec::new();
    for s in &shown {
        let at: DateTime<Utc> = match DateTime::parse_from_rfc3339(&s.datetime) {
            Ok(t) => t.into(),
            Err(e) => {
                out.push(format!("<time datetime=\"{}\">: {e}", s.datetime));
                continue;
            }
        };
        if !reads_right(at, &s.style, &s.text) {
            out.push(format!(
                "{} ({}) reads \"{}\"; es-AR says {} / {}",
                s.datetime,
                s.style,
                s.text,
                full(at),
                shift(at)
            ));
        }
        if s.title != full(at) {
            out.push(format!("{} has the title \"{}\"", s.datetime, s.title));
        }
    }
    let text = b.eval("document.body.innerText").await;
    let text = text.as_str().unwrap_or_default();
    let foreign = regex::Regex::new(
        r"\d{1,2}:\d{2}:\d{2}|\b[AP]M\b|\b[ap]\. ?m\.|\d{4}-\d{2}-\d{2}T|\d{1,2}/\d{1,2}/\d{4},|\b\d{1,2}/\d{1,2}/\d{2}\b",
    )
    .unwrap();
    out.extend(
        foreign
            .find_iter(text)
            .map(|m| format!("a date not in es-AR style: \"{}\"", m.as_str())),
    );
    out
}

fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/screenshots/360/{name}.png"))
}

fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(png_bytes);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("a PNG frame");
    buf.truncate(info.buffer_size());
    // One byte per channel; RGB or RGBA, either way compared as RGBA.
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    (info.width, info.height, rgba)
}

fn encode(path: &Path, width: u32, height: u32, rgba: &[u8]) {
    let file = std::fs::File::create(path).expect("write a PNG");
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(rgba))
        .expect("encode a PNG");
}

/// The comparison averages square blocks of this side: a glyph drawn a shade differently (by
/// another build of Chromium, say) moves a block's mean a little; a moved button, a wrapped
/// line or a new colour moves many blocks a lot.
const BLOCK: usize = 4;
/// A block differs when the mean of a colour channel moves by more than this.
const BLOCK_TOLERANCE: f64 = 24.0;
/// Share of blocks (0..1) that may differ from the reference.
const THRESHOLD: f64 = 0.015;

/// The share of blocks that differ, and an image of the reference, faded, with those blocks
/// in red.
fn compare(w: usize, h: usize, got: &[u8], want: &[u8]) -> (f64, Vec<u8>) {
    let mut diff: Vec<u8> = want
        .chunks(4)
        .flat_map(|p| [200 + p[0] / 5, 200 + p[1] / 5, 200 + p[2] / 5, 255])
        .collect();
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let mut differing = 0usize;
    for by in 0..bh {
        for bx in 0..bw {
            let pixels: Vec<usize> = (by * BLOCK..((by + 1) * BLOCK).min(h))
                .flat_map(|y| (bx * BLOCK..((bx + 1) * BLOCK).min(w)).map(move |x| (y * w + x) * 4))
                .collect();
            let n = pixels.len() as f64;
            let far = (0..3).any(|c| {
                let mean =
                    |img: &[u8]| pixels.iter().map(|i| f64::from(img[i + c])).sum::<f64>() / n;
                (mean(got) - mean(want)).abs() > BLOCK_TOLERANCE
            });
            if far {
                differing += 1;
                for i in &pixels {
                    diff[*i..*i + 4].copy_from_slice(&[255, 0, 0, 255]);
                }
            }
        }
    }
    (differing as f64 / (bw * bh) as f64, diff)
}

/// Compares the viewport with `tests/screenshots/360/<name>.png`. Dates change with the clock
/// (`misdated` checks them), so for the shot each <time> shows a fixed sample of its style.
/// With `UPDATE_SCREENSHOTS=1` it writes the reference instead. Returns what is wrong, if
/// anything; the shot and a diff image land in target/browser/.
pub async fn unlike_reference(b: &Browser, name: &str) -> Option<String> {
    b.eval(
        "(() => { const s = document.createElement('style'); s.id = 'shot-mask';
           s.textContent = '* { caret-color: transparent !important; }';
           document.head.append(s); document.activeElement?.blur?.();
           const sample = { date: '5/12/2026 18:30', shift: 'sáb, 5 dic, 11:00', when: 'hace 5 min' };
           window.shotTimes = [...document.querySelectorAll('time')].map(t => [t, t.textContent]);
           window.shotTimes.forEach(([t]) => { t.textContent = sample[t.dataset.style] ?? sample.when; });
           return true; })()",
    )
    .await;
    b.eval("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
        .await;
    let shot = b.client.screenshot().await.expect("screenshot");
    b.eval(
        "(document.getElementById('shot-mask').remove(),
          window.shotTimes.forEach(([t, text]) => { t.textContent = text; }), true)",
    )
    .await;
    std::fs::write(artifacts_dir().join(format!("phone-{name}.png")), &shot).unwrap();
    let path = reference(name);
    if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &shot).unwrap();
        return None;
    }
    let Ok(expected) = std::fs::read(&path) else {
        return Some(format!(
            "{name}: no reference at {}; look at target/browser/phone-{name}.png and keep it with UPDATE_SCREENSHOTS=1",
            path.display()
        ));
    };
    let (w, h, got) = decode(&shot);
    let (ew, eh, want) = decode(&expected);
    if (w, h) != (ew, eh) {
        return Some(format!("{name}: {w}×{h}, the reference is {ew}×{eh}"));
    }
    let (share, diff) = compare(w as usize, h as usize, &got, &want);
    if share > THRESHOLD {
        let out = artifacts_dir().join(format!("phone-{name}.diff.png"));
        encode(&out, w, h, &diff);
        return Some(format!(
            "{name}: {:.1} % of {BLOCK}×{BLOCK} blocks differ from the reference (at most {:.1} %); see {}",
            share * 100.0,
            THRESHOLD * 100.0,
            out.display()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 40×40 picture of dark text lines two pixels high on white.
    fn lines(offset: usize) -> Vec<u8> {
        (0..40 * 40)
            .flat_map(|i| {
                let y = i / 40;
                let v = if (y + offset) % 6 < 2 { 30 } else { 255 };
                [v, v, v, 255]
            })
            .collect()
    }

    #[test]
    fn shading_noise_passes_and_a_moved_line_does_not() {
        let reference = lines(0);
        assert_eq!(compare(40, 40, &reference, &reference).0, 0.0);
        // Every pixel a shade off, as another anti-aliasing would draw it.
        let shaded: Vec<u8> = reference
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if i % 4 == 3 {
                    *v
                } else if i % 3 == 0 {
                    v.saturating_sub(12)
                } else {
                    v.saturating_add(12)
                }
            })
            .collect();
        assert_eq!(compare(40, 40, &shaded, &reference).0, 0.0);
        // The same lines three pixels lower: a wrapped line above them.
        let (share, diff) = compare(40, 40, &lines(3), &reference);
        assert!(share > 0.5, "{share}");
        assert_eq!(&diff[..4], &[255, 0, 0, 255]);
    }

    #[test]
    fn es_ar_dates_are_worked_out_in_argentina() {
        let at: DateTime<Utc> = "2026-12-05T09:31:00Z".parse().unwrap();
        assert_eq!(full(at), "5/12/2026 06:31");
        assert_eq!(shift(at), "sáb, 5 dic, 06:31");
        assert!(reads_right(at, "date", "5/12/2026 06:31"));
        assert!(!reads_right(at, "date", "12/5/2026 06:31"));
        let now = Utc::now() - chrono::Duration::minutes(5);
        assert!(reads_right(now, "when", "hace 5 min"));
        assert!(!reads_right(now, "when", "hace 50 min"));
    }
}
