//! Locating a volunteer's home through a coordinator's matches (finding 5).

use crate::prelude::*;

/// The matches a coordinator sees for each probe request: whether `volunteer` is listed, and
/// the band shown.
async fn probe_matches(
    app: &TestApp,
    coordinator: &Session,
    probes: &[String],
    volunteer: i64,
) -> Vec<Value> {
    let mut seen = Vec::new();
    for id in probes {
        let r = app.matches(coordinator, id).await;
        assert_eq!(r.status, 200);
        let me: Vec<&Value> = r.body["matches"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["account_id"] == volunteer)
            .collect();
        seen.push(json!(me));
    }
    seen
}

#[sqlx::test]
async fn probe_requests_cannot_tell_two_homes_of_one_cell_apart(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let (west, east) = far_apart_in(res8(SANTA_FE));
    let volunteer = app.volunteer_at(west, 1_250.0, 3).await;
    // Probes every 150 m outwards across the volunteer's radius, on three bearings.
    let mut probes = Vec::new();
    for bearing in [0.0, 120.0, 240.0] {
        for step in 0..16 {
            let p = offset(SANTA_FE, 150.0 * step as f64, bearing);
            probes.push(app.ask(Some(&coordinator), p, "company", "sonda").await.id);
        }
    }
    let at_west = probe_matches(&app, &coordinator, &probes, volunteer.id).await;
    // The old code showed the exact distance to the nearest 100 m: nine probes found the
    // 1,250 m boundary to 0.15 m, and three such circles gave the home.
    assert!(at_west.iter().all(|m| m
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x.get("distance_m").is_none())));
    assert!(at_west.iter().any(|m| m != &json!([])) && at_west.iter().any(|m| m == &json!([])));
    assert_eq!(app.set_home(&volunteer, east, 1_250.0).await.status, 200);
    let at_east = probe_matches(&app, &coordinator, &probes, volunteer.id).await;
    assert_eq!(at_west, at_east);
}
