//! What a phone downloads: compressed answers, a year's cache for vendored files, and 304s for
//! our own files when they have not changed.

mod common;

use std::io::Read;

use common::{seed, untracked};
use rocket::http::Header;
use sqlx::PgPool;

const MAPLIBRE: &str = "/vendor/maplibre-gl-5.24.1/maplibre-gl-csp.js";

fn unbrotli(packed: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(packed, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

fn file(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/web{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[sqlx::test]
async fn maplibre_arrives_compressed_and_is_cached_for_a_year(pool: PgPool) {
    let client = untracked(pool).await;
    let res = client
        .get(MAPLIBRE)
        .header(Header::new("Accept-Encoding", "gzip, deflate, br"))
        .dispatch()
        .await;
    assert_eq!(res.status().code, 200);
    let headers = res.headers().clone();
    assert_eq!(headers.get_one("Content-Encoding"), Some("br"));
    assert!(headers
        .get_one("Cache-Control")
        .unwrap()
        .contains("immutable"));
    assert_eq!(headers.get_one("Vary"), Some("Accept-Encoding"));
    let packed = res.into_bytes().await.unwrap();
    let raw = file(MAPLIBRE);
    assert_eq!(unbrotli(&packed), raw, "the same file, whole");
    assert!(
        packed.len() * 4 < raw.len(),
        "{} of {}",
        packed.len(),
        raw.len()
    );

    // A client that takes no brotli gets the file as it is.
    let plain = client
        .get(MAPLIBRE)
        .header(Header::new("Accept-Encoding", "gzip, br;q=0"))
        .dispatch()
        .await;
    assert_eq!(plain.headers().get_one("Content-Encoding"), None);
    assert_eq!(plain.into_bytes().await.unwrap(), raw);
}

#[sqlx::test]
async fn our_own_files_are_revalidated_and_unchanged_ones_answer_304(pool: PgPool) {
    let client = untracked(pool).await;
    let first = client.get("/js/places.js").dispatch().await;
    assert_eq!(first.headers().get_one("Cache-Control"), Some("no-cache"));
    let etag = first.headers().get_one("ETag").unwrap().to_string();
    assert_eq!(first.into_bytes().await.unwrap(), file("/js/places.js"));
    let again = client
        .get("/js/places.js")
        .header(Header::new("If-None-Match", etag.clone()))
        .dispatch()
        .await;
    assert_eq!(again.status().code, 304);
    assert!(again.into_bytes().await.unwrap_or_default().is_empty());
    let other = client
        .get("/js/api.js")
        .header(Header::new("If-None-Match", etag))
        .dispatch()
        .await;
    assert_eq!(
        other.status().code,
        200,
        "another file's tag does not match"
    );
}

#[sqlx::test]
async fn api_answers_are_compressed_too(pool: PgPool) {
    seed(&pool).await;
    let client = untracked(pool).await;
    let uri = "/api/places?bbox=-60.75,-31.68,-60.65,-31.58";
    let res = client
        .get(uri)
        .header(Header::new("Accept-Encoding", "br"))
        .dispatch()
        .await;
    assert_eq!(res.headers().get_one("Content-Encoding"), Some("br"));
    let packed = res.into_bytes().await.unwrap();
    let json: serde_json::Value = serde_json::from_slice(&unbrotli(&packed)).unwrap();
    let n = json["features"].as_array().unwrap().len();
    assert!(n > 10, "{n} places");
    let plain = client.get(uri).dispatch().await.into_bytes().await.unwrap();
    assert!(
        packed.len() * 4 < plain.len(),
        "{} of {}",
        packed.len(),
        plain.len()
    );
}
