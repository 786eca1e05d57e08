//! Community kitchens: places made by hand, needs, pledges and shift sign-ups, on a real PostGIS.

mod common;

use common::{account, call, seed, test_config};
use rocket::http::Method::{Delete, Get, Patch, Post};
use rocket::local::asynchronous::Client;
use serde_json::{json, Value};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

fn kitchen_body(name: &str) -> Value {
    json!({
        "kind": "kitchen", "category": "soup_kitchen", "name": name,
        "location": {"lat": -31.6260, "lon": -60.7290},
        "opening_hours": "Mo-Fr 11:30-14:00", "meals_per_day": 150,
        "phone": "+54 342 400-0200", "description": "Almuerzo"
    })
}

fn shift_body(start_h: i64, end_h: i64, slots: i32) -> Value {
    let base = chrono::Utc::now() + chrono::Duration::days(2);
    json!({
        "kind": "shift", "role": "cook",
        "starts_at": (base + chrono::Duration::hours(start_h)).to_rfc3339(),
        "ends_at": (base + chrono::Duration::hours(end_h)).to_rfc3339(),
        "slots": slots
    })
}

/// A verified organizer's kitchen; returns (client, kitchen id, organizer token).
async fn kitchen_with_organizer(pool: &PgPool) -> (Client, i64, String) {
    let (_, organizer) = account(pool, "olga@example.org", "organizer", true).await;
    let client = common::client(pool.clone()).await;
    let (status, body) = call(
        &client,
        Post,
        "/api/places",
        Some(&organizer),
        Some(&kitchen_body("Comedor Test")),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "active");
    (client, body["id"].as_i64().unwrap(), organizer)
}

#[sqlx::test]
async fn ten_concurrent_signups_on_a_three_slot_shift_give_exactly_three(pool: PgPool) {
    let (client, kitchen, organizer) = kitchen_with_organizer(&pool).await;
    let (_, need) = call(
        &client,
        Post,
        &format!("/api/places/{kitchen}/needs"),
        Some(&organizer),
        Some(&shift_body(10, 13, 3)),
    )
    .await;
    let need_id = need["id"].as_i64().unwrap();
    let mut tokens = Vec::new();
    for i in 0..10 {
        tokens.push(
            account(&pool, &format!("vol{i}@example.org"), "volunteer", true)
                .await
                .1,
        );
    }
    // A served instance with a pool large enough for every sign-up to run at once.
    let wide = PgPoolOptions::new()
        .max_connections(20)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let base = common::serve(wide, test_config()).await;
    let http = reqwest::Client::new();
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|t| {
            let (http, url) = (http.clone(), format!("{base}/api/needs/{need_id}/signup"));
            tokio::spawn(async move {
                let r = http
                    .post(url)
                    .header("cookie", format!("antes_session={t}"))
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let (status, body) = t.await.unwrap();
        match status {
            200 => ok += 1,
            409 => assert_eq!(body["error"], "shift_full", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(ok, 3);
    let taken: i64 = sqlx::query_scalar("SELECT count(*) FROM shift_signups WHERE need_id = $1")
        .bind(need_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(taken, 3);
    let (_, detail) = call(
        &client,
        Get,
        &format!("/api/needs/{need_id}"),
        Some(&organizer),
        None,
    )
    .await;
    assert_eq!(detail["signups"].as_array().unwrap().len(), 3);
    assert_eq!(detail["need"]["slots_left"], 0);
}

#[sqlx::test]
async fn pledges_sum_withdrawals_give_back_and_over_pledging_is_refused(pool: PgPool) {
    let (client, kitchen, organizer) = kitchen_with_organizer(&pool).await;
    let (status, need) = call(
        &client,
        Post,
        &format!("/api/places/{kitchen}/needs"),
        Some(&organizer),
        Some(&json!({"kind": "supplies", "item": "Harina", "quantity": 10, "unit": "kg"})),
    )
    .await;
    assert_eq!(status, 201, "{need}");
    let id = need["id"].as_i64().unwrap();
    let (_, ana) = account(&pool, "ana@example.org", "volunteer", false).await;
    let (_, beto) = account(&pool, "beto@example.org", "volunteer", true).await;

    let (s, p1) = call(
        &client,
        Post,
        &format!("/api/needs/{id}/pledge"),
        Some(&ana),
        Some(&json!({"quantity": 4})),
    )
    .await;
    assert_eq!(s, 201, "{p1}");
    let (s, _) = call(
        &client,
        Post,
        &format!("/api/needs/{id}/pledge"),
        Some(&beto),
        Some(&json!({"quantity": 2.5})),
    )
    .await;
    assert_eq!(s, 201);
    let needs = call(
        &client,
        Get,
        &format!("/api/places/{kitchen}/needs"),
        None,
        None,
    )
    .await
    .1;
    assert_eq!(
        (needs[0]["pledged"].as_f64(), needs[0]["remaining"].as_f64()),
        (Some(6.5), Some(3.5))
    );

    // More than what is missing is refused, and nothing changes.
    let (s, err) = call(
        &client,
        Post,
        &format!("/api/needs/{id}/pledge"),
        Some(&beto),
        Some(&json!({"quantity": 3.6})),
    )
    .await;
    assert_eq!((s, err["error"].as_str()), (409, Some("over_pledged")));
    let (s, _) = call(
        &client,
        Post,
        &format!("/api/needs/{id}/pledge"),
        Some(&beto),
        Some(&json!({"quantity": 0})),
    )
    .await;
    assert_eq!(s, 422);

    // Withdrawing gives the amount back; only its author may withdraw it.
    let p1_id = p1["id"].as_i64().unwrap();
    let (s, _) = call(
        &client,
        Post,
        &format!("/api/pledges/{p1_id}/withdraw"),
        Some(&beto),
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (s, w) = call(
        &client,
        Post,
        &format!("/api/pledges/{p1_id}/withdraw"),
        Some(&ana),
        None,
    )
    .await;
    assert_eq!((s, w["status"].as_str()), (200, Some("withdrawn")));
    let needs = call(
        &client,
        Get,
        &format!("/api/places/{kitchen}/needs"),
        None,
        None,
    )
    .await
    .1;
    assert_eq!(
        (needs[0]["pledged"].as_f64(), needs[0]["remaining"].as_f64()),
        (Some(2.5), Some(7.5))
    );

    // Now 7.5 fits exactly; the organizer marks a pledge received; received cannot be withdrawn.
    let (s, p3) = call(
        &client,
        Post,
        &format!("/api/needs/{id}/pledge"),
        Some(&ana),
        Some(&json!({"quantity": 7.5})),
    )
    .await;
    assert_eq!(s, 201);
    let p3_id = p3["id"].as_i64().unwrap();
    let (s, _) = call(
        &client,
        Post,
        &format!("/api/pledges/{p3_id}/received"),
        Some(&ana),
        None,
    )
    .await;
    assert_eq!(s, 403, "only organizers mark pledges received");
    let (s, r) = call(
        &client,
        Post,
        &format!("/api/pledges/{p3_id}/received"),
        Some(&organizer),
        None,
    )
    .await;
    assert_eq!((s, r["status"].as_str()), (200, Some("received")));
    let (s, _) = call(
        &client,
        Post,
        &format!("/api/pledges/{p3_id}/withdraw"),
        Some(&ana),
        None,
    )
    .await;
    assert_eq!(s, 409);
    let mine = call(&client, Get, "/api/me/pledges", Some(&ana), None)
        .await
        .1;
    assert_eq!(mine.as_array().unwrap().len(), 2);
    assert_eq!(mine[0]["need"]["item"], "Harina");
    let detail = call(
        &client,
        Get,
        &format!("/api/needs/{id}"),
        Some(&organizer),
        None,
    )
    .await
    .1;
    let statuses: Vec<&str> = detail["pledges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["withdrawn", "pledged", "received"]);
}

#[sqlx::test]
async fn only_the_kitchens_organizers_and_coordinators_may_post_or_edit_its_needs(pool: PgPool) {
    let (client, kitchen, organizer) = kitchen_with_organizer(&pool).await;
    let (_, volunteer) = account(&pool, "vera@example.org", "volunteer", true).await;
    let (other_id, other_org) = account(&pool, "otro@example.org", "organizer", true).await;
    let (_, coordinator) = account(&pool, "coco@example.org", "coordinator", true).await;
    let needs = format!("/api/places/{kitchen}/needs");
    let body = shift_body(10, 12, 2);

    assert_eq!(call(&client, Post, &needs, None, Some(&body)).await.0, 401);
    for (who, token) in [
        ("volunteer", &volunteer),
        ("another kitchen's organizer", &other_org),
    ] {
        let (s, e) = call(&client, Post, &needs, Some(token), Some(&body)).await;
        assert_eq!(
            (s, e["error"].as_str()),
            (403, Some("not_an_organizer")),
            "{who}"
        );
        let (s, _) = call(
            &client,
            Patch,
            &format!("/api/places/{kitchen}"),
            Some(token),
            Some(&json!({"name": "Hacked"})),
        )
        .await;
        assert_eq!(s, 403, "{who} edits the place");
    }
    let (s, n1) = call(&client, Post, &needs, Some(&organizer), Some(&body)).await;
    assert_eq!(s, 201);
    let (s, _) = call(
        &client,
        Post,
        &needs,
        Some(&coordinator),
        Some(&shift_body(14, 16, 2)),
    )
    .await;
    assert_eq!(s, 201);
    let n1 = n1["id"].as_i64().unwrap();
    for token in [&volunteer, &other_org] {
        assert_eq!(
            call(
                &client,
                Post,
                &format!("/api/needs/{n1}/close"),
                Some(token),
                None
            )
            .await
            .0,
            403
        );
        assert_eq!(
            call(&client, Get, &format!("/api/needs/{n1}"), Some(token), None)
                .await
                .0,
            403
        );
    }

    // The coordinator makes the other organizer one of this kitchen's; then they may.
    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/places/{kitchen}/organizers"),
            Some(&organizer),
            Some(&json!({"account_id": other_id}))
        )
        .await
        .0,
        403
    );
    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/places/{kitchen}/organizers"),
            Some(&coordinator),
            Some(&json!({"account_id": other_id}))
        )
        .await
        .0,
        204
    );
    let (s, edited) = call(
        &client,
        Patch,
        &format!("/api/places/{kitchen}"),
        Some(&other_org),
        Some(&json!({"meals_per_day": 200, "opening_hours": "Mo-Sa 11:00-14:00"})),
    )
    .await;
    assert_eq!(s, 200, "{edited}");
    assert_eq!(edited["properties"]["meals_per_day"], 200);
    assert_eq!(
        edited["properties"]["name"], "Comedor Test",
        "fields left out stay"
    );
    let (s, closed) = call(
        &client,
        Post,
        &format!("/api/needs/{n1}/close"),
        Some(&other_org),
        None,
    )
    .await;
    assert_eq!((s, closed["status"].as_str()), (200, Some("closed")));
    let open = call(&client, Get, &needs, None, None).await.1;
    assert_eq!(
        open.as_array().unwrap().len(),
        1,
        "closed needs leave the public page"
    );
}

#[sqlx::test]
async fn a_kitchen_from_an_unverified_organizer_stays_hidden_until_a_coordinator_approves_it(
    pool: PgPool,
) {
    let (_, newbie) = account(&pool, "nueva@example.org", "organizer", false).await;
    let (_, volunteer) = account(&pool, "vale@example.org", "volunteer", true).await;
    let (_, coordinator) = account(&pool, "coordinadora@example.org", "coordinator", true).await;
    let client = common::client(pool.clone()).await;
    assert_eq!(
        call(
            &client,
            Post,
            "/api/places",
            Some(&volunteer),
            Some(&kitchen_body("X"))
        )
        .await
        .0,
        403
    );
    let (s, created) = call(
        &client,
        Post,
        "/api/places",
        Some(&newbie),
        Some(&kitchen_body("Comedor Nuevo")),
    )
    .await;
    assert_eq!(
        (s, created["status"].as_str()),
        (201, Some("pending_review"))
    );
    let id = created["id"].as_i64().unwrap();
    let bbox = "/api/places?bbox=-60.75,-31.68,-60.65,-31.58&kind=kitchen";
    let visible = |body: &Value| {
        body["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == id)
    };
    assert!(!visible(&call(&client, Get, bbox, None, None).await.1));
    assert_eq!(
        call(&client, Get, &format!("/api/places/{id}"), None, None)
            .await
            .0,
        404
    );
    let nearby = call(
        &client,
        Get,
        "/api/places/nearby?lat=-31.626&lon=-60.729&radius_m=100&kind=kitchen",
        None,
        None,
    )
    .await
    .1;
    assert!(!visible(&nearby));
    // The organizer sees it among theirs, and can already prepare needs.
    let mine = call(&client, Get, "/api/me/places", Some(&newbie), None)
        .await
        .1;
    assert_eq!(mine[0]["status"], "pending_review");

    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/places/{id}/approve"),
            Some(&newbie),
            None
        )
        .await
        .0,
        403
    );
    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/places/{id}/approve"),
            Some(&coordinator),
            None
        )
        .await
        .0,
        200
    );
    assert!(visible(&call(&client, Get, bbox, None, None).await.1));
    let f = call(&client, Get, &format!("/api/places/{id}"), None, None)
        .await
        .1;
    assert_eq!(f["properties"]["meals_per_day"], 150);
    assert_eq!(f["properties"]["opening_hours"], "Mo-Fr 11:30-14:00");
}

#[sqlx::test]
async fn overlapping_shifts_are_refused_and_leaving_a_shift_frees_the_slot(pool: PgPool) {
    let (client, kitchen, organizer) = kitchen_with_organizer(&pool).await;
    let needs = format!("/api/places/{kitchen}/needs");
    let a = call(
        &client,
        Post,
        &needs,
        Some(&organizer),
        Some(&shift_body(10, 13, 1)),
    )
    .await
    .1["id"]
        .as_i64()
        .unwrap();
    let b = call(
        &client,
        Post,
        &needs,
        Some(&organizer),
        Some(&shift_body(12, 15, 5)),
    )
    .await
    .1["id"]
        .as_i64()
        .unwrap();
    let c = call(
        &client,
        Post,
        &needs,
        Some(&organizer),
        Some(&shift_body(13, 15, 5)),
    )
    .await
    .1["id"]
        .as_i64()
        .unwrap();
    let (_, vol) = account(&pool, "vicky@example.org", "volunteer", true).await;
    let (_, other) = account(&pool, "oscar@example.org", "volunteer", true).await;

    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/needs/{a}/signup"),
            Some(&vol),
            None
        )
        .await
        .0,
        200
    );
    let (s, e) = call(
        &client,
        Post,
        &format!("/api/needs/{a}/signup"),
        Some(&vol),
        None,
    )
    .await;
    assert_eq!((s, e["error"].as_str()), (409, Some("already_signed_up")));
    let (s, e) = call(
        &client,
        Post,
        &format!("/api/needs/{b}/signup"),
        Some(&vol),
        None,
    )
    .await;
    assert_eq!((s, e["error"].as_str()), (409, Some("shift_overlap")));
    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/needs/{c}/signup"),
            Some(&vol),
            None
        )
        .await
        .0,
        200,
        "a shift starting as the other ends does not overlap"
    );
    let (s, e) = call(
        &client,
        Post,
        &format!("/api/needs/{a}/signup"),
        Some(&other),
        None,
    )
    .await;
    assert_eq!((s, e["error"].as_str()), (409, Some("shift_full")));

    let shifts = call(&client, Get, "/api/me/shifts", Some(&vol), None)
        .await
        .1;
    let ids: Vec<i64> = shifts
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a, c]);
    assert_eq!(
        call(
            &client,
            Delete,
            &format!("/api/needs/{a}/signup"),
            Some(&vol),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/needs/{a}/signup"),
            Some(&other),
            None
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/needs/{b}/signup"),
            Some(&vol),
            None
        )
        .await
        .1["error"],
        "shift_overlap",
        "still overlaps c"
    );
}

#[sqlx::test]
async fn nearby_needs_list_open_needs_of_nearby_kitchens_nearest_first_and_expire_when_past(
    pool: PgPool,
) {
    seed(&pool).await;
    let (_, coordinator) = account(&pool, "coordinadora@example.org", "coordinator", true).await;
    let client = common::client(pool.clone()).await;
    let kitchens: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, source FROM places WHERE kind = 'kitchen' AND source LIKE 'demo/%' \
         ORDER BY source <> 'demo/comedor-los-pibes', id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for (id, _) in &kitchens {
        let (s, b) = call(
            &client,
            Post,
            &format!("/api/places/{id}/needs"),
            Some(&coordinator),
            Some(&json!({"kind": "supplies", "item": "Leche", "quantity": 20, "unit": "l"})),
        )
        .await;
        assert_eq!(s, 201, "{b}");
    }
    let shift = call(
        &client,
        Post,
        &format!("/api/places/{}/needs", kitchens[0].0),
        Some(&coordinator),
        Some(&shift_body(1, 3, 2)),
    )
    .await
    .1;
    // A shop is not a kitchen.
    let shop: i64 = sqlx::query_scalar("SELECT id FROM places WHERE kind = 'shop' LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/places/{shop}/needs"),
            Some(&coordinator),
            Some(&shift_body(1, 3, 2))
        )
        .await
        .0,
        404
    );

    let (lat, lon) = (-31.6260, -60.7290); // at Comedor Los Pibes
    let (s, near) = call(
        &client,
        Get,
        &format!("/api/needs/nearby?lat={lat}&lon={lon}&radius_m=10000"),
        None,
        None,
    )
    .await;
    assert_eq!(s, 200, "{near}");
    let d: Vec<i64> = near
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["distance_m"].as_i64().unwrap())
        .collect();
    assert_eq!(d.len(), kitchens.len() + 1);
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    assert!(d[0] < 5);
    let shifts = call(
        &client,
        Get,
        &format!("/api/needs/nearby?lat={lat}&lon={lon}&radius_m=10000&kind=shift"),
        None,
        None,
    )
    .await
    .1;
    assert_eq!(shifts.as_array().unwrap().len(), 1);
    let small = call(
        &client,
        Get,
        &format!("/api/needs/nearby?lat={lat}&lon={lon}&radius_m=300"),
        None,
        None,
    )
    .await
    .1;
    assert!(small
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["place_id"] == kitchens[0].0));

    // The shift's time passes: maintenance expires it and it leaves every list.
    sqlx::query("UPDATE needs SET starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour' WHERE id = $1")
        .bind(shift["id"].as_i64().unwrap())
        .execute(&pool)
        .await
        .unwrap();
    let report = antes::maintenance::run(&pool, &test_config())
        .await
        .unwrap();
    assert_eq!(report.needs_expired, 1);
    let shifts = call(
        &client,
        Get,
        &format!("/api/needs/nearby?lat={lat}&lon={lon}&radius_m=10000&kind=shift"),
        None,
        None,
    )
    .await
    .1;
    assert_eq!(shifts.as_array().unwrap().len(), 0);
    let status: String = sqlx::query_scalar("SELECT status FROM needs WHERE id = $1")
        .bind(shift["id"].as_i64().unwrap())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "expired");
}

#[sqlx::test]
async fn bad_kitchen_input_gets_a_json_4xx_error(pool: PgPool) {
    let (client, kitchen, organizer) = kitchen_with_organizer(&pool).await;
    let needs = format!("/api/places/{kitchen}/needs");
    let cases: Vec<(&str, String, Value, &str)> = vec![
        (
            "POST",
            needs.clone(),
            json!({"kind": "shift", "role": "cook", "starts_at": "2030-01-01T12:00:00Z", "ends_at": "2030-01-01T10:00:00Z", "slots": 2}),
            "invalid_need",
        ),
        (
            "POST",
            needs.clone(),
            json!({"kind": "shift", "role": "juggle", "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T12:00:00Z", "slots": 2}),
            "invalid_body",
        ),
        (
            "POST",
            needs.clone(),
            json!({"kind": "shift", "role": "cook", "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T12:00:00Z", "slots": 0}),
            "invalid_need",
        ),
        (
            "POST",
            needs.clone(),
            json!({"kind": "supplies", "item": "Arroz", "quantity": -3, "unit": "kg"}),
            "invalid_need",
        ),
        (
            "POST",
            needs.clone(),
            json!({"kind": "dance"}),
            "invalid_body",
        ),
        (
            "POST",
            "/api/places".into(),
            json!({"kind": "kitchen", "category": "pharmacy", "name": "X", "location": {"lat": -31.6, "lon": -60.7}}),
            "category_mismatch",
        ),
        (
            "POST",
            "/api/places".into(),
            json!({"kind": "kitchen", "category": "soup_kitchen", "name": "X", "location": {"lat": 95, "lon": -60.7}}),
            "invalid_body",
        ),
        (
            "POST",
            "/api/places".into(),
            json!({"kind": "kitchen", "category": "soup_kitchen", "name": "X", "location": {"lat": -31.6, "lon": -60.7}, "opening_hours": "when we can"}),
            "invalid_opening_hours",
        ),
        (
            "PATCH",
            format!("/api/places/{kitchen}"),
            json!({"name": "  "}),
            "invalid_text",
        ),
        (
            "POST",
            "/api/places".into(),
            json!({"kind": "kitchen", "category": "soup_kitchen", "name": "A\u{0}B", "location": {"lat": -31.6, "lon": -60.7}}),
            "invalid_text",
        ),
        (
            "POST",
            needs.clone(),
            json!({"kind": "supplies", "item": "x\u{0}", "quantity": 1, "unit": "kg"}),
            "invalid_text",
        ),
        (
            "PATCH",
            format!("/api/places/{kitchen}"),
            json!({"phone": "\u{1}\u{0}"}),
            "invalid_phone",
        ),
        (
            "GET",
            "/api/needs/nearby?lat=91&lon=0".into(),
            Value::Null,
            "invalid_coordinates",
        ),
        (
            "GET",
            "/api/needs/nearby?lat=0&lon=0&kind=money".into(),
            Value::Null,
            "invalid_kind",
        ),
        (
            "GET",
            "/api/needs/nearby?lat=0&lon=0&radius_m=-1".into(),
            Value::Null,
            "invalid_radius",
        ),
    ];
    for (method, uri, body, code) in cases {
        let body = (!body.is_null()).then_some(body);
        let (s, e) = call(
            &client,
            method.parse().unwrap(),
            &uri,
            Some(&organizer),
            body.as_ref(),
        )
        .await;
        assert!((400..500).contains(&s), "{method} {uri} {body:?}: {s} {e}");
        assert_eq!(e["error"], code, "{method} {uri} {body:?}: {e}");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM needs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing invalid was stored");
    assert_eq!(
        call(
            &client,
            Post,
            "/api/needs/999999/signup",
            Some(&organizer),
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        call(
            &client,
            Post,
            "/api/needs/999999/pledge",
            Some(&organizer),
            Some(&json!({"quantity": 1}))
        )
        .await
        .0,
        404
    );
}

#[sqlx::test]
async fn one_person_racing_for_overlapping_shifts_and_pledging_at_once_gets_consistent_answers(
    pool: PgPool,
) {
    let (client, kitchen, organizer) = kitchen_with_organizer(&pool).await;
    let needs = format!("/api/places/{kitchen}/needs");
    let mut shifts = Vec::new();
    for h in 0..6 {
        let (_, n) = call(
            &client,
            Post,
            &needs,
            Some(&organizer),
            Some(&shift_body(10 + h, 17 + h, 5)),
        )
        .await;
        shifts.push(n["id"].as_i64().unwrap());
    }
    let (_, supplies) = call(
        &client,
        Post,
        &needs,
        Some(&organizer),
        Some(&json!({"kind": "supplies", "item": "Aceite", "quantity": 10, "unit": "l"})),
    )
    .await;
    let supplies = supplies["id"].as_i64().unwrap();
    let (_, me) = account(&pool, "rapida@example.org", "volunteer", true).await;

    let wide = PgPoolOptions::new()
        .max_connections(20)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let base = common::serve(wide, test_config()).await;
    let http = reqwest::Client::new();
    // Six shifts that all overlap (10-17 to 15-22) and five pledges of 3 l on a 10 l need, all
    // at once, as one person.
    let mut urls: Vec<String> = shifts
        .iter()
        .map(|id| format!("{base}/api/needs/{id}/signup"))
        .collect();
    urls.extend((0..5).map(|_| format!("{base}/api/needs/{supplies}/pledge")));
    // Sign-ups on the supplies need take the same two locks in the other order from a pledge.
    urls.extend((0..5).map(|_| format!("{base}/api/needs/{supplies}/signup")));
    let tasks: Vec<_> = urls
        .into_iter()
        .map(|url| {
            let (http, me) = (http.clone(), me.clone());
            tokio::spawn(async move {
                let r = http
                    .post(&url)
                    .header("cookie", format!("antes_session={me}"))
                    .json(&json!({"quantity": 3}))
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                (url, status, r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let (mut shift_ok, mut pledge_ok) = (0, 0);
    for t in tasks {
        let (url, status, body) = t.await.unwrap();
        let pledge = url.ends_with("/pledge");
        if url.contains(&format!("/needs/{supplies}/signup")) {
            assert_eq!(
                (status, body["error"].as_str()),
                (409, Some("not_a_shift")),
                "{body}"
            );
            continue;
        }
        match (pledge, status) {
            (false, 200) => shift_ok += 1,
            (false, 409) => assert_eq!(body["error"], "shift_overlap", "{body}"),
            (true, 201) => pledge_ok += 1,
            (true, 409) => assert_eq!(body["error"], "over_pledged", "{body}"),
            _ => panic!("{url}: unexpected {status} {body}"),
        }
    }
    assert_eq!((shift_ok, pledge_ok), (1, 3));
    let pledged: f64 = sqlx::query_scalar("SELECT sum(quantity) FROM pledges WHERE need_id = $1")
        .bind(supplies)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(pledged, 9.0);
}

#[sqlx::test]
async fn needs_of_a_kitchen_under_review_and_shifts_already_started_take_no_one(pool: PgPool) {
    let (_, newbie) = account(&pool, "nueva@example.org", "organizer", false).await;
    let (_, vol) = account(&pool, "vol@example.org", "volunteer", true).await;
    let client = common::client(pool.clone()).await;
    let (_, created) = call(
        &client,
        Post,
        "/api/places",
        Some(&newbie),
        Some(&kitchen_body("Comedor En Revisión")),
    )
    .await;
    let pending = created["id"].as_i64().unwrap();
    // Managing a kitchen needs a verified organizer (issue 8), so a coordinator prepares the
    // needs of this one before approval.
    let (s, err) = call(
        &client,
        Post,
        &format!("/api/places/{pending}/needs"),
        Some(&newbie),
        Some(&shift_body(1, 3, 2)),
    )
    .await;
    assert_eq!((s, err["error"].as_str()), (403, Some("not_verified")));
    let (_, coord) = account(&pool, "coord@example.org", "coordinator", true).await;
    let (s, need) = call(
        &client,
        Post,
        &format!("/api/places/{pending}/needs"),
        Some(&coord),
        Some(&shift_body(1, 3, 2)),
    )
    .await;
    assert_eq!(s, 201, "needs may be prepared before approval");
    let need = need["id"].as_i64().unwrap();
    assert_eq!(
        call(
            &client,
            Post,
            &format!("/api/needs/{need}/signup"),
            Some(&vol),
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        call(
            &client,
            Get,
            &format!("/api/places/{pending}/needs"),
            Some(&vol),
            None
        )
        .await
        .0,
        404
    );

    let (client2, kitchen, organizer) = kitchen_with_organizer(&pool).await;
    let (_, n) = call(
        &client2,
        Post,
        &format!("/api/places/{kitchen}/needs"),
        Some(&organizer),
        Some(&shift_body(1, 3, 2)),
    )
    .await;
    let started = n["id"].as_i64().unwrap();
    sqlx::query("UPDATE needs SET starts_at = now() - interval '10 minutes' WHERE id = $1")
        .bind(started)
        .execute(&pool)
        .await
        .unwrap();
    let (s, e) = call(
        &client2,
        Post,
        &format!("/api/needs/{started}/signup"),
        Some(&vol),
        None,
    )
    .await;
    assert_eq!((s, e["error"].as_str()), (409, Some("shift_started")));
}
