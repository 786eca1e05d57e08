//! National scale: on generated data (`antes bench-data`), the indexed reads behind matching and
//! task lists give exactly what their rules give when applied to every volunteer and every
//! open request, so reading less changed no answer.

mod common;

use antes::bench_data::{self, Options};
use antes::domain::cells::Cell;
use antes::domain::claims::Volunteer;
use antes::domain::matching::{self, Candidate};
use antes::domain::privacy::{self, OpenRequest};
use common::{account, call};
use rocket::http::Method::Get;
use sqlx::PgPool;
use uuid::Uuid;

async fn generated(pool: &PgPool) {
    let opts = Options {
        places: 500,
        volunteers: 20_000,
        requests: 3_000,
        seed: 7,
        points: 10,
        samples: 30,
    };
    bench_data::load(pool, &opts, &indicatif::ProgressBar::hidden())
        .await
        .unwrap();
}

/// Every volunteer, as the domain sees them, read without any spatial filter.
async fn every_candidate(pool: &PgPool) -> Vec<Candidate> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        i64,
        String,
        String,
        bool,
        bool,
        bool,
        Vec<String>,
        f64,
        i32,
        Option<i64>,
        i64,
        i64,
    )> = sqlx::query_as(
        // Counted apart and joined, rather than by correlated subqueries, so that it also
        // runs on Citus.
        "WITH open AS (SELECT assignee AS id, count(*) AS n FROM help_requests \
                WHERE status = 'assigned' AND assignee IS NOT NULL GROUP BY assignee), \
              recent AS (SELECT account_id AS id, count(*) AS n FROM request_events \
                WHERE action = 'claimed' AND created_at > now() - interval '7 days' \
                  AND account_id IS NOT NULL GROUP BY account_id) \
         SELECT a.id, a.display_name, a.role, a.verified, a.suspended_at IS NOT NULL, \
                v.on_duty, v.skills, v.radius_m, v.max_open, v.home_cell, \
                COALESCE(open.n, 0), COALESCE(recent.n, 0) \
         FROM volunteer_profiles v JOIN accounts a ON a.id = v.account_id \
         LEFT JOIN open ON open.id = a.id LEFT JOIN recent ON recent.id = a.id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|r| Candidate {
            account_id: r.0,
            display_name: r.1,
            volunteer: Volunteer {
                role: r.2.parse().unwrap(),
                verified: r.3,
                suspended: r.4,
                on_duty: r.5,
                skills: r.6,
                radius_m: r.7,
                open_assignments: r.10,
                max_open: r.8,
            },
            home: r.9.map(|c| Cell::from_db(c).unwrap()),
            recent_assignments: r.11,
        })
        .collect()
}

#[sqlx::test]
async fn matches_read_by_reach_class_equal_the_rule_applied_to_every_volunteer(pool: PgPool) {
    generated(&pool).await;
    let (_, coordinator) = account(&pool, "coord@example.org", "coordinator", true).await;
    let everyone = every_candidate(&pool).await;
    let requests: Vec<(Uuid, i64, String)> = sqlx::query_as(
        "SELECT id, cell, category FROM help_requests WHERE status = 'open' ORDER BY id LIMIT 60",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let client = common::client(pool).await;
    let mut non_empty = 0;
    let mut long = 0;
    for (id, cell, category) in &requests {
        for limit in [3usize, 20] {
            let (status, body) = call(
                &client,
                Get,
                &format!("/api/requests/{id}/matches?limit={limit}"),
                Some(&coordinator),
                None,
            )
            .await;
            assert_eq!(status, 200, "{body}");
            let got: Vec<(i64, String)> = body["matches"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    (
                        m["account_id"].as_i64().unwrap(),
                        m["distance_band"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            let want: Vec<(i64, String)> = matching::matches(
                category,
                Cell::from_db(*cell).unwrap(),
                everyone.clone(),
                limit,
            )
            .into_iter()
            .map(|m| (m.account_id, m.distance_band.to_string()))
            .collect();
            assert_eq!(got, want, "request {id}, limit {limit}");
            non_empty += usize::from(!got.is_empty());
            long += usize::from(got.len() == limit);
        }
    }
    // The data must exercise the cut and the re-reads, not only empty lists.
    assert!(
        non_empty > 60 && long > 20,
        "{non_empty} non-empty, {long} full"
    );
}

#[sqlx::test]
async fn task_lists_read_by_the_exact_cover_equal_the_rule_applied_to_every_open_request(
    pool: PgPool,
) {
    generated(&pool).await;
    #[allow(clippy::type_complexity)]
    let open: Vec<(
        Uuid,
        String,
        String,
        Option<chrono::DateTime<chrono::Utc>>,
        i64,
    )> = sqlx::query_as(
        "SELECT id, category, urgency, needed_by, cell FROM help_requests WHERE status = 'open'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let open: Vec<OpenRequest> = open
        .into_iter()
        .map(|r| OpenRequest {
            id: r.0,
            category: r.1,
            urgency: r.2.parse().unwrap(),
            needed_by: r.3,
            stored: Cell::from_db(r.4).unwrap(),
        })
        .collect();
    let volunteers: Vec<(i64, i64, f64, Vec<String>)> = sqlx::query_as(
        "SELECT v.account_id, v.home_cell, v.radius_m, v.skills FROM bench_tasks t \
         JOIN volunteer_profiles v USING (account_id) ORDER BY t.id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(volunteers.len(), 30);
    let client = common::client(pool.clone()).await;
    let mut listed = 0;
    for (account_id, home, radius, skills) in volunteers {
        let token = antes::secrets::new_token();
        antes::db::accounts::create_session(
            &pool,
            &antes::secrets::token_hash(&token),
            account_id,
            1,
        )
        .await
        .unwrap();
        let (status, body) = call(&client, Get, "/api/me/tasks", Some(&token), None).await;
        assert_eq!(status, 200, "{body}");
        let got: Vec<String> = body["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect();
        let want: Vec<String> =
            privacy::task_list(Cell::from_db(home).unwrap(), radius, &skills, open.clone())
                .into_iter()
                .map(|t| t.id.to_string())
                .collect();
        assert_eq!(got, want, "volunteer {account_id}");
        listed += got.len();
    }
    assert!(listed > 100, "only {listed} tasks listed in all");
}

#[sqlx::test]
async fn matching_reads_on_past_a_crowd_tied_at_the_same_distance(pool: PgPool) {
    use antes::db::requests::{insert, NewRequest};
    use antes::domain::cells::STORED_RES;
    use antes::domain::geo::LatLon;
    let (_, coordinator) = account(&pool, "coord@example.org", "coordinator", true).await;
    let spot = (-34.6037, -58.3816);
    let point = LatLon::new(spot.0, spot.1).unwrap();
    let stored = Cell::at(point, STORED_RES);
    let request = insert(
        &pool,
        &NewRequest {
            category: "groceries",
            description: None,
            location: point,
            cell: stored.to_db(),
            area_cell: stored.parent(h3o::Resolution::Seven).unwrap().to_db(),
            address_detail: None,
            contact_name: "Vecina",
            contact_phone: "+54 11 4000-0000",
            contact_email: None,
            language: "es",
            on_behalf_of: false,
            needed_by: None,
            urgency: "normal",
            status: antes::domain::requests::Status::Open,
            manage_token_hash: "x",
            created_by: None,
        },
    )
    .await
    .unwrap();
    // Sixty volunteers at the same spot, in one reach class: every one is as near as the others.
    // All but the last three took a request this week, so the last three rank first.
    let mut ids = Vec::new();
    for i in 0..60 {
        let (id, _) = account(&pool, &format!("v{i}@example.org"), "volunteer", true).await;
        common::settled_profile(&pool, id, &["groceries"], spot, 1_000.0, true, 3).await;
        if i < 57 {
            sqlx::query(
                "INSERT INTO request_events (shard_cell, request_id, account_id, actor, action) \
                 SELECT shard_cell, id, $2, 'account', 'claimed' FROM help_requests WHERE id = $1",
            )
            .bind(request)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        }
        ids.push(id);
    }
    let client = common::client(pool).await;
    let (status, body) = call(
        &client,
        Get,
        &format!("/api/requests/{request}/matches?limit=3"),
        Some(&coordinator),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let got: Vec<i64> = body["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["account_id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, ids[57..].to_vec());
}
