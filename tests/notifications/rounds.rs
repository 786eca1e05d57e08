//! Who is told, in which order, and when the next round comes: distance bands, fairness,
//! escalation to the coordinators and quiet hours, all against an injected clock.

use std::collections::HashMap;

use chrono::{Duration, TimeZone, Utc};
use chrono_tz::America::Argentina::Buenos_Aires;
use rocket::http::Method;
use serde_json::json;
use sqlx::PgPool;

use crate::{near, World, SANTA_FE};

#[sqlx::test]
async fn an_open_request_tells_the_five_nearest_by_push_with_only_category_urgency_and_band(
    pool: PgPool,
) {
    let w = World::new(pool).await;
    let coordinator = w.app.coordinator().await;
    let mut near_ones = Vec::new();
    for i in 0..5 {
        let v = w
            .pushed_volunteer(&format!("near{i}"), near(40.0 * i as f64, 30.0))
            .await;
        near_ones.push(v.id);
    }
    for i in 0..2 {
        w.pushed_volunteer(&format!("far{i}"), near(4_000.0, 100.0 * i as f64))
            .await;
    }
    let id = w.open_request(&coordinator, SANTA_FE, "high").await;
    assert_eq!(w.told(&id).await, near_ones);
    w.deliver(Utc::now()).await;
    let got = w.push.wait_for(5).await;
    assert!(w.push.rejected.lock().unwrap().is_empty());
    let mut names: Vec<String> = got.iter().map(|r| r.endpoint_name.clone()).collect();
    names.sort();
    assert_eq!(names, ["near0", "near1", "near2", "near3", "near4"]);
    let public_key =
        antes::notify::web_push::VapidKeys::from_private(&w.config.notify.vapid_private_key)
            .unwrap()
            .public_base64url();
    for r in &got {
        assert_eq!(r.vapid_public_key, public_key);
        assert_eq!(r.urgency.as_deref(), Some("high"));
        let mut msg: serde_json::Value = serde_json::from_str(&r.plaintext).unwrap();
        // The tag is 32 hex digits of a hash (it tells messages apart); the rest is read.
        let tag = msg["tag"].take();
        assert!(
            tag.as_str()
                .is_some_and(|t| t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit())),
            "{tag}"
        );
        let text = msg.to_string();
        assert_eq!(msg["title"], "Pedido de ayuda cerca: Remedios");
        let body = msg["body"].as_str().unwrap();
        assert!(body.contains("Urgente") && body.contains("<1 km"), "{body}");
        assert_eq!(msg["url"], "/?screen=volunteer");
        // Nothing of the person, the address or the point; not even the request's id.
        for secret in [
            "Marta", "Gómez", "455", "Piso", "timbre", "insulina", "-31.6", "-60.7", &id,
        ] {
            assert!(!text.contains(secret), "`{secret}` in {text}");
        }
    }
}

#[sqlx::test]
async fn unclaimed_requests_go_to_the_next_five_each_round_then_to_the_coordinators(pool: PgPool) {
    let w = World::new(pool).await;
    let coordinator = w.app.coordinator().await;
    // The coordinator reads mail and has this phone too: both hear of an unclaimed request.
    w.subscribe(&coordinator, "coordination").await;
    w.settings(
        &coordinator,
        json!({"language": "es", "by_email": true, "by_push": true}),
    )
    .await;
    for i in 0..12 {
        w.pushed_volunteer(&format!("v{i}"), near(30.0 * i as f64, 0.0))
            .await;
    }
    let t0 = Utc::now();
    let id = w.open_request(&coordinator, SANTA_FE, "normal").await;
    let urgent = w.open_request(&coordinator, near(10.0, 10.0), "high").await;
    let claimed = w
        .open_request(&coordinator, near(20.0, 10.0), "normal")
        .await;
    let taker = w.app.volunteer_at(SANTA_FE, 5_000.0, 3).await;
    assert_eq!(w.app.claim(&taker, &claimed).await.status, 200);
    assert_eq!(w.told(&id).await.len(), 5);
    assert_eq!(w.told(&urgent).await.len(), 5);
    // Urgent requests move on after 10 minutes, the others after 30.
    w.deliver(t0 + Duration::minutes(11)).await;
    assert_eq!(w.told(&urgent).await.len(), 10);
    assert_eq!(w.told(&id).await.len(), 5);
    assert!(w.smtp.mails.lock().unwrap().is_empty());
    w.deliver(t0 + Duration::minutes(29)).await;
    assert_eq!(w.told(&id).await.len(), 5);
    w.deliver(t0 + Duration::minutes(31)).await;
    assert_eq!(w.told(&id).await.len(), 10);
    // Round 3 finds the two not told yet; nobody is told twice.
    w.deliver(t0 + Duration::minutes(62)).await;
    assert_eq!(w.told(&id).await.len(), 12);
    assert_eq!(
        w.told(&claimed).await.len(),
        5,
        "a claimed request stops its rounds"
    );
    let per_account: i64 = sqlx::query_scalar(
        "SELECT max(n) FROM (SELECT count(*) AS n FROM notifications \
         WHERE request_id = $1::uuid AND kind = 'request' GROUP BY account_id) c",
    )
    .bind(&id)
    .fetch_one(&w.app.pool)
    .await
    .unwrap();
    assert_eq!(per_account, 1);
    // The urgent one had its three rounds by 10-minute steps: its coordinators know already.
    assert_eq!(w.smtp.mails.lock().unwrap().len(), 1);
    // Three rounds passed: the coordinators hear of it, once.
    w.deliver(t0 + Duration::minutes(93)).await;
    w.deliver(t0 + Duration::minutes(300)).await;
    let mails = w.smtp.mails.lock().unwrap().clone();
    let unclaimed: Vec<_> = mails
        .iter()
        .filter(|m| {
            m.decoded_header("Subject")
                .unwrap_or_default()
                .contains("Nadie tomó")
        })
        .collect();
    // The urgent one escalated too (10-minute rounds); the claimed one never.
    assert_eq!(unclaimed.len(), 2, "{mails:#?}");
    assert!(unclaimed
        .iter()
        .all(|m| m.to == ["coordinator0@example.org"]));
    assert!(
        unclaimed[0].body().contains("3 rondas"),
        "{}",
        unclaimed[0].body()
    );
    let pushed: Vec<String> = w
        .push
        .received
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.endpoint_name == "coordination")
        .map(|r| r.plaintext.clone())
        .collect();
    assert_eq!(pushed.len(), 2, "{pushed:?}");
    assert!(
        pushed[0].contains("Nadie tomó un pedido: Remedios"),
        "{pushed:?}"
    );
}

#[sqlx::test]
async fn fifty_requests_over_twenty_volunteers_spread_the_notifications_evenly(pool: PgPool) {
    let w = World::new(pool).await;
    let coordinator = w.app.coordinator().await;
    let mut ids = Vec::new();
    for i in 0..20 {
        let v = w
            .pushed_volunteer(
                &format!("v{i}"),
                near(15.0 * (i % 5) as f64, 15.0 * (i / 5) as f64),
            )
            .await;
        ids.push(v.id);
    }
    for i in 0..50 {
        w.open_request(&coordinator, near(5.0 * (i % 7) as f64, 0.0), "normal")
            .await;
    }
    let counts: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(
        "SELECT account_id, count(*) FROM notifications WHERE kind = 'request' GROUP BY 1",
    )
    .fetch_all(&w.app.pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let total: i64 = counts.values().sum();
    assert_eq!(total, 50 * 5);
    let mean = total as f64 / 20.0;
    let most = *counts.values().max().unwrap();
    let least = ids
        .iter()
        .map(|id| counts.get(id).copied().unwrap_or(0))
        .min()
        .unwrap();
    eprintln!("notifications per volunteer: least {least}, mean {mean}, most {most}");
    assert!(
        most as f64 <= 2.0 * mean,
        "most {most}, mean {mean}: {counts:?}"
    );
    assert!(least >= 1, "someone was never asked: {counts:?}");
}

#[sqlx::test]
async fn quiet_hours_keep_a_volunteer_out_of_night_rounds_and_hold_their_mail_until_morning(
    pool: PgPool,
) {
    let w = World::with(pool, |c| c.notify.rounds_before_coordinators = 10).await;
    let coordinator = w.app.coordinator().await;
    for i in 0..5 {
        w.pushed_volunteer(&format!("day{i}"), near(10.0 * i as f64, 0.0))
            .await;
    }
    let sleeper = w.pushed_volunteer("sleeper", near(200.0, 0.0)).await;
    w.settings(
        &sleeper,
        json!({"language": "es", "by_push": true, "quiet_hours": {"from": "22:00", "to": "07:00"}}),
    )
    .await;
    let id = w.open_request(&coordinator, SANTA_FE, "normal").await;
    // The five nearest were told at once; the sleeper is the only one left.
    assert!(!w.told(&id).await.contains(&sleeper.id));
    let tomorrow = (Utc::now() + Duration::days(1))
        .with_timezone(&Buenos_Aires)
        .date_naive();
    let local = |h, m| {
        Buenos_Aires
            .from_local_datetime(&tomorrow.and_hms_opt(h, m, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    w.deliver(local(23, 30)).await;
    assert!(!w.told(&id).await.contains(&sleeper.id), "woken at 23:30");
    w.deliver(local(7, 30) + Duration::days(1)).await;
    assert!(
        w.told(&id).await.contains(&sleeper.id),
        "not told in the morning"
    );

    // A kitchen's lack of supplies, queued in the evening, waits for the morning.
    let organizer = w.app.organizer(true).await;
    let kitchen = crate::kitchens::kitchen(&w, &organizer).await;
    let follow = w
        .app
        .call(
            Some(&sleeper),
            Method::Put,
            &format!("/api/places/{kitchen}/follow"),
            None,
        )
        .await;
    assert_eq!(follow.status, 200);
    crate::kitchens::post_supplies(&w, &organizer, kitchen).await;
    let before = w.push.received.lock().unwrap().len();
    let night = local(23, 45) + Duration::days(2);
    w.deliver(night).await;
    w.deliver(night + Duration::hours(7)).await;
    assert_eq!(
        w.push.received.lock().unwrap().len(),
        before,
        "sent at night"
    );
    w.deliver(night + Duration::hours(7) + Duration::minutes(20))
        .await;
    let got = w.push.wait_for(before + 1).await;
    assert_eq!(got.last().unwrap().endpoint_name, "sleeper");
}

#[sqlx::test]
async fn two_requests_in_one_public_cell_give_the_same_message_wherever_they_are_in_it(
    pool: PgPool,
) {
    use antes::domain::cells::{Cell, PUBLIC_RES};
    use antes::domain::geo::LatLon;
    let w = World::new(pool).await;
    let coordinator = w.app.coordinator().await;
    w.pushed_volunteer("watcher", near(900.0, 0.0)).await;
    // Two points of one resolution-8 cell, as far apart as the cell allows along a line.
    let cell = |p: (f64, f64)| Cell::at(LatLon::new(p.0, p.1).unwrap(), PUBLIC_RES);
    let home = cell(SANTA_FE);
    let spots: Vec<(f64, f64)> = (-12..=12)
        .map(|i| near(0.0, 40.0 * f64::from(i)))
        .filter(|p| cell(*p) == home)
        .collect();
    let (a, b) = (spots[0], *spots.last().unwrap());
    assert!(
        (a.1 - b.1).abs() > 0.002,
        "the spots are too close: {spots:?}"
    );
    w.open_request(&coordinator, a, "normal").await;
    w.open_request(&coordinator, b, "normal").await;
    w.deliver(Utc::now()).await;
    let got = w.push.wait_for(2).await;
    let text = |i: usize| {
        let mut m: serde_json::Value = serde_json::from_str(&got[i].plaintext).unwrap();
        // The tag tells one message from another (a hash of its key), never where.
        let tag = m["tag"].take();
        assert_eq!(tag.as_str().map(str::len), Some(32));
        m
    };
    assert_eq!(text(0), text(1));
    assert_ne!(got[0].plaintext, got[1].plaintext);
}

#[sqlx::test]
async fn rounds_left_when_every_channel_is_turned_off_end_rather_than_spin(pool: PgPool) {
    let w = World::new(pool.clone()).await;
    let coordinator = w.app.coordinator().await;
    w.pushed_volunteer("v", SANTA_FE).await;
    w.open_request(&coordinator, SANTA_FE, "normal").await;
    let waiting = "SELECT count(*) FROM notification_rounds";
    let rounds: i64 = sqlx::query_scalar(waiting).fetch_one(&pool).await.unwrap();
    assert_eq!(rounds, 1);
    // The deployment turns every channel off; the next pass ends the round and returns.
    let mut off = w.config.clone();
    off.notify = antes::notify::settings::NotifySettings {
        sender: false,
        ..Default::default()
    };
    let sender = antes::notify::sender::Sender::new(pool.clone(), off).unwrap();
    let pass = sender.pass(Utc::now() + Duration::minutes(31));
    tokio::time::timeout(std::time::Duration::from_secs(10), pass)
        .await
        .expect("the pass ended")
        .unwrap();
    let rounds: i64 = sqlx::query_scalar(waiting).fetch_one(&pool).await.unwrap();
    assert_eq!(rounds, 0);
}
