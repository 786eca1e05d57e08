//! The limits on every input that the OpenAPI document publishes: text formats and lengths,
//! number ranges, enumerations and list sizes. The formats are the regexes that the domain
//! enforces (`domain::formats`) and the enumerations come from the domain's own lists, so the
//! document cannot drift from the server; the fuzzing pass (`scripts/fuzz`) checks the rest.

use serde_json::{json, Value};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{ArrayItems, Object, Schema};
use utoipa::openapi::{OpenApi, RefOr};

use crate::domain::accounts::{EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN};
use crate::domain::categories::{Kind, CATEGORIES as PLACE_CATEGORIES, CATEGORY_FILTER_MAX};
use crate::domain::formats;
use crate::domain::kitchens::MAX_SLOTS;
use crate::domain::live_reports::{Queue, Stock};
use crate::domain::matching::{MAX_OPEN_LIMIT, RADIUS_MAX_M, RADIUS_MIN_M};
use crate::domain::push_subscriptions::{PUSH_AUTH_MAX, PUSH_ENDPOINT_MAX, PUSH_KEY_MAX};
use crate::domain::requests::{CATEGORIES as REQUEST_CATEGORIES, SKILLS_MAX_ITEMS};
use crate::domain::tiles::MAX_ZOOM;

/// What one input may hold.
#[derive(Clone)]
enum Rule {
    /// Free text of at most this many characters.
    Text(usize),
    /// A string of at most this many characters, with no format.
    Chars(usize),
    Phone,
    Email,
    Password,
    /// One of these strings.
    OneOf(Vec<&'static str>),
    /// A number in `[min, max]`, or `(min, max]` when `open_min`.
    Range {
        min: f64,
        max: f64,
        open_min: bool,
    },
    /// A list of `min` to `max` items, each one of `values`.
    ListOf {
        values: Vec<&'static str>,
        min: usize,
        max: usize,
    },
    /// A string matching this pattern, of at most this many characters.
    Pattern(String, usize),
}

fn place_categories() -> Vec<&'static str> {
    PLACE_CATEGORIES.iter().map(|c| c.id).collect()
}

fn place_kinds() -> Vec<&'static str> {
    vec![Kind::Shop.as_str(), Kind::Kitchen.as_str()]
}

fn range(min: f64, max: f64) -> Rule {
    Rule::Range {
        min,
        max,
        open_min: false,
    }
}

fn clock() -> Rule {
    Rule::Pattern(formats::CLOCK.into(), 5)
}

/// `?page=` of a paged list.
fn pages() -> Rule {
    range(1.0, f64::from(crate::domain::paging::MAX_PAGE))
}

fn above(min: f64, max: f64) -> Rule {
    Rule::Range {
        min,
        max,
        open_min: true,
    }
}

/// `(schema, property, rule)`: a property of a request body's schema, looked for in the
/// schema and in the variants it is made of.
fn body_rules() -> Vec<(&'static str, &'static str, Rule)> {
    let request_categories = REQUEST_CATEGORIES.to_vec();
    vec![
        ("LatLon", "lat", range(-90.0, 90.0)),
        ("LatLon", "lon", range(-180.0, 180.0)),
        (
            "NewRequestBody",
            "category",
            Rule::OneOf(request_categories.clone()),
        ),
        ("NewRequestBody", "description", Rule::Text(1000)),
        ("NewRequestBody", "address_detail", Rule::Text(300)),
        (
            "NewRequestBody",
            "urgency",
            Rule::OneOf(vec!["low", "normal", "high"]),
        ),
        ("NewRequestBody", "contact_email", Rule::Email),
        ("NewRequestBody", "language", Rule::OneOf(vec!["es", "en"])),
        ("Contact", "name", Rule::Text(100)),
        ("Contact", "phone", Rule::Phone),
        ("CancelBody", "token", Rule::Chars(128)),
        ("RegisterBody", "email", Rule::Email),
        ("RegisterBody", "password", Rule::Password),
        ("RegisterBody", "display_name", Rule::Text(80)),
        ("RegisterBody", "phone", Rule::Phone),
        (
            "RegisterBody",
            "role",
            Rule::OneOf(vec!["volunteer", "organizer"]),
        ),
        ("LoginBody", "email", Rule::Chars(1000)),
        ("LoginBody", "password", Rule::Chars(1000)),
        ("PasswordChange", "current_password", Rule::Chars(1000)),
        ("PasswordChange", "new_password", Rule::Password),
        ("PasswordReset", "token", Rule::Chars(128)),
        ("PasswordReset", "new_password", Rule::Password),
        ("CreatePlace", "kind", Rule::OneOf(place_kinds())),
        ("CreatePlace", "category", Rule::OneOf(place_categories())),
        ("CreatePlace", "name", Rule::Text(120)),
        ("CreatePlace", "address", Rule::Text(200)),
        ("CreatePlace", "phone", Rule::Phone),
        ("CreatePlace", "opening_hours", Rule::Text(255)),
        ("CreatePlace", "description", Rule::Text(1000)),
        ("CreatePlace", "meals_per_day", range(0.0, 100_000.0)),
        ("EditPlace", "category", Rule::OneOf(place_categories())),
        ("EditPlace", "name", Rule::Text(120)),
        ("EditPlace", "address", Rule::Text(200)),
        ("EditPlace", "phone", Rule::Phone),
        ("EditPlace", "opening_hours", Rule::Text(255)),
        ("EditPlace", "description", Rule::Text(1000)),
        ("EditPlace", "meals_per_day", range(0.0, 100_000.0)),
        ("AddOrganizer", "account_id", range(1.0, i64::MAX as f64)),
        ("NewNeed", "item", Rule::Text(120)),
        ("NewNeed", "unit", Rule::Text(30)),
        ("NewNeed", "quantity", above(0.0, 1_000_000.0)),
        ("NewNeed", "slots", range(1.0, MAX_SLOTS as f64)),
        ("PledgeBody", "quantity", above(0.0, 1_000_000.0)),
        (
            "ProfileBody",
            "skills",
            Rule::ListOf {
                values: request_categories,
                min: 1,
                max: SKILLS_MAX_ITEMS,
            },
        ),
        ("ProfileBody", "radius_m", range(RADIUS_MIN_M, RADIUS_MAX_M)),
        (
            "NotificationSettingsBody",
            "language",
            Rule::OneOf(vec!["es", "en"]),
        ),
        ("QuietHoursBody", "from", clock()),
        ("QuietHoursBody", "to", clock()),
        ("NotificationSettingsBody", "webhook_to", Rule::Phone),
        (
            "PushSubscriptionBody",
            "endpoint",
            Rule::Pattern(formats::URL.into(), PUSH_ENDPOINT_MAX),
        ),
        ("PushKeys", "p256dh", Rule::Chars(PUSH_KEY_MAX)),
        ("PushKeys", "auth", Rule::Chars(PUSH_AUTH_MAX)),
        (
            "PushEndpointBody",
            "endpoint",
            Rule::Pattern(formats::URL.into(), PUSH_ENDPOINT_MAX),
        ),
        ("ProfileBody", "max_open", range(1.0, MAX_OPEN_LIMIT as f64)),
    ]
}

const TILE_PLACES: &str = "/tiles/places/{z}/{x}/{y}.mvt";
const TILE_CELLS: &str = "/tiles/request-cells/{z}/{x}/{y}.mvt";
const TILE_NEEDS: &str = "/tiles/needs/{z}/{x}/{y}.mvt";

/// `(path, parameter, rule)` for query and path parameters.
fn parameter_rules() -> Vec<(&'static str, &'static str, Rule)> {
    let bbox = Rule::Pattern(formats::bbox(), formats::BBOX_MAX);
    let categories = Rule::ListOf {
        values: place_categories(),
        min: 0,
        max: CATEGORY_FILTER_MAX,
    };
    let places_nearby = "/api/places/nearby";
    vec![
        ("/api/places", "bbox", bbox.clone()),
        ("/api/places", "kind", Rule::OneOf(place_kinds())),
        ("/api/places", "category", categories.clone()),
        (places_nearby, "lat", range(-90.0, 90.0)),
        (places_nearby, "lon", range(-180.0, 180.0)),
        (places_nearby, "radius_m", above(0.0, 50_000.0)),
        (places_nearby, "kind", Rule::OneOf(place_kinds())),
        (places_nearby, "category", categories),
        (places_nearby, "limit", range(1.0, 200.0)),
        ("/api/needs/nearby", "lat", range(-90.0, 90.0)),
        ("/api/needs/nearby", "lon", range(-180.0, 180.0)),
        ("/api/needs/nearby", "radius_m", above(0.0, 50_000.0)),
        (
            "/api/needs/nearby",
            "kind",
            Rule::OneOf(vec!["supplies", "shift"]),
        ),
        ("/api/needs/nearby", "limit", range(1.0, 200.0)),
        ("/api/requests/cells", "bbox", bbox),
        ("/api/requests/cells", "res", range(0.0, 8.0)),
        (
            "/api/cells/{cell}",
            "cell",
            Rule::Pattern(formats::CELL_ID.into(), 15),
        ),
        ("/api/requests/{id}/matches", "limit", range(1.0, 100.0)),
        (
            "/api/review/requests",
            "status",
            Rule::OneOf(vec![
                "pending_review",
                "open",
                "assigned",
                "done",
                "cancelled",
                "expired",
                "rejected",
            ]),
        ),
        (
            "/api/review/history",
            "status",
            Rule::OneOf(vec!["done", "cancelled", "expired", "rejected"]),
        ),
        ("/api/review/history", "page", pages()),
        ("/api/requests/{id}/events", "page", pages()),
        ("/api/accounts/{id}/events", "page", pages()),
        ("/api/accounts/{id}/request-events", "page", pages()),
        ("/api/geocode", "q", Rule::Text(200)),
        (
            "/api/unsubscribe/{token}",
            "token",
            Rule::Pattern(formats::TOKEN.into(), 64),
        ),
        (TILE_PLACES, "z", range(0.0, f64::from(MAX_ZOOM))),
        (TILE_PLACES, "x", range(0.0, 65_535.0)),
        (TILE_PLACES, "y", range(0.0, 65_535.0)),
        (TILE_CELLS, "z", range(0.0, f64::from(MAX_ZOOM))),
        (TILE_CELLS, "x", range(0.0, 65_535.0)),
        (TILE_CELLS, "y", range(0.0, 65_535.0)),
        (TILE_NEEDS, "z", range(0.0, f64::from(MAX_ZOOM))),
        (TILE_NEEDS, "x", range(0.0, 65_535.0)),
        (TILE_NEEDS, "y", range(0.0, 65_535.0)),
        ("/api/requests/{id}", "X-Manage-Token", Rule::Chars(128)),
        (
            "/api/requests/{id}/cancel",
            "X-Manage-Token",
            Rule::Chars(128),
        ),
    ]
}

/// A live report must say something: the document says so with one branch per field, and
/// names the stock items this deployment lists (`report_items`), which only the running
/// server knows.
pub fn report_body(doc: &mut Value, items: &[&str]) {
    let schema = &mut doc["components"]["schemas"]["ReportBody"];
    if !schema.is_object() {
        return;
    }
    let levels: Vec<Value> = [Stock::Yes, Stock::Little, Stock::None]
        .iter()
        .filter_map(|s| serde_json::to_value(s).ok())
        .collect();
    let queues: Vec<Value> = [Queue::None, Queue::Short, Queue::Long]
        .iter()
        .map(|q| Value::String(q.as_str().into()))
        .collect();
    schema["properties"]["stock"] = json!({
        "type": ["object", "null"],
        "description": "Items from `/api/config`'s `report_items`, each `yes`, `little` or `none`.",
        "propertyNames": {"enum": items},
        "additionalProperties": {"type": "string", "enum": levels},
        "maxProperties": items.len(),
    });
    schema["anyOf"] = json!([
        {"required": ["open"], "properties": {"open": {"type": "boolean"}}},
        {"required": ["queue"], "properties": {"queue": {"type": "string", "enum": queues}}},
        {"required": ["stock"], "properties": {"stock": {"type": "object", "minProperties": 1}}},
    ]);
}

/// Writes every rule into the document.
pub fn apply(doc: &mut OpenApi) {
    if let Some(components) = doc.components.as_mut() {
        for (schema, property, rule) in body_rules() {
            if let Some(RefOr::T(s)) = components.schemas.get_mut(schema) {
                constrain_property(s, property, &rule);
            }
        }
    }
    for (path, name, rule) in parameter_rules() {
        let Some(item) = doc.paths.paths.get_mut(path) else {
            continue;
        };
        for op in operations_mut(item) {
            for param in op.parameters.iter_mut().flatten() {
                if param.name == name {
                    if let Some(RefOr::T(s)) = param.schema.as_mut() {
                        constrain(s, &rule);
                    }
                }
            }
        }
    }
}

/// The operations of a path, for the methods the API uses.
pub fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

fn constrain_property(schema: &mut Schema, property: &str, rule: &Rule) {
    match schema {
        Schema::Object(o) => {
            if let Some(RefOr::T(p)) = o.properties.get_mut(property) {
                constrain(p, rule);
            }
        }
        Schema::OneOf(one) => {
            for item in one.items.iter_mut() {
                if let RefOr::T(s) = item {
                    constrain_property(s, property, rule);
                }
            }
        }
        Schema::AllOf(all) => {
            for item in all.items.iter_mut() {
                if let RefOr::T(s) = item {
                    constrain_property(s, property, rule);
                }
            }
        }
        _ => {}
    }
}

fn constrain(schema: &mut Schema, rule: &Rule) {
    match (schema, rule) {
        (Schema::Array(array), Rule::ListOf { values, min, max }) => {
            array.min_items = (*min > 0).then_some(*min);
            array.max_items = Some(*max);
            if let ArrayItems::RefOrSchema(item) = &mut array.items {
                if let RefOr::T(Schema::Object(o)) = item.as_mut() {
                    o.enum_values = Some(strings(values));
                }
            }
        }
        (Schema::Object(o), rule) => constrain_object(o, rule),
        _ => {}
    }
}

fn constrain_object(o: &mut Object, rule: &Rule) {
    match rule {
        Rule::Text(max) => {
            o.pattern = Some(formats::TEXT.into());
            o.max_length = Some(*max);
        }
        Rule::Chars(max) => o.max_length = Some(*max),
        Rule::Phone => o.pattern = Some(formats::PHONE.into()),
        Rule::Email => {
            o.pattern = Some(formats::EMAIL.into());
            o.max_length = Some(EMAIL_MAX);
        }
        Rule::Password => {
            o.min_length = Some(PASSWORD_MIN);
            o.max_length = Some(PASSWORD_MAX);
        }
        Rule::OneOf(values) => {
            let mut values = strings(values);
            // A nullable property keeps null among its values.
            if matches!(&o.schema_type, utoipa::openapi::schema::SchemaType::Array(types) if types.contains(&utoipa::openapi::schema::Type::Null))
            {
                values.push(Value::Null);
            }
            o.enum_values = Some(values);
        }
        Rule::Range { min, max, open_min } => {
            if *open_min {
                o.exclusive_minimum = Some((*min).into());
            } else {
                o.minimum = Some((*min).into());
            }
            o.maximum = Some((*max).into());
        }
        Rule::Pattern(p, max) => {
            o.pattern = Some(p.clone());
            o.max_length = Some(*max);
        }
        Rule::ListOf { .. } => {}
    }
}

fn strings(values: &[&str]) -> Vec<Value> {
    values
        .iter()
        .map(|v| Value::String(v.to_string()))
        .collect()
}
