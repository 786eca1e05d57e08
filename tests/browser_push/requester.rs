//! The requester's side: the manage page follows the request as it changes.

use crate::*;

#[sqlx::test]
async fn the_manage_page_follows_the_request_as_a_volunteer_takes_it(pool: PgPool) {
    let app = common::app::TestApp::new(pool.clone()).await;
    let base = serve(pool.clone(), test_config()).await;
    let coordinator = app.coordinator().await;
    let spot = (-31.6333, -60.7);
    let posted = app
        .ask(Some(&coordinator), spot, "groceries", "seguida")
        .await;
    let b = Browser::start("manage-follows", 1024, 800).await;
    b.client
        .goto(&format!(
            "{base}/?request={}#token={}",
            posted.id, posted.manage_token
        ))
        .await
        .unwrap();
    b.wait_for(
        "document.getElementById('req-status-text')?.dataset.status === 'open'",
        "the open request",
    )
    .await;
    let volunteer = app.volunteer_at(spot, 3_000.0, 3).await;
    assert_eq!(app.claim(&volunteer, &posted.id).await.status, 200);
    // Coming back to the page (or the half-minute timer) reads the status again.
    b.eval("(document.dispatchEvent(new Event('visibilitychange')), true)")
        .await;
    b.wait_for(
        "document.getElementById('req-status-text')?.dataset.status === 'assigned'",
        "the status to follow the claim",
    )
    .await;
    let shown = b.text("#req-status-view").await;
    assert!(shown.contains("volunteer"), "{shown}");
    b.finish(&base).await;
}
