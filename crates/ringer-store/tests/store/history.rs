use ringer_proto::limits::MAX_HISTORY_LIMIT;
use ringer_proto::{CallRecord, Direction, InvitationId, Outcome};
use ringer_store::{Store, StoreError, StoreOptions};

use crate::{T0, pw, store, uid};

fn record(id: &str, started_at: u64) -> CallRecord {
    CallRecord {
        id: InvitationId::new(id).expect("valid id"),
        peer: uid("bob"),
        direction: Direction::Incoming,
        outcome: Outcome::Canceled,
        reason: None,
        missed: true,
        started_at,
        answered_at: None,
        ended_at: started_at + 5_000,
    }
}

fn ids(records: &[CallRecord]) -> Vec<&str> {
    records.iter().map(|r| r.id.as_str()).collect()
}

fn with_alice() -> (tempfile::TempDir, Store) {
    let (dir, store) = store();
    store
        .add_user(&uid("alice"), None, &pw("a"))
        .expect("add alice");
    (dir, store)
}

#[test]
fn records_round_trip_every_field() -> Result<(), StoreError> {
    let (_dir, store) = with_alice();
    let answered = CallRecord {
        id: InvitationId::new("0b9e4f5c-58a4-4e5b-9a43-1f8e0f1e2d3c").expect("valid id"),
        peer: uid("bob"),
        direction: Direction::Outgoing,
        outcome: Outcome::Answered,
        reason: Some("hangup".to_owned()),
        missed: false,
        started_at: T0,
        answered_at: Some(T0 + 3_000),
        ended_at: T0 + 60_000,
    };
    let missed = record("m1", T0 - 1_000);
    store.record_call(&uid("alice"), &answered)?;
    store.record_call(&uid("alice"), &missed)?;
    assert_eq!(store.history(&uid("alice"), 10)?, [answered, missed]);
    Ok(())
}

#[test]
fn newest_first_by_start_time_whatever_the_insert_order() -> Result<(), StoreError> {
    let (_dir, store) = with_alice();
    for (id, at) in [("b", T0 + 2), ("a", T0 + 1), ("d", T0 + 4), ("c", T0 + 3)] {
        store.record_call(&uid("alice"), &record(id, at))?;
    }
    assert_eq!(
        ids(&store.history(&uid("alice"), 10)?),
        ["d", "c", "b", "a"]
    );
    assert_eq!(ids(&store.history(&uid("alice"), 2)?), ["d", "c"]);
    assert!(store.history(&uid("alice"), 0)?.is_empty());
    Ok(())
}

#[test]
fn recording_twice_keeps_one_record_with_the_latest_content() -> Result<(), StoreError> {
    let (_dir, store) = with_alice();
    let first = record("x", T0);
    store.record_call(&uid("alice"), &first)?;
    store.record_call(&uid("alice"), &first)?;
    assert_eq!(
        store.history(&uid("alice"), 10)?,
        std::slice::from_ref(&first)
    );
    let updated = CallRecord {
        outcome: Outcome::Failed,
        reason: Some("invitation_expire".to_owned()),
        ..first
    };
    store.record_call(&uid("alice"), &updated)?;
    assert_eq!(store.history(&uid("alice"), 10)?, [updated]);
    Ok(())
}

#[test]
fn history_is_per_uid() -> Result<(), StoreError> {
    let (_dir, store) = with_alice();
    store.add_user(&uid("bob"), None, &pw("b"))?;
    // The same invitation is in both parties' histories.
    store.record_call(&uid("alice"), &record("same", T0))?;
    let bobs = CallRecord {
        peer: uid("alice"),
        direction: Direction::Outgoing,
        missed: false,
        ..record("same", T0)
    };
    store.record_call(&uid("bob"), &bobs)?;
    assert_eq!(store.history(&uid("alice"), 10)?.len(), 1);
    assert_eq!(store.history(&uid("bob"), 10)?, [bobs]);
    assert!(store.history(&uid("nobody"), 10)?.is_empty());
    Ok(())
}

#[test]
fn recording_for_an_unknown_uid_is_refused() {
    let (_dir, store) = with_alice();
    assert!(matches!(
        store.record_call(&uid("ghost"), &record("x", T0)),
        Err(StoreError::UnknownUser(_))
    ));
}

#[test]
fn limit_is_capped_at_the_protocol_maximum() -> Result<(), StoreError> {
    let (_dir, store) = with_alice();
    for i in 0..u64::from(MAX_HISTORY_LIMIT) + 5 {
        store.record_call(&uid("alice"), &record(&format!("r{i}"), T0 + i))?;
    }
    let records = store.history(&uid("alice"), u32::MAX)?;
    assert_eq!(records.len(), MAX_HISTORY_LIMIT as usize);
    assert_eq!(
        records[0].id.as_str(),
        format!("r{}", MAX_HISTORY_LIMIT + 4)
    );
    Ok(())
}

#[test]
fn history_per_uid_keeps_only_the_newest() -> Result<(), StoreError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = StoreOptions {
        history_per_uid: 3,
        ..StoreOptions::insecure_for_tests()
    };
    let store = Store::open_with(dir.path(), options)?;
    store.add_user(&uid("alice"), None, &pw("a"))?;
    store.add_user(&uid("bob"), None, &pw("b"))?;
    store.record_call(&uid("bob"), &record("bobs", T0))?;
    for (id, at) in [
        ("2", T0 + 2),
        ("5", T0 + 5),
        ("1", T0 + 1),
        ("4", T0 + 4),
        ("3", T0 + 3),
    ] {
        store.record_call(&uid("alice"), &record(id, at))?;
    }
    assert_eq!(ids(&store.history(&uid("alice"), 10)?), ["5", "4", "3"]);
    assert_eq!(ids(&store.history(&uid("bob"), 10)?), ["bobs"]);
    Ok(())
}

#[test]
fn default_history_bound_is_ten_thousand() {
    assert_eq!(StoreOptions::default().history_per_uid, 10_000);
}

#[test]
fn removing_a_user_deletes_its_history_but_not_its_peers() -> Result<(), StoreError> {
    let (_dir, store) = with_alice();
    store.add_user(&uid("bob"), None, &pw("b"))?;
    store.record_call(&uid("alice"), &record("x", T0))?;
    store.record_call(&uid("bob"), &record("x", T0))?;
    store.remove_user(&uid("alice"))?;
    store.add_user(&uid("alice"), None, &pw("a"))?;
    assert!(store.history(&uid("alice"), 10)?.is_empty());
    assert_eq!(store.history(&uid("bob"), 10)?.len(), 1);
    Ok(())
}

#[test]
fn a_batch_is_written_in_one_call_for_several_uids() -> Result<(), StoreError> {
    let (_dir, store) = with_alice();
    store.add_user(&uid("bob"), None, &pw("b"))?;
    let batch = vec![
        (uid("alice"), record("a1", T0 + 1)),
        (uid("bob"), record("b1", T0 + 2)),
        (uid("alice"), record("a2", T0 + 3)),
    ];
    assert!(store.record_calls(&batch)?.is_empty());
    assert_eq!(ids(&store.history(&uid("alice"), 10)?), ["a2", "a1"]);
    assert_eq!(ids(&store.history(&uid("bob"), 10)?), ["b1"]);
    Ok(())
}

#[test]
fn a_batch_is_idempotent_per_uid_and_id() -> Result<(), StoreError> {
    let (_dir, store) = with_alice();
    let first = record("x", T0);
    let updated = CallRecord {
        outcome: Outcome::Answered,
        answered_at: Some(T0 + 1_000),
        missed: false,
        ..first.clone()
    };
    store.record_call(&uid("alice"), &first)?;
    let batch = vec![
        (uid("alice"), first.clone()),
        (uid("alice"), updated.clone()),
    ];
    store.record_calls(&batch)?;
    store.record_calls(&batch)?;
    assert_eq!(store.history(&uid("alice"), 10)?, [updated]);
    Ok(())
}

#[test]
fn a_batch_keeps_only_the_newest_per_uid() -> Result<(), StoreError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = StoreOptions {
        history_per_uid: 3,
        ..StoreOptions::insecure_for_tests()
    };
    let store = Store::open_with(dir.path(), options)?;
    store.add_user(&uid("alice"), None, &pw("a"))?;
    store.add_user(&uid("bob"), None, &pw("b"))?;
    store.record_call(&uid("alice"), &record("6", T0 + 6))?;
    let mut batch: Vec<_> = [("2", 2), ("5", 5), ("1", 1), ("4", 4), ("3", 3)]
        .into_iter()
        .map(|(id, at)| (uid("alice"), record(id, T0 + at)))
        .collect();
    batch.push((uid("bob"), record("bobs", T0)));
    store.record_calls(&batch)?;
    assert_eq!(ids(&store.history(&uid("alice"), 10)?), ["6", "5", "4"]);
    assert_eq!(ids(&store.history(&uid("bob"), 10)?), ["bobs"]);
    Ok(())
}

#[test]
fn a_batch_skips_unknown_uids_and_keeps_the_rest() -> Result<(), StoreError> {
    let (_dir, store) = with_alice();
    let batch = vec![
        (uid("ghost"), record("g", T0)),
        (uid("alice"), record("a", T0)),
        (uid("ghost"), record("h", T0)),
    ];
    assert_eq!(store.record_calls(&batch)?, [0, 2]);
    assert_eq!(ids(&store.history(&uid("alice"), 10)?), ["a"]);
    assert!(store.history(&uid("ghost"), 10)?.is_empty());
    assert!(store.record_calls(&[])?.is_empty());
    Ok(())
}

fn stored_rows(dir: &tempfile::TempDir, uid_: &str) -> i64 {
    let conn = rusqlite::Connection::open(crate::db_path(dir)).expect("open the file");
    conn.query_row(
        "SELECT COUNT(*) FROM history WHERE uid = ?1",
        [uid_],
        |row| row.get(0),
    )
    .expect("count")
}

/// Appending trims in batches (every `keep / 16` records), so the file holds at most that many
/// more than `keep`, and a history request never sees them; a reopened store (which has
/// forgotten its counts) still trims.
#[test]
fn a_full_history_is_trimmed_in_batches_and_never_shows_more_than_the_bound()
-> Result<(), StoreError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = StoreOptions {
        history_per_uid: 32,
        ..StoreOptions::insecure_for_tests()
    };
    let alice = uid("alice");
    let mut next = 0u64;
    for round in 0..2 {
        let store = Store::open_with(dir.path(), options)?;
        if round == 0 {
            store.add_user(&alice, None, &pw("a"))?;
        }
        for _ in 0..15 {
            let batch: Vec<_> = (0..7)
                .map(|_| {
                    next += 1;
                    (alice.clone(), record(&format!("r{next}"), T0 + next))
                })
                .collect();
            store.record_calls(&batch)?;
            let rows = stored_rows(&dir, "alice");
            assert!(rows <= 32 + 2, "{rows} rows stored after r{next}");
            let shown = store.history(&alice, MAX_HISTORY_LIMIT)?;
            let expected: Vec<String> = (0..next.min(32))
                .map(|i| format!("r{}", next - i))
                .collect();
            assert_eq!(ids(&shown), expected, "history after r{next}");
        }
    }
    Ok(())
}

/// A reopened store has forgotten how many records each uid has, and counting one walks all of
/// them: it counts a few uids per batch, so the others may briefly hold more than the bound
/// (never shown), and trims each once it is counted.
#[test]
fn a_reopened_store_counts_a_few_uids_per_batch_and_trims_each_once_counted()
-> Result<(), StoreError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = StoreOptions {
        history_per_uid: 16,
        ..StoreOptions::insecure_for_tests()
    };
    let uids: Vec<_> = (0..6).map(|i| uid(&format!("u{i}"))).collect();
    let mut next = 0u64;
    let mut one_each = || -> Vec<_> {
        uids.iter()
            .map(|u| {
                next += 1;
                (u.clone(), record(&format!("r{next}"), T0 + next))
            })
            .collect()
    };
    {
        // 17 each: the bound plus its slack of 1, not trimmed yet.
        let store = Store::open_with(dir.path(), options)?;
        for u in &uids {
            store.add_user(u, None, &pw("p"))?;
        }
        for _ in 0..17 {
            store.record_calls(&one_each())?;
        }
    }
    let rows = |dir: &tempfile::TempDir| -> Vec<i64> {
        let mut rows: Vec<i64> = uids.iter().map(|u| stored_rows(dir, u.as_str())).collect();
        rows.sort_unstable();
        rows
    };
    assert_eq!(rows(&dir), [17; 6]);

    let store = Store::open_with(dir.path(), options)?;
    store.record_calls(&one_each())?;
    assert_eq!(
        rows(&dir),
        [16, 16, 16, 16, 18, 18],
        "four counted and trimmed"
    );
    for u in &uids {
        assert_eq!(store.history(u, MAX_HISTORY_LIMIT)?.len(), 16);
    }
    store.record_calls(&one_each())?;
    assert_eq!(
        rows(&dir),
        [16, 16, 17, 17, 17, 17],
        "the other two counted too"
    );
    Ok(())
}
