//! How answers travel to a phone on prepaid data: compressed with brotli when the browser takes
//! it, vendored files (whose folder names carry their version) cached for a year as
//! `immutable`, and our own files revalidated by `ETag`, answered 304 when unchanged.
//! A static file is compressed once and kept in memory: at once at a quick quality, then, in
//! the background, at brotli's highest (5 s for MapLibre, 9% smaller).

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
use std::io::{Cursor, Write};
use std::sync::{Arc, LazyLock, Mutex};

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::{Header, Method, Status};
use rocket::{Request, Response};

/// Bodies smaller than this are sent as they are: compression would save little.
const MIN_BYTES: usize = 1024;
/// Qualities for a static file's first answer and for the copy made in the background; and
/// for API answers, compressed every time.
const FIRST_QUALITY: u32 = 9;
const BEST_QUALITY: u32 = 11;
const DYNAMIC_QUALITY: u32 = 4;

/// Compressed static files by content digest. Shared by every instance in the process, so
/// tests that start many servers compress MapLibre once.
static PACKED: LazyLock<Mutex<HashMap<u64, Arc<Vec<u8>>>>> = LazyLock::new(Default::default);

/// Compression and caching headers for every answer.
pub struct Delivery;

#[rocket::async_trait]
impl Fairing for Delivery {
    fn info(&self) -> Info {
        Info {
            name: "compression and caching",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        if !matches!(req.method(), Method::Get | Method::Head) || res.status() != Status::Ok {
            return;
        }
        let path = req.uri().path().as_str().to_string();
        let is_static =
            !path.starts_with("/api/") && !path.starts_with("/tiles/") && path != "/healthz";
        res.set_header(Header::new("Vary", "Accept-Encoding"));
        // API answers are left alone unless they can be compressed; static files are always
        // read, to fingerprint them.
        if !is_static && !accepts_brotli(req) {
            return;
        }
        let Ok(body) = res.body_mut().to_bytes().await else {
            return;
        };
        let digest =
            is_static.then(|| BuildHasherDefault::<DefaultHasher>::default().hash_one(&body));
        if let Some(digest) = digest {
            let etag = format!("\"{digest:016x}\"");
            res.set_header(Header::new("Cache-Control", cache_control(&path)));
            res.set_header(Header::new("ETag", etag.clone()));
            let unchanged = req
                .headers()
                .get("If-None-Match")
                .any(|v| v.split(',').any(|t| t.trim() == etag));
            if unchanged {
                res.set_status(Status::NotModified);
                res.remove_header("Content-Type");
                res.set_sized_body(0, Cursor::new(Vec::new()));
                return;
            }
        }
        // Map glyphs (`.pbf`) are protocol buffers full of repeated structure.
        let compressible = path.ends_with(".pbf")
            || res
                .content_type()
                .is_some_and(|ct| compressible(&ct.to_string()));
        if !compressible || body.len() < MIN_BYTES || !accepts_brotli(req) {
            res.set_sized_body(body.len(), Cursor::new(body));
            return;
        }
        let packed = match digest {
            Some(digest) => packed(digest, body),
            None => Arc::new(compress(&body, DYNAMIC_QUALITY)),
        };
        res.set_header(Header::new("Content-Encoding", "br"));
        res.set_sized_body(packed.len(), Cursor::new(packed.to_vec()));
    }
}

/// The compressed static file with this digest: from memory, or compressed now at the first
/// quality while the best one is made in the background.
fn packed(digest: u64, body: Vec<u8>) -> Arc<Vec<u8>> {
    if let Some(hit) = PACKED.lock().ok().and_then(|c| c.get(&digest).cloned()) {
        return hit;
    }
    let first = Arc::new(compress(&body, FIRST_QUALITY));
    if let Ok(mut cache) = PACKED.lock() {
        cache.insert(digest, first.clone());
    }
    tokio::task::spawn_blocking(move || {
        let best = Arc::new(compress(&body, BEST_QUALITY));
        if let Ok(mut cache) = PACKED.lock() {
            cache.insert(digest, best);
        }
    });
    first
}

/// Vendored folders are named with their version (`maplibre-gl-5.24.1`): a new version is a
/// new URL, so a cached copy never goes stale. Everything else is checked each time.
fn cache_control(path: &str) -> &'static str {
    if path.starts_with("/vendor/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

fn compressible(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.starts_with("text/")
        || ct.contains("javascript")
        || ct.contains("json")
        || ct.contains("svg")
        || ct.contains("xml")
        || ct.contains("vector-tile")
}

fn accepts_brotli(req: &Request<'_>) -> bool {
    req.headers().get("Accept-Encoding").any(|v| {
        v.split(',').any(|enc| {
            let mut parts = enc.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            name.eq_ignore_ascii_case("br") && !refused
        })
    })
}

fn compress(body: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() / 3);
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 1 << 16, quality, 22);
        // Writing to memory cannot fail.
        let _ = w.write_all(body);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_versioned_vendor_files_are_immutable() {
        assert!(
            cache_control("/vendor/maplibre-gl-5.24.1/maplibre-gl-csp.js").contains("immutable")
        );
        assert_eq!(cache_control("/js/app.js"), "no-cache");
        assert_eq!(cache_control("/"), "no-cache");
    }

    #[test]
    fn compressed_bodies_come_back_whole() {
        let text = "Farmacia Sol, abierta hasta las 21 h. ".repeat(200);
        let packed = compress(text.as_bytes(), DYNAMIC_QUALITY);
        assert!(packed.len() * 10 < text.len());
        let mut back = Vec::new();
        std::io::Read::read_to_end(
            &mut brotli::Decompressor::new(packed.as_slice(), 4096),
            &mut back,
        )
        .unwrap();
        assert_eq!(back, text.as_bytes());
    }

    #[test]
    fn media_types_worth_compressing() {
        for ct in [
            "text/html; charset=utf-8",
            "text/javascript",
            "application/json",
            "application/geo+json",
            "image/svg+xml",
        ] {
            assert!(compressible(ct), "{ct}");
        }
        for ct in ["image/png", "font/woff2", "application/octet-stream"] {
            assert!(!compressible(ct), "{ct}");
        }
    }
}
