//! The manage token kept out of URLs (finding 7).

use crate::prelude::*;

#[sqlx::test]
async fn a_manage_token_in_the_url_is_refused_and_opens_nothing(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let posted = app.ask(None, SANTA_FE, "meal", "enlace").await;
    let id = &posted.id;
    // The old link was /?request=ID&token=TOKEN, so the token sat in the address bar, the
    // history, and every proxy's access log; the API read it from the query string.
    for (method, uri) in [
        (
            Get,
            format!("/api/requests/{id}?token={}", posted.manage_token),
        ),
        (
            Post,
            format!("/api/requests/{id}/cancel?token={}", posted.manage_token),
        ),
    ] {
        let r = app.call(None, method, &uri, None).await;
        assert_eq!(r.code(), (400, Some("token_in_url")), "{uri}");
    }
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM request_events WHERE request_id = $1::uuid ORDER BY id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(events, ["created"]);
    assert_eq!(app.view(None, id).await.body["status"], "pending_review");
    // In a header it works, as the page sends it from the link's #token= fragment.
    let full = app
        .send(
            None,
            Some(&posted.manage_token),
            Get,
            &format!("/api/requests/{id}"),
            None,
        )
        .await;
    assert_eq!(full.body["view"], "full");
}
