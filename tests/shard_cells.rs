//! The shard cell (migration 0014): the key Citus distributes places and requests by. These
//! tests run on one PostgreSQL and, with `scripts/test --citus`, on the cluster, where a place
//! that moves into another shard cell is copied there row by row (`db::shard_moves`).

mod common;

use antes::domain::cells::{Cell, STORED_RES};
use antes::domain::geo::LatLon;
use antes::domain::shards::shard_cell;
use common::{account, call};
use rocket::http::Method::{Get, Patch, Post};
use serde_json::json;
use sqlx::PgPool;

const SANTA_FE: (f64, f64) = (-31.6260, -60.7290);
// Paraná, across the river: about 25 km away, under another resolution-5 cell.
const PARANA: (f64, f64) = (-31.7319, -60.5238);

fn shard_of(p: (f64, f64)) -> i64 {
    shard_cell(Cell::at(LatLon { lat: p.0, lon: p.1 }, STORED_RES).to_db())
}

#[sqlx::test]
async fn the_database_and_the_app_compute_the_same_shard_cell(pool: PgPool) {
    for i in 0..200 {
        let p = LatLon {
            lat: -55.0 + (i as f64) * 0.17,
            lon: -73.0 + ((i * 37) % 200) as f64 * 0.09,
        };
        let cell = Cell::at(p, STORED_RES).to_db();
        let area = Cell::at(p, STORED_RES)
            .parent(h3o::Resolution::Seven)
            .unwrap()
            .to_db();
        let (from_cell, from_area): (i64, i64) =
            sqlx::query_as("SELECT antes_shard_cell($1), antes_shard_cell($2)")
                .bind(cell)
                .bind(area)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(from_cell, shard_cell(cell), "{p:?}");
        assert_eq!(from_area, shard_cell(cell), "{p:?} from its area cell");
    }
}

#[sqlx::test]
async fn a_kitchen_moved_into_another_shard_cell_keeps_its_needs_pledges_and_sign_ups(
    pool: PgPool,
) {
    assert_ne!(shard_of(SANTA_FE), shard_of(PARANA));
    let (_, organizer) = account(&pool, "olga@example.org", "organizer", true).await;
    let (_, volunteer) = account(&pool, "vera@example.org", "volunteer", true).await;
    let (_, coordinator) = account(&pool, "coco@example.org", "coordinator", true).await;
    let client = common::client(pool.clone()).await;
    let (s, kitchen) = call(
        &client,
        Post,
        "/api/places",
        Some(&organizer),
        Some(&json!({
            "kind": "kitchen", "category": "soup_kitchen", "name": "Comedor del Puerto",
            "location": {"lat": SANTA_FE.0, "lon": SANTA_FE.1}, "meals_per_day": 80
        })),
    )
    .await;
    assert_eq!(s, 201, "{kitchen}");
    let kitchen = kitchen["id"].as_i64().unwrap();
    let needs = format!("/api/places/{kitchen}/needs");
    let (s, supplies) = call(
        &client,
        Post,
        &needs,
        Some(&organizer),
        Some(&json!({"kind": "supplies", "item": "Harina", "quantity": 10, "unit": "kg"})),
    )
    .await;
    assert_eq!(s, 201, "{supplies}");
    let start = chrono::Utc::now() + chrono::Duration::days(2);
    let (s, shift) = call(
        &client,
        Post,
        &needs,
        Some(&organizer),
        Some(&json!({
            "kind": "shift", "role": "cook", "slots": 3,
            "starts_at": start.to_rfc3339(),
            "ends_at": (start + chrono::Duration::hours(2)).to_rfc3339()
        })),
    )
    .await;
    assert_eq!(s, 201, "{shift}");
    let (supplies, shift) = (
        supplies["id"].as_i64().unwrap(),
        shift["id"].as_i64().unwrap(),
    );
    let pledge = format!("/api/needs/{supplies}/pledge");
    let (s, _) = call(
        &client,
        Post,
        &pledge,
        Some(&volunteer),
        Some(&json!({"quantity": 4})),
    )
    .await;
    assert_eq!(s, 201);
    let signup = format!("/api/needs/{shift}/signup");
    assert_eq!(
        call(&client, Post, &signup, Some(&volunteer), None).await.0,
        200
    );

    // A coordinator's edit, so that the kitchen stays listed.
    let (s, moved) = call(
        &client,
        Patch,
        &format!("/api/places/{kitchen}"),
        Some(&coordinator),
        Some(&json!({"location": {"lat": PARANA.0, "lon": PARANA.1}})),
    )
    .await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["id"], kitchen, "the place keeps its id");

    // Everything is still there, under the kitchen, counted as before.
    let (s, listed) = call(&client, Get, &needs, None, None).await;
    assert_eq!(s, 200);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");
    let by_id = |id: i64| listed.iter().find(|n| n["id"] == id).unwrap().clone();
    assert_eq!(by_id(supplies)["pledged"], 4.0);
    assert_eq!(by_id(shift)["taken"], 1);
    // The same sign-up again is still refused: the old one moved, it was not lost.
    let (s, again) = call(&client, Post, &signup, Some(&volunteer), None).await;
    assert_eq!(
        (s, again["error"].as_str()),
        (409, Some("already_signed_up"))
    );

    // And every row now sits under the new shard cell, none under the old.
    for table in [
        "places",
        "needs",
        "pledges",
        "shift_signups",
        "place_organizers",
    ] {
        let shards: Vec<i64> =
            sqlx::query_scalar(&format!("SELECT DISTINCT shard_cell FROM {table}"))
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(shards, vec![shard_of(PARANA)], "{table}");
    }
}
