use std::sync::Arc;
use std::time::Duration;

use ringer_proto::{CallRecord, Direction, InvitationId, Outcome};
use ringer_store::{DB_FILE_NAME, Store, StoreError, StoreOptions};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::{T0, db_path, device, pw, reopen, store, uid};

fn open_raw(path: &std::path::Path) -> Connection {
    Connection::open(path).expect("open raw sqlite")
}

#[test]
fn store_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Store>();
}

#[test]
fn open_creates_a_private_directory_and_file_in_wal_mode() -> Result<(), StoreError> {
    let parent = tempfile::tempdir().expect("temp dir");
    let data_dir = parent.path().join("nested").join("data");
    let store = Store::open_with(&data_dir, StoreOptions::insecure_for_tests())?;
    let file = data_dir.join(DB_FILE_NAME);
    assert_eq!(store.path(), file);
    assert!(file.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| {
            std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
        };
        assert_eq!(mode(&data_dir), 0o700);
        assert_eq!(mode(&file), 0o600);
    }
    let raw = open_raw(&file);
    let journal: String = raw
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("journal mode");
    assert_eq!(journal, "wal");
    let version: i64 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version");
    assert_eq!(version, 2);
    let app_id: i64 = raw
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .expect("application_id");
    assert_eq!(app_id, 0x524e_4752, "\"RNGR\"");
    Ok(())
}

#[test]
fn reopening_keeps_everything() -> Result<(), StoreError> {
    let (dir, store) = store();
    store.add_user(&uid("alice"), None, &pw("a"))?;
    let (tok, _) =
        store.create_session(&uid("alice"), &device("d"), T0, Duration::from_secs(60))?;
    drop(store);
    let store = reopen(&dir);
    assert_eq!(store.list_users()?.len(), 1);
    assert!(store.verify_login(&uid("alice"), &pw("a"), T0).is_ok());
    assert!(store.authenticate_token(&uid("alice"), &tok, T0).is_ok());
    Ok(())
}

#[test]
fn only_hashes_of_passwords_and_tokens_are_stored() -> Result<(), StoreError> {
    let (dir, store) = store();
    let password = "correct-horse-battery-staple";
    store.add_user(&uid("alice"), None, &pw(password))?;
    store.set_password(&uid("alice"), &pw(password))?;
    let (tok, _) =
        store.create_session(&uid("alice"), &device("d"), T0, Duration::from_secs(60))?;
    drop(store);

    let raw = open_raw(&db_path(&dir));
    let tables: Vec<String> = raw
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("list tables");
    assert!(tables.contains(&"sessions".to_owned()));
    let mut cells = 0;
    for table in &tables {
        let mut stmt = raw
            .prepare(&format!("SELECT * FROM \"{table}\""))
            .expect("select");
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).expect("query");
        while let Some(row) = rows.next().expect("row") {
            for i in 0..columns {
                let bytes: Vec<u8> = match row.get_ref(i).expect("cell") {
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        t.to_vec()
                    }
                    rusqlite::types::ValueRef::Null
                    | rusqlite::types::ValueRef::Integer(_)
                    | rusqlite::types::ValueRef::Real(_) => continue,
                };
                cells += 1;
                let text = String::from_utf8_lossy(&bytes);
                assert!(!text.contains(password), "{table}.{i} holds the password");
                assert!(!text.contains(tok.as_str()), "{table}.{i} holds the token");
                let raw_token = hex::decode(tok.as_str()).expect("hex token");
                assert!(
                    !bytes.windows(raw_token.len()).any(|w| w == raw_token),
                    "{table}.{i} holds the token's bytes"
                );
            }
        }
    }
    assert!(cells > 0);
    let stored_hash: Vec<u8> = raw
        .query_row("SELECT token_hash FROM sessions", [], |r| r.get(0))
        .expect("token hash");
    assert_eq!(stored_hash, Sha256::digest(tok.as_bytes()).to_vec());
    // The whole file too, WAL included, in case of a stray copy outside any table.
    for suffix in ["", "-wal"] {
        let path = dir.path().join(format!("{DB_FILE_NAME}{suffix}"));
        if let Ok(bytes) = std::fs::read(&path) {
            assert!(
                !bytes
                    .windows(password.len())
                    .any(|w| w == password.as_bytes())
            );
            assert!(!bytes.windows(tok.len()).any(|w| w == tok.as_bytes()));
        }
    }
    Ok(())
}

#[test]
fn two_stores_on_one_file_see_each_others_changes() -> Result<(), StoreError> {
    let (dir, server) = store();
    let admin = reopen(&dir);
    let before = server.data_version()?;
    server.add_user(&uid("bob"), None, &pw("b"))?;
    assert_eq!(server.data_version()?, before, "own writes do not count");

    admin.add_user(&uid("alice"), None, &pw("a"))?;
    let after_add = server.data_version()?;
    assert_ne!(after_add, before);
    assert_eq!(server.load_accounts()?.len(), 2);
    assert!(server.verify_login(&uid("alice"), &pw("a"), T0).is_ok());

    let (tok, _) =
        server.create_session(&uid("alice"), &device("d"), T0, Duration::from_secs(60))?;
    admin.disable_user(&uid("alice"))?;
    assert_ne!(server.data_version()?, after_add);
    let alice = server
        .load_accounts()?
        .into_iter()
        .find(|a| a.uid.as_str() == "alice")
        .expect("alice listed");
    assert!(!alice.enabled);
    assert!(server.authenticate_token(&uid("alice"), &tok, T0).is_err());
    assert_eq!(admin.list_users()?.len(), 2);
    Ok(())
}

#[test]
fn one_store_shared_by_threads() -> Result<(), StoreError> {
    let (_dir, store) = store();
    let store = Arc::new(store);
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || -> Result<(), StoreError> {
                for i in 0..5 {
                    let u = uid(&format!("user{t}-{i}"));
                    store.add_user(&u, None, &pw("p"))?;
                    store.create_session(&u, &device("d"), T0, Duration::from_secs(60))?;
                }
                Ok(())
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread did not panic")?;
    }
    assert_eq!(store.list_users()?.len(), 20);
    Ok(())
}

#[test]
fn backup_is_an_openable_complete_copy() -> Result<(), StoreError> {
    let (dir, store) = store();
    store.add_user(&uid("alice"), None, &pw("a"))?;
    let (tok, _) =
        store.create_session(&uid("alice"), &device("d"), T0, Duration::from_secs(60))?;
    let record = CallRecord {
        id: InvitationId::new("inv1").expect("valid id"),
        peer: uid("bob"),
        direction: Direction::Outgoing,
        outcome: Outcome::Refused,
        reason: Some("busy".to_owned()),
        missed: false,
        started_at: T0,
        answered_at: None,
        ended_at: T0 + 1,
    };
    store.record_call(&uid("alice"), &record)?;

    let target = dir.path().join("backup.db");
    store.backup_to(&target)?;
    // The original keeps working and changing; the copy is a snapshot.
    store.add_user(&uid("later"), None, &pw("l"))?;

    let copy = Store::open_file(&target, StoreOptions::insecure_for_tests())?;
    let uids: Vec<_> = copy.list_users()?.into_iter().map(|u| u.uid).collect();
    assert_eq!(uids, [uid("alice")]);
    assert!(copy.verify_login(&uid("alice"), &pw("a"), T0).is_ok());
    assert!(copy.authenticate_token(&uid("alice"), &tok, T0).is_ok());
    assert_eq!(copy.history(&uid("alice"), 10)?, [record]);
    Ok(())
}

#[test]
fn backup_never_overwrites() -> Result<(), StoreError> {
    let (dir, store) = store();
    let target = dir.path().join("existing.db");
    std::fs::write(&target, b"precious").expect("write");
    assert!(matches!(
        store.backup_to(&target),
        Err(StoreError::BackupTargetExists(ref p)) if *p == target
    ));
    assert_eq!(std::fs::read(&target).expect("read"), b"precious");
    Ok(())
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(DB_FILE_NAME);
    std::fs::write(&file, vec![0x42u8; 8192]).expect("write garbage");
    let err = Store::open_with(dir.path(), StoreOptions::insecure_for_tests())
        .expect_err("garbage must not open");
    assert!(
        matches!(err, StoreError::NotADatabase { ref path } if *path == file),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("{} is not a ringer database", file.display())
    );
    // Untouched.
    assert_eq!(std::fs::read(&file).expect("read"), vec![0x42u8; 8192]);
}

#[test]
fn another_applications_database_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(DB_FILE_NAME);
    open_raw(&file)
        .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hi');")
        .expect("foreign db");
    let err = Store::open_with(dir.path(), StoreOptions::insecure_for_tests()).err();
    assert!(
        matches!(err, Some(StoreError::NotADatabase { .. })),
        "{err:?}"
    );
    let tables: i64 = open_raw(&file)
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .expect("count");
    assert_eq!(tables, 1, "nothing was added to the foreign file");
}

#[test]
fn a_newer_schema_is_refused() {
    let (dir, store) = store();
    drop(store);
    open_raw(&db_path(&dir))
        .pragma_update(None, "user_version", 99)
        .expect("bump version");
    let err = Store::open_with(dir.path(), StoreOptions::insecure_for_tests()).err();
    assert!(
        matches!(
            err,
            Some(StoreError::SchemaTooNew {
                found: 99,
                supported: 2
            })
        ),
        "{err:?}"
    );
}

#[test]
fn a_damaged_file_gives_an_error_not_a_panic() -> Result<(), StoreError> {
    let (dir, store) = store();
    for i in 0..200 {
        store.add_user(&uid(&format!("user{i:03}")), None, &pw("p"))?;
    }
    drop(store);
    // Fold the WAL into the main file, then scribble over every page but the header page.
    let file = db_path(&dir);
    open_raw(&file)
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    let mut bytes = std::fs::read(&file).expect("read");
    assert!(bytes.len() > 4096 * 2, "several pages");
    for b in &mut bytes[4096..] {
        *b = 0xA5;
    }
    std::fs::write(&file, &bytes).expect("write");
    let result = Store::open_with(dir.path(), StoreOptions::insecure_for_tests())
        .and_then(|s| s.list_users());
    let Err(err) = result else {
        panic!("a damaged file read without an error");
    };
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    // Printed with its sources, as the admin commands print errors, it says the cause once.
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        chain.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    assert_eq!(chain.matches("malformed").count(), 1, "{chain}");
    Ok(())
}

#[test]
fn a_lock_held_too_long_is_busy() -> Result<(), StoreError> {
    // Takes the 5 s busy timeout of wall time.
    let (dir, store) = store();
    let blocker = open_raw(&db_path(&dir));
    blocker
        .execute_batch("BEGIN EXCLUSIVE; CREATE TABLE scratch (x);")
        .expect("take the write lock");
    let result = store.add_user(&uid("alice"), None, &pw("a"));
    assert!(matches!(result, Err(StoreError::Busy(_))), "{result:?}");
    blocker.execute_batch("ROLLBACK;").expect("release");
    store.add_user(&uid("alice"), None, &pw("a"))?;
    Ok(())
}

#[test]
fn opening_and_reading_do_not_wait_for_a_writer() -> Result<(), StoreError> {
    // The admin CLI lists users while the server is in the middle of a write.
    let (dir, store) = store();
    store.add_user(&uid("alice"), None, &pw("a"))?;
    let writer = open_raw(&db_path(&dir));
    writer
        .execute_batch("BEGIN IMMEDIATE; UPDATE users SET display_name = 'Changing';")
        .expect("hold the write lock");
    let admin = reopen(&dir);
    let users = admin.list_users()?;
    assert_eq!(
        users[0].display_name.as_str(),
        "alice",
        "sees the last commit"
    );
    writer.execute_batch("COMMIT;").expect("commit");
    assert_eq!(admin.list_users()?[0].display_name.as_str(), "Changing");
    Ok(())
}

/// A version-1 file (history keyed by (uid, id), two indexes) keeps its records when opened by
/// this version, newest first, and gets the one-index layout of version 2.
#[test]
fn a_version_1_history_is_migrated_with_its_records() -> Result<(), StoreError> {
    let (dir, store) = store();
    store.add_user(&uid("alice"), None, &pw("a"))?;
    drop(store);
    let raw = open_raw(&db_path(&dir));
    raw.execute_batch(
        "DROP TABLE history;
         CREATE TABLE history (
             uid TEXT NOT NULL REFERENCES users(uid) ON DELETE CASCADE, id TEXT NOT NULL,
             peer TEXT NOT NULL, direction TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT,
             missed INTEGER NOT NULL, started_at INTEGER NOT NULL, answered_at INTEGER,
             ended_at INTEGER NOT NULL, PRIMARY KEY (uid, id)) STRICT;
         CREATE INDEX history_by_uid_newest ON history(uid, started_at DESC);
         INSERT INTO history VALUES
             ('alice', 'old', 'bob', 'incoming', 'canceled', NULL, 1, 1000, NULL, 1500),
             ('alice', 'new', 'bob', 'outgoing', 'answered', 'hangup', 0, 2000, 2100, 2900);
         PRAGMA user_version = 1;",
    )
    .expect("write a version-1 file");
    drop(raw);
    let store = reopen(&dir);
    let records = store.history(&uid("alice"), 10)?;
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["new", "old"]);
    assert_eq!(records[0].answered_at, Some(2100));
    assert!(records[1].missed);
    drop(store);
    let raw = open_raw(&db_path(&dir));
    let version: i64 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version");
    assert_eq!(version, 2);
    let indexes: i64 = raw
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'history'",
            [],
            |r| r.get(0),
        )
        .expect("count indexes");
    assert_eq!(indexes, 1, "one index on history");
    Ok(())
}
