//! Backup, restore and the move from SQLite to PostgreSQL, through the
//! real server: phones sync on afterwards with nothing lost and nothing
//! doubled, sequence numbers and devices as they were, and the audit chain
//! still verifying to the same head.

mod common;

use common::*;
use nightround_core::domain::{ContactKind, RecordKind, Role};
use nightround_core::sync::protocol::{AckStatus, Change, PulledChange};
use nightround_server::store::open::{open_backend, Backend};
use nightround_server::store::postgres::testing;
use nightround_server::{maintenance, ServerConfig};
use std::sync::Arc;

/// What a phone has pushed: people and contacts, and one deletion.
async fn some_work(s: &TestServer, dev: &TestDevice) -> Vec<Change> {
    let now = s.now();
    let mut changes = Vec::new();
    for alias in ["Jade", "Roxy", "Kim"] {
        let p = person(&dev.identity, alias, now);
        let c = contact(
            &dev.identity,
            Some(id_of(&p)),
            ContactKind::OutreachConversation,
            now,
        );
        changes.push(change(RecordKind::Person, &dev.version_at(now), p));
        changes.push(change(RecordKind::Contact, &dev.version_at(now), c));
    }
    let gone = changes[3].id;
    changes.push(tombstone(RecordKind::Contact, gone, &dev.version_at(now)));
    s.push_ok(dev, changes.clone()).await;
    changes
}

fn store_of(config: &ServerConfig, now: nightround_core::Timestamp) -> Arc<dyn Backend> {
    let paths = config.paths();
    let keys = nightround_server::keys::load_or_create(&paths).unwrap();
    open_backend(
        config.database.as_deref(),
        &paths.database(),
        keys.records,
        now,
    )
    .unwrap()
}

/// Pulls everything; the same phone must see the same after the move. (A
/// phone is not sent its own pushes back: protocol v2, ADR 0009.)
async fn seen(s: &TestServer, dev: &TestDevice) -> Vec<PulledChange> {
    s.pull_all(dev).await
}

/// Copies the key file (kept apart from database backups) into `to`.
fn copy_keys(from: &std::path::Path, to: &std::path::Path) {
    let (a, b) = (
        nightround_server::DataPaths::new(from),
        nightround_server::DataPaths::new(to),
    );
    std::fs::create_dir_all(b.keys_dir()).unwrap();
    std::fs::copy(a.records_key(), b.records_key()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restored_into_a_fresh_data_directory_lets_phones_sync_on() {
    let s = TestServer::start().await;
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let ali = s
        .device("Aspirations", "Ali", Role::OutreachWorker, None)
        .await;
    let pushed = some_work(&s, &sam).await;
    let before = seen(&s, &ali).await;
    assert!(!before.is_empty(), "a colleague sees Sam's work");
    // Every table of the schema in use: delivery pages (Ali's pull), a profile
    // link, a legal hold, the agreement, the audit chain.
    s.admin().link_profiles(pushed[0].id, pushed[2].id).unwrap();
    s.admin()
        .set_legal_hold(pushed[4].id, true, "admin")
        .unwrap();
    let live_store = store_of(&config(s.dir.path(), &s.clock), s.now());
    let agreement = nightround_core::domain::agreement::SharingAgreement::southend_example();
    live_store.set_agreement(&agreement).unwrap();
    let chain = live_store.verify_audit().unwrap();
    drop(live_store);
    let everything = s.dump(false);
    for table in [
        "delivery_pages",
        "profile_links",
        "legal_holds",
        "audit_log",
    ] {
        let prefix = format!("{table}: ");
        assert!(
            everything.iter().any(|row| row.starts_with(&prefix)),
            "{table}"
        );
    }
    let backup_dir = tempfile::tempdir().unwrap();
    let file = backup_dir.path().join("nightround.backup");
    // Online: the server keeps serving while it is taken.
    maintenance::backup(&config(s.dir.path(), &s.clock), &file).unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() > 0);

    // A restore without the key file is refused: a backup never holds it.
    let fresh = tempfile::tempdir().unwrap();
    let fresh_config = config(fresh.path(), &s.clock);
    assert!(maintenance::restore(&fresh_config, &file).is_err());
    copy_keys(s.dir.path(), fresh.path());
    maintenance::restore(&fresh_config, &file).unwrap();
    let TestServer {
        server,
        dir: _old_dir,
        clock,
        http,
    } = s;
    server.shutdown().await.unwrap();
    let restored = TestServer {
        server: nightround_server::start(config(fresh.path(), &clock))
            .await
            .unwrap(),
        dir: fresh,
        clock,
        http,
    };
    // Every row of every table came back as it was...
    assert_eq!(restored.dump(false), everything);
    let restored_store = store_of(
        &config(restored.dir.path(), &restored.clock),
        restored.now(),
    );
    assert_eq!(restored_store.verify_audit().unwrap(), chain);
    drop(restored_store);
    // ...the same phone, with the same token, sees exactly what it saw...
    assert_eq!(seen(&restored, &ali).await, before);
    // ...its replayed changes are duplicates, not new records...
    for ack in restored.push(&sam, pushed).await {
        assert_eq!(ack.status, AckStatus::Duplicate, "{ack:?}");
    }
    // ...and new work carries on after the restored sequence numbers.
    let last = before.last().unwrap().seq;
    let p = person(&sam.identity, "Lou", restored.now());
    restored
        .push_ok(
            &sam,
            vec![change(
                RecordKind::Person,
                &sam.version_at(restored.now()),
                p,
            )],
        )
        .await;
    let after = seen(&restored, &ali).await;
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.last().unwrap().seq > last);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_copied_to_postgres_keeps_records_sequence_numbers_devices_and_the_audit_chain() {
    let Ok(cluster) = std::env::var("NIGHTROUND_TEST_PG") else {
        eprintln!(
            "\n*** SKIPPED: NIGHTROUND_TEST_PG is not set, so the SQLite-to-PostgreSQL copy \
             was not tested (bash scripts/pg.sh -- cargo test -p nightround-server --test backup) ***\n"
        );
        return;
    };
    // A SQLite deployment, whatever backend the other tests run on.
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(nightround_core::clock::ManualClock::new(start_time()));
    let lite_config = config(dir.path(), &clock).with_database(None);
    let s = TestServer {
        server: nightround_server::start(lite_config.clone()).await.unwrap(),
        dir,
        clock,
        http: reqwest::Client::new(),
    };
    let sam = s
        .device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let ali = s.colleague(&sam).await;
    let dee = s
        .device("Open Road", "Dee", Role::OutreachWorker, None)
        .await;
    let rae = s.colleague(&dee).await;
    let pushed = some_work(&s, &sam).await;
    let dees = some_work(&s, &dee).await;
    // Every table of the schema in use: delivery pages (the colleagues' pulls),
    // a profile link, a legal hold, the agreement and directory origin.
    let before_ali = seen(&s, &ali).await;
    let before_rae = seen(&s, &rae).await;
    assert!(!before_ali.is_empty() && !before_rae.is_empty());
    s.admin().link_profiles(pushed[0].id, dees[0].id).unwrap();
    s.admin()
        .set_legal_hold(pushed[2].id, true, "admin")
        .unwrap();
    let devices = s.admin().devices().unwrap();
    let lite_store = store_of(&lite_config, s.now());
    let agreement = nightround_core::domain::agreement::SharingAgreement::southend_example();
    lite_store.set_agreement(&agreement).unwrap();
    lite_store
        .set_directory_origin(nightround_server::store::partnership::DirectoryOrigin::Own)
        .unwrap();
    let chain = lite_store.verify_audit().unwrap();
    drop(lite_store);
    assert!(chain.entries > 10 && chain.first_broken.is_none());

    let TestServer {
        server,
        dir,
        clock,
        http,
    } = s;
    server.shutdown().await.unwrap();
    let lite_db = lite_config.paths().database();
    let url = testing::create_database(&cluster).unwrap();
    let report = maintenance::copy_to_postgres(&lite_config, &url).unwrap();
    let copied = |t: &str| report.tables.iter().find(|(n, _)| n == t).unwrap().1;
    assert_eq!(copied("devices"), 4);
    assert_eq!(copied("applied_versions"), 14);
    assert_eq!(copied("profile_links"), 1);
    assert_eq!(copied("legal_holds"), 1);
    assert!(
        copied("delivery_pages") >= 2,
        "{}",
        copied("delivery_pages")
    );
    assert!(copied("record_seqs") >= 10, "{}", copied("record_seqs"));
    assert_eq!(copied("audit_log"), chain.entries);
    assert_eq!(report.audit, chain, "checked by the copy itself");
    // Every table SQLite has was copied, row for row, value for value.
    let lite_tables = testing::sql_either(
        None,
        &lite_db,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
         AND name != 'server_meta' ORDER BY name",
    )
    .unwrap();
    assert_eq!(lite_tables.len(), report.tables.len());
    for sql in [
        "SELECT device_id, first_seq, last_seq, organisation_runs, own_runs, at
         FROM delivery_pages ORDER BY device_id, first_seq, at",
        "SELECT seq, id, version FROM record_seqs ORDER BY seq",
        "SELECT id, person_a, person_b, linked_by, linked_at, unlinked_by, unlinked_at
         FROM profile_links ORDER BY id",
        "SELECT person_id, placed_at FROM legal_holds ORDER BY person_id",
        "SELECT id, version, seq, organisation_id, person_id FROM records ORDER BY seq",
        "SELECT seq, at, actor, action, subject, detail FROM audit_log ORDER BY seq",
    ] {
        let on_pg = testing::sql_either(Some(&url), &lite_db, sql).unwrap();
        assert!(!on_pg.is_empty(), "{sql}");
        assert_eq!(
            on_pg,
            testing::sql_either(None, &lite_db, sql).unwrap(),
            "{sql}"
        );
    }
    // A second copy into the same database is refused, not merged.
    assert!(maintenance::copy_to_postgres(&lite_config, &url).is_err());

    let pg_config = lite_config.clone().with_database(Some(url));
    // Before any phone pulls (each pull is audited), the chain recomputed
    // on PostgreSQL ends at SQLite's head.
    let pg_store = store_of(
        &pg_config,
        nightround_core::clock::Clock::now(clock.as_ref()),
    );
    assert_eq!(
        pg_store.agreement().unwrap(),
        Some(agreement),
        "settings copied"
    );
    assert_eq!(
        pg_store.directory_origin().unwrap(),
        nightround_server::store::partnership::DirectoryOrigin::Own
    );
    let pg_chain = pg_store.verify_audit().unwrap();
    assert_eq!(pg_chain.first_broken, None);
    assert_eq!(
        pg_chain.head, chain.head,
        "the chain verifies to the same head"
    );
    assert_eq!(pg_chain.entries, chain.entries);

    drop(pg_store);
    let s = TestServer {
        server: nightround_server::start(pg_config.clone()).await.unwrap(),
        dir,
        clock,
        http,
    };
    // The same phones see the same records with the same sequence numbers.
    assert_eq!(seen(&s, &ali).await, before_ali, "same records, same seqs");
    assert_eq!(seen(&s, &rae).await, before_rae);
    let mut after_devices = s.admin().devices().unwrap();
    // Pulling just now marked them synced.
    for d in &mut after_devices {
        let was = devices.iter().find(|x| x.device_id == d.device_id).unwrap();
        d.last_sync_at = was.last_sync_at;
    }
    assert_eq!(after_devices, devices);
    assert_eq!(s.admin().legal_holds().unwrap(), vec![pushed[2].id]);
    assert_eq!(s.admin().profile_links(pushed[0].id).unwrap().len(), 1);
    for ack in s.push(&sam, pushed).await {
        assert_eq!(ack.status, AckStatus::Duplicate);
    }
    let last = before_ali
        .iter()
        .chain(&before_rae)
        .map(|p| p.seq)
        .max()
        .unwrap();
    let p = person(&sam.identity, "Lou", s.now());
    s.push_ok(
        &sam,
        vec![change(RecordKind::Person, &sam.version_at(s.now()), p)],
    )
    .await;
    // Sam is not sent her own push back (protocol v2); her colleague is.
    let newest = seen(&s, &ali).await.last().unwrap().seq;
    assert_eq!(
        newest,
        last + 1,
        "numbering carries on where SQLite stopped"
    );
    // And the new change is chained after the copied log.
    let grown = store_of(&pg_config, s.now()).verify_audit().unwrap();
    assert_eq!(grown.first_broken, None);
    assert!(grown.entries > chain.entries);
}

/// A backup is readable by its owner only, like the data directory.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let s = TestServer::start().await;
    s.device("Aspirations", "Sam", Role::OutreachWorker, None)
        .await;
    let backup_dir = tempfile::tempdir().unwrap();
    let file = backup_dir.path().join("nightround.backup");
    maintenance::backup(&config(s.dir.path(), &s.clock), &file).unwrap();
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
}
