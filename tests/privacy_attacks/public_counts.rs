//! Sliding the map box across a cell of the public counts.

use crate::prelude::*;

#[sqlx::test]
async fn sliding_a_thin_map_box_across_a_cell_never_counts_part_of_it(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    let cell = res8(SANTA_FE);
    let (west, east) = far_apart_in(cell);
    let centre = cell.center();
    for p in [west, east, (centre.lat, centre.lon)] {
        app.ask(Some(&coordinator), p, "groceries", "celda").await;
    }
    // A 20 m wide box swept from west of the cell to east of it. Counting only the requests
    // inside the box would show a cell's count change as the box passes each request.
    let ring = cell.ring();
    let (lo, hi) = ring
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), [lon, _]| {
            (lo.min(*lon), hi.max(*lon))
        });
    let mut seen = 0;
    for step in 0..=30 {
        let lon = lo - 0.003 + (hi - lo + 0.006) * step as f64 / 30.0;
        let bbox = format!(
            "{},{},{},{}",
            lon,
            centre.lat - 0.0001,
            lon + 0.0002,
            centre.lat + 0.0001
        );
        let r = app
            .get(None, &format!("/api/requests/cells?bbox={bbox}&res=8"))
            .await;
        assert_eq!(r.status, 200);
        for f in r.body["features"].as_array().unwrap() {
            assert_eq!(f["properties"]["cell"], cell.to_string());
            assert_eq!(f["properties"]["count"], 3, "box {bbox}");
            seen += 1;
        }
    }
    assert!(seen > 5, "the box touched the cell {seen} times");
}
