//! Pull pages held at once are bounded (ADR 0021): sixteen phones of one
//! organisation pull a full 500-row page each at the same moment on a real
//! loopback server, every one gets all of it, and the server never held more
//! than `PAGES_AT_ONCE` pages — shaped, written and serialised — at a time.
//! Without the bound the blocking pool lets them pile up behind the writer.

mod common;

use common::*;
use nightround_core::domain::{RecordKind, Role};
use nightround_server::api::pull::{MOST_PAGES_HELD, PAGES_AT_ONCE};
use std::sync::atomic::Ordering;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pulls_hold_at_most_the_bounded_pages() {
    let t = Arc::new(TestServer::start().await);
    let author = t
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let now = t.now();
    for _ in 0..3 {
        let batch = (0..200)
            .map(|_| {
                change(
                    RecordKind::Contact,
                    &author.version_at(now),
                    contact(
                        &author.identity,
                        None,
                        contact_kind_for(Role::OutreachWorker),
                        now,
                    ),
                )
            })
            .collect();
        t.push_ok(&author, batch).await;
    }
    let mut phones = Vec::new();
    for _ in 0..16 {
        phones.push(t.colleague(&author).await);
    }
    let pulls: Vec<_> = phones
        .into_iter()
        .map(|phone| {
            let t = t.clone();
            tokio::spawn(async move { t.pull_page(&phone, 0, 500, u32::MAX).await })
        })
        .collect();
    let mut cursors = Vec::new();
    for p in pulls {
        let page = p.await.unwrap();
        assert_eq!(page.changes.len(), 500);
        assert!(page.more);
        cursors.push(page.next_cursor);
    }
    cursors.dedup();
    assert_eq!(cursors.len(), 1, "every phone stopped at the same place");
    let most = MOST_PAGES_HELD.load(Ordering::SeqCst);
    assert!(most >= 1);
    assert!(
        most <= PAGES_AT_ONCE,
        "{most} pages held at once; the bound is {PAGES_AT_ONCE}"
    );
}
