//! Every main screen of every role at 320, 360 and 412 px: nothing spills, no word breaks,
//! dates read as in Argentina; at 360 px each also matches its reference screenshot.

use sqlx::PgPool;

use crate::checks::{broken_words, misdated, overflowing, stray_text, unlike_reference};
use crate::common::{serve, test_config, Browser};
use crate::scene::{build, sign_in, Scene};

struct Walk<'a> {
    b: &'a Browser,
    width: u32,
    problems: Vec<String>,
}

impl Walk<'_> {
    /// Waits for `ready` and an idle map, then checks the screen as a person sees it.
    async fn check(&mut self, name: &str, ready: &str) {
        self.b.wait_for(ready, name).await;
        self.b.wait_for_map().await;
        let at = format!("{} px, {name}", self.width);
        let found = [
            overflowing(self.b).await,
            broken_words(self.b).await,
            misdated(self.b).await,
            stray_text(self.b).await,
        ];
        self.problems
            .extend(found.into_iter().flatten().map(|p| format!("{at}: {p}")));
        if self.width == 360 {
            // Accessibility as in tests/browser.rs, on the screens that test does not reach.
            let a11y = [self.b.axe_serious().await, self.b.small_targets().await];
            self.problems
                .extend(a11y.into_iter().flatten().map(|p| format!("{at}: {p}")));
            self.problems.extend(unlike_reference(self.b, name).await);
        }
    }

    async fn scroll_to(&self, css: &str) {
        self.b
            .eval(&format!(
                "(document.querySelector('{css}').scrollIntoView({{block: 'start'}}), true)"
            ))
            .await;
    }
}

async fn walk(b: &Browser, base: &str, s: &Scene, width: u32) -> Vec<String> {
    let mut w = Walk {
        b,
        width,
        problems: Vec::new(),
    };
    // A neighbour, not signed in: places, the menu, the list alone, a kitchen, asking for help.
    sign_in(b, base, None).await;
    w.check(
        "nearby",
        "document.querySelectorAll('#place-list li').length >= 4",
    )
    .await;
    b.click("#nav-more").await;
    w.check(
        "more-menu",
        "document.getElementById('tabs').classList.contains('open')",
    )
    .await;
    b.click("#nav-more").await;
    b.click(".view-switch [data-view=list]").await;
    w.check("nearby-list", "document.body.dataset.view === 'list'")
        .await;
    b.click(".view-switch [data-view=both]").await;
    // The map comes back at its size, and the list of places in view is drawn again.
    b.wait_for_map().await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    b.click(&format!(
        "#place-list li[data-place-id='{}'] button",
        s.kitchen
    ))
    .await;
    // The card opens under its own row, not after the whole list.
    w.check(
        "kitchen-card",
        &format!(
            "document.querySelector(\"#place-list li[data-place-id='{}'] > #place-detail\") && document.querySelectorAll('#place-extra .need-list li').length === 2",
            s.kitchen
        ),
    )
    .await;
    b.go("request").await;
    w.check("request-form", "document.getElementById('req-form')")
        .await;

    // The person who asked, through the private link.
    b.client
        .goto(&format!(
            "{base}/?request={}#token={}",
            s.pending.id, s.pending.manage_token
        ))
        .await
        .unwrap();
    w.check(
        "request-status",
        "document.getElementById('req-status-text')?.dataset.status === 'pending_review'",
    )
    .await;

    // The volunteer: the task taken, the tasks near, the shifts.
    sign_in(b, base, Some(&s.volunteer)).await;
    b.go("volunteer").await;
    let volunteer_ready =
        "document.querySelector('#vol-assignments .geo-link') && document.querySelector('#vol-tasks li')";
    w.check("volunteer", volunteer_ready).await;
    w.scroll_to("#vol-tasks-card").await;
    w.check("volunteer-tasks", volunteer_ready).await;
    b.go("shifts").await;
    w.check("shifts", "document.getElementById('my-shifts-empty')")
        .await;

    // The coordinator: the desk, details in place, the history, an account's activity.
    sign_in(b, base, Some(&s.coordinator)).await;
    b.go("coordination").await;
    w.check(
        "coordination",
        "document.querySelector('#coord-queue li') && document.querySelectorAll('#history-list li').length === 2",
    )
    .await;
    b.click(&format!(
        "#coord-open li[data-request-id='{}'] .details",
        s.open.id
    ))
    .await;
    w.check(
        "coordination-detail",
        "document.querySelectorAll('#coord-detail .request-log li').length >= 2",
    )
    .await;
    w.scroll_to("#coord-history").await;
    w.check(
        "coordination-history",
        "document.querySelector('#history-list li')",
    )
    .await;
    b.click(&format!(
        "#coord-accounts li[data-account-id='{}'] .activity",
        s.waiting.id
    ))
    .await;
    w.check(
        "coordination-accounts",
        "document.querySelector('.account-activity')",
    )
    .await;
    // A one-time password link for a volunteer: one long token, which must not break.
    b.click(&format!(
        "#coord-standing li[data-account-id='{}'] .reset",
        s.volunteer.id
    ))
    .await;
    w.scroll_to("#coord-standing .reset-out").await;
    w.check(
        "coordination-reset-link",
        "document.querySelector('#coord-standing .reset-link')?.value.includes('/?reset#token=')",
    )
    .await;

    // The organizer: the kitchen's needs.
    sign_in(b, base, Some(&s.organizer)).await;
    b.go("organizer").await;
    w.check(
        "organizer",
        "document.querySelectorAll('#organizer-needs li[data-need-id]').length === 2",
    )
    .await;
    w.problems
}

#[sqlx::test]
async fn every_screen_fits_320_360_and_412_px_reads_in_es_ar_and_matches_its_reference(
    pool: PgPool,
) {
    let scene = build(pool.clone()).await;
    let base = serve(pool, test_config()).await;
    let mut problems = Vec::new();
    for width in [320, 360, 412] {
        let b = Browser::start(&format!("phone-{width}"), width, 740).await;
        problems.extend(walk(&b, &base, &scene, width).await);
        b.finish(&base).await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checks above can fail: each catches its own kind of fault on a real page.
#[sqlx::test]
async fn the_checks_catch_a_broken_number_a_spilled_label_and_a_us_date(pool: PgPool) {
    let base = serve(pool, test_config()).await;
    let b = Browser::start("phone-probes", 360, 740).await;
    b.client.goto(&base).await.unwrap();
    b.wait_for_map().await;
    assert!(overflowing(&b).await.is_empty());
    assert!(broken_words(&b).await.is_empty());
    assert!(misdated(&b).await.is_empty());
    b.eval(
        "(() => { const panel = document.getElementById('screen-nearby');
           panel.insertAdjacentHTML('afterbegin',
             '<p id=\"probe-number\" style=\"width: 70px\">Llamar +54 342 455-9876</p>' +
             '<p id=\"probe-spill\" style=\"width: 40px; white-space: nowrap; overflow: hidden\">Coordinación</p>' +
             '<p><time id=\"probe-date\" datetime=\"2026-12-05T09:31:00Z\" data-style=\"date\" title=\"5/12/2026 06:31\">12/5/2026, 6:31 AM</time></p>');
           return true; })()",
    )
    .await;
    let broken = broken_words(&b).await;
    assert!(
        broken
            .iter()
            .any(|p| p.contains("455-9876") && p.contains("#probe-number")),
        "{broken:?}"
    );
    let spilled = overflowing(&b).await;
    assert!(
        spilled.iter().any(|p| p.contains("#probe-spill")),
        "{spilled:?}"
    );
    let dates = misdated(&b).await;
    assert!(
        dates.iter().any(|p| p.contains("12/5/2026, 6:31 AM")),
        "{dates:?}"
    );
    assert!(
        dates.iter().any(|p| p.contains("not in es-AR style")),
        "{dates:?}"
    );
    b.finish(&base).await;
}
