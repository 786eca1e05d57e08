//! What the purge leaves behind (finding 6).

use crate::prelude::*;

/// What a purged row keeps: category, status, cell, area cell, token hash, author, assignee,
/// whether every personal field is empty, whether every date is a whole day.
type Remains = (
    String,
    String,
    Option<i64>,
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
    bool,
    bool,
);

/// The first of `secrets` that any of `blobs` holds.
fn holding<'a>(blobs: &[Vec<u8>], secrets: &[&'a str]) -> Option<&'a str> {
    secrets.iter().copied().find(|s| {
        let needle = s.as_bytes();
        blobs
            .iter()
            .any(|b| b.windows(needle.len()).any(|w| w == needle))
    })
}

/// The raw heap of `help_requests`: the data of every tuple, live or dead, or whole pages. On
/// Citus the rows live in shards on the workers: each shard is read where it lies, and its
/// bytes come back as hex.
async fn heap(pool: &PgPool, whole_pages: bool) -> Vec<Vec<u8>> {
    let read = if whole_pages {
        "SELECT get_raw_page('REL', 'main', b::int) FROM generate_series(0, \
            pg_relation_size('REL') / current_setting('block_size')::bigint - 1) b"
    } else {
        "SELECT i.t_data FROM generate_series(0, \
            pg_relation_size('REL') / current_setting('block_size')::bigint - 1) b, \
         LATERAL heap_page_items(get_raw_page('REL', 'main', b::int)) i \
         WHERE i.t_data IS NOT NULL"
    };
    if !antes::db::citus::detect(pool).await.unwrap() {
        return sqlx::query_scalar(&read.replace("REL", "help_requests"))
            .fetch_all(pool)
            .await
            .unwrap();
    }
    // run_command_on_shards puts each shard's name where the command says %1$s.
    let per_shard: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT result FROM run_command_on_shards('help_requests', $c$ \
            SELECT coalesce(string_agg(encode(x, 'hex'), ','), '') FROM ({}) AS t(x) $c$)",
        read.replace("REL", "%1$s")
    ))
    .fetch_all(pool)
    .await
    .unwrap();
    let hex = |h: &str| -> Vec<u8> {
        (0..h.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
            .collect()
    };
    per_shard
        .iter()
        .flat_map(|r| r.split(',').filter(|h| !h.is_empty()).map(hex))
        .collect()
}

#[sqlx::test]
async fn after_retention_nothing_leads_back_to_the_requester_or_the_volunteer(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let coordinator = app.coordinator().await;
    // A registered neighbour asks, so the row links to an account; a volunteer does the task.
    let neighbour = app.volunteer(false).await;
    let spot = offset(SANTA_FE, 321.0, 33.0);
    let body = json!({
        "category": "medicine",
        "description": "remedios para la presión",
        "location": {"lat": spot.0, "lon": spot.1},
        "address_detail": "pasillo 4, casa del fondo",
        "contact": {"name": "Irma Zubieta", "phone": "+54 342 481-7733"},
        "contact_email": "irma.zubieta@example.org",
        "on_behalf_of": true,
        "needed_by": (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339(),
    });
    let posted = app
        .call(Some(&neighbour), Post, "/api/requests", Some(&body))
        .await;
    let (id, token) = (
        posted.body["id"].as_str().unwrap().to_string(),
        posted.body["manage_token"].as_str().unwrap().to_string(),
    );
    app.post(Some(&coordinator), &format!("/api/requests/{id}/approve"))
        .await;
    let helper = app.volunteer_at(SANTA_FE, 3_000.0, 1).await;
    assert_eq!(app.claim(&helper, &id).await.status, 200);
    assert_eq!(app.view(Some(&helper), &id).await.body["view"], "full");
    assert_eq!(
        app.post(Some(&helper), &format!("/api/requests/{id}/complete"))
            .await
            .status,
        200
    );

    app.sql(&format!(
        "UPDATE help_requests SET closed_at = now() - interval '31 days' WHERE id = '{id}'"
    ))
    .await;
    let report = antes::maintenance::run(&app.pool, &test_config())
        .await
        .unwrap();
    assert_eq!(report.purged, 1);

    // The old purge kept the res-9 cell, the link to the account and the token hash, so the
    // manage link still opened a view.
    let kept: Remains = sqlx::query_as(
        "SELECT category, status, cell, area_cell, manage_token_hash, created_by, assignee, \
                    location IS NULL AND contact_name IS NULL AND contact_phone IS NULL \
                      AND contact_email IS NULL \
                      AND description IS NULL AND address_detail IS NULL AND NOT on_behalf_of, \
                    created_at = date_trunc('day', created_at) \
                      AND closed_at = date_trunc('day', closed_at) \
                      AND needed_by = date_trunc('day', needed_by) \
             FROM help_requests WHERE id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let area = res8(spot).parent(Resolution::Seven).unwrap().to_db();
    assert_eq!(
        kept,
        (
            "medicine".into(),
            "done".into(),
            None,
            area,
            None,
            None,
            None,
            true,
            true
        )
    );
    let by_link = app
        .send(
            None,
            Some(&token),
            Get,
            &format!("/api/requests/{id}"),
            None,
        )
        .await;
    assert_eq!(by_link.status, 404);
    assert_eq!(app.view(Some(&coordinator), &id).await.status, 404);

    // Old row versions were vacuumed away: no tuple, live or dead, holds the contact.
    let secrets = [
        "Irma Zubieta",
        "481-7733",
        "irma.zubieta",
        "pasillo 4",
        "presión",
    ];
    app.sql("CREATE EXTENSION IF NOT EXISTS pageinspect").await;
    let tuples = heap(&app.pool, false).await;
    assert!(!tuples.is_empty());
    assert_eq!(holding(&tuples, &secrets), None);
    // Their bytes may still sit in free space; `antes maintain --rewrite` leaves none.
    antes::maintenance::rewrite(&app.pool).await.unwrap();
    let pages = heap(&app.pool, true).await;
    assert!(!pages.is_empty());
    assert_eq!(holding(&pages, &secrets), None);

    // Audit rows keep who did what for audit_retention_days, then lose the account ids.
    let named: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM request_events WHERE request_id = $1::uuid AND account_id IS NOT NULL",
    )
    .bind(&id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(named >= 3, "{named}");
    app.sql("UPDATE request_events SET created_at = now() - interval '366 days'")
        .await;
    app.sql("UPDATE account_events SET created_at = now() - interval '366 days'")
        .await;
    let report = antes::maintenance::run(&app.pool, &test_config())
        .await
        .unwrap();
    assert!(report.audit_forgotten >= named as u64);
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM request_events WHERE account_id IS NOT NULL) \
              + (SELECT count(*) FROM account_events WHERE account_id IS NOT NULL OR actor_id IS NOT NULL)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
    // Nothing about the cell finer than res 7 is left anywhere in the row.
    let cell: Option<i64> =
        sqlx::query_scalar("SELECT cell FROM help_requests WHERE id = $1::uuid")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(cell.map(Cell::from_db).is_none());
}
