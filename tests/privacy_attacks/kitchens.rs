//! An unverified organizer and a kitchen's identity edits (finding 4).

use crate::prelude::*;

fn kitchen(name: &str) -> Value {
    json!({
        "kind": "kitchen", "category": "soup_kitchen", "name": name,
        "location": {"lat": -31.6260, "lon": -60.7290},
        "opening_hours": "Mo-Fr 11:30-14:00", "phone": "+54 342 400-0200"
    })
}

fn shift() -> Value {
    let base = chrono::Utc::now() + chrono::Duration::days(2);
    json!({
        "kind": "shift", "role": "cook", "slots": 3,
        "starts_at": base.to_rfc3339(),
        "ends_at": (base + chrono::Duration::hours(3)).to_rfc3339(),
    })
}

#[sqlx::test]
async fn an_unverified_organizer_cannot_change_an_approved_kitchen_or_read_its_volunteers(
    pool: PgPool,
) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let organizer = app.organizer(false).await;
    let created = app
        .call(
            Some(&organizer),
            Post,
            "/api/places",
            Some(&kitchen("Comedor Los Pibes")),
        )
        .await;
    assert_eq!(created.body["status"], "pending_review");
    let id = created.body["id"].as_i64().unwrap();
    app.post(Some(&coordinator), &format!("/api/places/{id}/approve"))
        .await;

    // The old code let this edit go live without review.
    let edit = json!({"name": "Colecta Urgente", "phone": "+54 11 5555-0000",
        "location": {"lat": -31.60, "lon": -60.70}});
    let r = app
        .call(
            Some(&organizer),
            rocket::http::Method::Patch,
            &format!("/api/places/{id}"),
            Some(&edit),
        )
        .await;
    assert_eq!(r.code(), (403, Some("not_verified")));
    let public = app.get(None, &format!("/api/places/{id}")).await;
    assert_eq!(public.body["properties"]["name"], "Comedor Los Pibes");
    assert_eq!(public.body["properties"]["phone"], "+54 342 400-0200");
    assert_eq!(
        public.body["geometry"]["coordinates"],
        json!([-60.7290, -31.6260])
    );

    // A volunteer takes a shift; the old code showed their phone to this organizer.
    let need = app
        .call(
            Some(&coordinator),
            Post,
            &format!("/api/places/{id}/needs"),
            Some(&shift()),
        )
        .await;
    let need_id = need.body["id"].as_i64().unwrap();
    let volunteer = app.volunteer(true).await;
    app.sql(&format!(
        "UPDATE accounts SET phone = '+54 342 499-1234' WHERE id = {}",
        volunteer.id
    ))
    .await;
    assert_eq!(
        app.post(Some(&volunteer), &format!("/api/needs/{need_id}/signup"))
            .await
            .status,
        200
    );
    let detail = app
        .get(Some(&organizer), &format!("/api/needs/{need_id}"))
        .await;
    assert_eq!(detail.code(), (403, Some("not_verified")));
    assert!(!detail.body.to_string().contains("499-1234"));
    let posted = app
        .call(
            Some(&organizer),
            Post,
            &format!("/api/places/{id}/needs"),
            Some(&shift()),
        )
        .await;
    assert_eq!(posted.code(), (403, Some("not_verified")));

    // Once a coordinator verifies the organizer, it runs its kitchen.
    app.post(
        Some(&coordinator),
        &format!("/api/accounts/{}/verify", organizer.id),
    )
    .await;
    let detail = app
        .get(Some(&organizer), &format!("/api/needs/{need_id}"))
        .await;
    assert_eq!(detail.body["signups"][0]["phone"], "+54 342 499-1234");
}

#[sqlx::test]
async fn an_organizers_change_of_name_place_or_phone_goes_back_to_review(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let organizer = app.organizer(true).await;
    let created = app
        .call(
            Some(&organizer),
            Post,
            "/api/places",
            Some(&kitchen("Comedor La Esperanza")),
        )
        .await;
    assert_eq!(created.body["status"], "active");
    let id = created.body["id"].as_i64().unwrap();
    let patch = |body: Value| {
        let app = &app;
        let organizer = &organizer;
        async move {
            app.call(
                Some(organizer),
                rocket::http::Method::Patch,
                &format!("/api/places/{id}"),
                Some(&body),
            )
            .await
        }
    };
    // Hours are not what people trust a kitchen by: the change stays live.
    let r = patch(json!({"opening_hours": "Mo-Sa 11:00-14:00"})).await;
    assert_eq!(r.body["properties"]["status"], "active");
    assert_eq!(
        app.get(None, &format!("/api/places/{id}")).await.status,
        200
    );
    // Each of name, location and phone sends it back to review, hidden from the public.
    for change in [
        json!({"name": "Comedor La Esperanza II"}),
        json!({"location": {"lat": -31.61, "lon": -60.71}}),
        json!({"phone": "+54 342 400-0999"}),
    ] {
        let r = patch(change.clone()).await;
        assert_eq!(r.body["properties"]["status"], "pending_review", "{change}");
        assert_eq!(
            app.get(None, &format!("/api/places/{id}")).await.status,
            404
        );
        let listed = app
            .get(
                None,
                "/api/places?bbox=-60.8,-31.7,-60.6,-31.5&kind=kitchen",
            )
            .await;
        assert!(!listed.body.to_string().contains("Esperanza"), "{change}");
        app.post(Some(&coordinator), &format!("/api/places/{id}/approve"))
            .await;
        assert_eq!(
            app.get(None, &format!("/api/places/{id}")).await.status,
            200
        );
    }
    // A coordinator's edit stays live.
    let r = app
        .call(
            Some(&coordinator),
            rocket::http::Method::Patch,
            &format!("/api/places/{id}"),
            Some(&json!({"phone": "+54 342 400-0111"})),
        )
        .await;
    assert_eq!(r.body["properties"]["status"], "active");
    assert_eq!(
        app.get(None, &format!("/api/places/{id}")).await.body["properties"]["phone"],
        "+54 342 400-0111"
    );
}
