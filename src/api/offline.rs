//! What makes the page an installable, offline-first app: the service worker at `/sw.js`, with
//! the list of app-shell files and a digest of their contents put in front of `web/sw.js`, and
//! the web app manifests with their proper media type. Mounted beside the API, not in it.

use std::path::{Path, PathBuf};

use rocket::http::{ContentType, Header};
use rocket::{get, Responder, State};
use sha2::{Digest, Sha256};

use crate::config::AppConfig;

/// The app shell, relative to `web/`: what the page needs to start with no connection. Each
/// entry is a folder (every file in it, not below) or a file; `index.html` is served as `/`.
const SHELL: [&str; 9] = [
    "index.html",
    "js",
    "css",
    "i18n",
    "icons",
    "manifest.webmanifest",
    "manifest.en.webmanifest",
    "basemap/style.json",
    "vendor/maplibre-gl-5.24.1",
];
/// The outline basemap, used when no street basemap is: `basemap/style.json` names these.
const OUTLINE: [&str; 2] = [
    "basemap/countries_50m.geojson",
    "basemap/ar_provinces.geojson",
];
/// The street basemap's styles, used when this server hosts a PMTiles archive.
const STREETS: &str = "basemap/protomaps";

/// Shell files kept out of the precache: licence texts and notes are not needed to run.
fn wanted(path: &Path) -> bool {
    path.extension().is_none_or(|e| e != "txt" && e != "md")
}

/// Which basemap the page draws, so that the shell holds that one only.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Basemap {
    /// The bundled country and province outlines.
    Outline,
    /// The Protomaps style over this server's PMTiles archive.
    Streets,
    /// A deployment's outside style: nothing of ours to keep.
    Outside,
}

#[derive(Responder)]
pub struct Script {
    body: String,
    kind: ContentType,
    // The browser checks a worker for updates on each visit; an old one must never be reused.
    cache: Header<'static>,
}

/// The shell's URLs, sorted, and a digest of every file's path and bytes.
pub fn shell(web_dir: &Path, basemap: Basemap) -> std::io::Result<(String, Vec<String>)> {
    let mut files: Vec<PathBuf> = Vec::new();
    let extra: &[&str] = match basemap {
        Basemap::Outline => &OUTLINE,
        Basemap::Streets => &[STREETS],
        Basemap::Outside => &[],
    };
    for entry in SHELL.iter().chain(extra) {
        let path = web_dir.join(entry);
        if path.is_dir() {
            for f in std::fs::read_dir(&path)? {
                let f = f?.path();
                if f.is_file() && wanted(&f) {
                    files.push(f);
                }
            }
        } else if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    let mut digest = Sha256::new();
    let mut urls = Vec::with_capacity(files.len());
    for f in &files {
        let rel = f
            .strip_prefix(web_dir)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        digest.update(rel.as_bytes());
        digest.update(std::fs::read(f)?);
        urls.push(if rel == "index.html" {
            "/".to_string()
        } else {
            format!("/{rel}")
        });
    }
    let version = hex::encode(&digest.finalize()[..8]);
    Ok((version, urls))
}

/// The service worker, versioned by the shell's contents.
#[get("/sw.js")]
pub fn service_worker(
    config: &State<AppConfig>,
    hosted: &State<super::basemap::Basemap>,
) -> Option<Script> {
    let web_dir = Path::new(&config.web_dir);
    let basemap = if hosted.configured() {
        Basemap::Streets
    } else if config.basemap_style_url.trim().is_empty() {
        Basemap::Outline
    } else {
        Basemap::Outside
    };
    let built = shell(web_dir, basemap).and_then(|(version, urls)| {
        let template = std::fs::read_to_string(web_dir.join("sw.js"))?;
        Ok(format!(
            "const VERSION = {};\nconst SHELL = {};\n{template}",
            serde_json::Value::from(version),
            serde_json::Value::from(urls)
        ))
    });
    match built {
        Ok(body) => Some(Script {
            body,
            kind: ContentType::JavaScript,
            cache: Header::new("Cache-Control", "no-cache"),
        }),
        Err(err) => {
            tracing::error!(
                "cannot build the service worker from {}: {err}",
                config.web_dir
            );
            None
        }
    }
}

#[derive(Responder)]
pub struct Manifest {
    body: Vec<u8>,
    kind: ContentType,
}

fn manifest_file(config: &AppConfig, name: &str) -> Option<Manifest> {
    let body = std::fs::read(Path::new(&config.web_dir).join(name)).ok()?;
    Some(Manifest {
        body,
        kind: ContentType::new("application", "manifest+json"),
    })
}

/// The web app manifest in Spanish, the default, as `application/manifest+json`.
#[get("/manifest.webmanifest")]
pub fn manifest(config: &State<AppConfig>) -> Option<Manifest> {
    manifest_file(config, "manifest.webmanifest")
}

/// The web app manifest in English; the page links it when English is chosen.
#[get("/manifest.en.webmanifest")]
pub fn manifest_en(config: &State<AppConfig>) -> Option<Manifest> {
    manifest_file(config, "manifest.en.webmanifest")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_holds_the_page_its_code_and_maplibre_and_its_version_follows_the_files() {
        let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
        let (version, urls) = shell(&web, Basemap::Outline).unwrap();
        for needed in [
            "/",
            "/js/app.js",
            "/js/outbox.js",
            "/css/app.css",
            "/i18n/es.json",
            "/i18n/en.json",
            "/icons/icon-192.png",
            "/manifest.webmanifest",
            "/vendor/maplibre-gl-5.24.1/maplibre-gl-csp.js",
            "/vendor/maplibre-gl-5.24.1/maplibre-gl-csp-worker.js",
        ] {
            assert!(urls.iter().any(|u| u == needed), "{needed} in {urls:?}");
        }
        assert!(!urls.iter().any(|u| u.ends_with(".txt") || u == "/sw.js"));
        assert!(urls.iter().any(|u| u == "/basemap/countries_50m.geojson"));
        let (_, streets) = shell(&web, Basemap::Streets).unwrap();
        assert!(streets.iter().any(|u| u == "/basemap/protomaps/light.json"));
        assert!(!streets
            .iter()
            .any(|u| u.contains("countries") || u.ends_with(".md")));

        let copy = std::env::temp_dir().join(format!("antes-shell-{}", std::process::id()));
        std::fs::create_dir_all(copy.join("js")).unwrap();
        std::fs::write(copy.join("index.html"), "<p>uno</p>").unwrap();
        std::fs::write(copy.join("js/app.js"), "1").unwrap();
        let before = shell(&copy, Basemap::Outside).unwrap().0;
        std::fs::write(copy.join("js/app.js"), "2").unwrap();
        let after = shell(&copy, Basemap::Outside).unwrap().0;
        std::fs::remove_dir_all(&copy).unwrap();
        assert_ne!(before, after, "a changed file makes a new version");
        assert_ne!(version, before);
    }
}
