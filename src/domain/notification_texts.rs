//! What a notification says, in the recipient's language, from the web catalogs
//! (`web/i18n/*.json`, keys `notify.*`). A message holds only what any volunteer may know of a
//! request: its category, urgency, a distance band and a link, never a contact, an address or
//! anything finer than the public cell.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// The facts of one message, as the outbox stores them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub urgency: Option<String>,
    /// `<1 km`, `1-3 km`, `3-10 km` or `>10 km`, between public points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<String>,
    /// A kitchen's public name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    /// A shift's role, or a supply's item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// A shift's start, `YYYY-MM-DD HH:MM` local.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// A request's new status, for the requester: `assigned`, `done` or `expired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<i16>,
    /// A path on the site, such as `/?screen=volunteer`.
    pub link: String,
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Text {
    pub title: String,
    pub body: String,
    /// Absolute when the site's origin is known.
    pub url: String,
}

static CATALOGS: LazyLock<[HashMap<String, String>; 2]> = LazyLock::new(|| {
    let read = |json: &str| serde_json::from_str(json).expect("the i18n catalogs are JSON maps");
    [
        read(include_str!("../../web/i18n/es.json")),
        read(include_str!("../../web/i18n/en.json")),
    ]
});

/// `es` unless `en`: the languages the catalogs hold.
pub fn language(lang: &str) -> &'static str {
    if lang == "en" {
        "en"
    } else {
        "es"
    }
}

fn lookup(lang: &str, key: &str) -> String {
    let catalog = &CATALOGS[usize::from(language(lang) == "en")];
    catalog
        .get(key)
        .or_else(|| CATALOGS[0].get(key))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

fn fill(template: String, facts: &Facts, lang: &str) -> String {
    let category = facts
        .category
        .as_deref()
        .map(|c| lookup(lang, &format!("cat.{c}")))
        .unwrap_or_default();
    let urgency = facts
        .urgency
        .as_deref()
        .map(|u| lookup(lang, &format!("urgency.{u}")))
        .unwrap_or_default();
    let rounds = facts.rounds.map(|r| r.to_string()).unwrap_or_default();
    // A shift's role is a code with a label in the catalogs; a supply's item is free text.
    let what = facts.what.as_deref().unwrap_or("");
    let role_key = format!("kitchen.role.{what}");
    let what = match lookup(lang, &role_key) {
        label if label != role_key => label.to_lowercase(),
        _ => what.to_string(),
    };
    template
        .replace("{category}", &category)
        .replace("{urgency}", &urgency)
        .replace("{band}", facts.band.as_deref().unwrap_or(""))
        .replace("{place}", facts.place.as_deref().unwrap_or(""))
        .replace("{what}", &what)
        .replace("{when}", facts.when.as_deref().unwrap_or(""))
        .replace("{rounds}", &rounds)
}

/// The message of `kind` (an outbox kind) in `lang`, with links under `origin` (may be empty).
pub fn render(kind: &str, facts: &Facts, lang: &str, origin: &str) -> Text {
    let key = match (kind, facts.status.as_deref()) {
        ("request_status", Some(status)) => format!("notify.status_{status}"),
        _ => format!("notify.{kind}"),
    };
    Text {
        title: fill(lookup(lang, &format!("{key}.title")), facts, lang),
        body: fill(lookup(lang, &format!("{key}.body")), facts, lang),
        url: format!("{}{}", origin.trim_end_matches('/'), facts.link),
    }
}

/// The line that ends a mail with its unsubscribe link.
pub fn unsubscribe_line(lang: &str, url: &str) -> String {
    lookup(lang, "notify.unsubscribe").replace("{link}", url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_title_and_body_in_both_languages() {
        let kinds = [
            ("request", None),
            ("shift", None),
            ("supplies", None),
            ("unclaimed", None),
            ("request_status", Some("assigned")),
            ("request_status", Some("done")),
            ("request_status", Some("expired")),
        ];
        for lang in ["es", "en"] {
            for (kind, status) in kinds {
                let facts = Facts {
                    status: status.map(str::to_string),
                    ..Facts::default()
                };
                let text = render(kind, &facts, lang, "");
                assert!(
                    !text.title.starts_with("notify."),
                    "{lang} {kind} {status:?}"
                );
                assert!(
                    !text.body.starts_with("notify."),
                    "{lang} {kind} {status:?}"
                );
            }
            assert!(unsubscribe_line(lang, "https://x/y").contains("https://x/y"));
        }
    }

    #[test]
    fn a_request_message_names_category_urgency_band_and_link_only() {
        let facts = Facts {
            category: Some("medicine".into()),
            urgency: Some("high".into()),
            band: Some("1-3 km".into()),
            link: "/?screen=volunteer".into(),
            ..Facts::default()
        };
        let es = render("request", &facts, "es", "https://ayuda.example.org/");
        assert!(es.title.contains("Remedios"), "{es:?}");
        assert!(
            es.body.contains("Urgente") && es.body.contains("1-3 km"),
            "{es:?}"
        );
        assert_eq!(es.url, "https://ayuda.example.org/?screen=volunteer");
        let en = render("request", &facts, "en", "");
        assert!(en.title.contains("Medicine"), "{en:?}");
        assert_eq!(en.url, "/?screen=volunteer");
    }
}
