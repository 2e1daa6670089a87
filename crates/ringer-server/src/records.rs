//! The store writer: persists the switchboard's call records off the hub's task, in batches,
//! on a thread of its own.
//!
//! One long-lived thread rather than a `spawn_blocking` call per batch: each such call woke one
//! of the blocking pool's threads (a different one, with cold caches, almost every time at
//! 1,000 flows/s, when a batch is one call's two records) and then woke the async task waiting
//! for it, a hand-off through two threads and two futex wake-ups per batch.

use std::sync::Arc;

use ringer_proto::{CallRecord, Uid};
use ringer_store::Store;
use tokio::sync::{mpsc, oneshot};

/// Most records written per blocking store call (one SQLite transaction).
const BATCH: usize = 256;

/// Starts the writer's thread; the returned future ends once it has written every record
/// received before all senders were gone (the hub stopped), so that records produced by a
/// shutdown are persisted too. Each batch is one transaction, so that the writer keeps up with
/// the hub (which stops taking input while the writer's queue is full).
pub fn start(
    store: Arc<Store>,
    records: mpsc::Receiver<(Uid, CallRecord)>,
) -> std::io::Result<impl Future<Output = ()>> {
    let (done_tx, done_rx) = oneshot::channel::<()>();
    std::thread::Builder::new()
        .name("ringer-records".to_owned())
        .spawn(move || {
            write_all(&store, records);
            let _ = done_tx.send(());
        })?;
    Ok(async move {
        if done_rx.await.is_err() {
            tracing::error!("store writer stopped before its queue was empty");
        }
        tracing::debug!("store writer stopped");
    })
}

fn write_all(store: &Store, mut records: mpsc::Receiver<(Uid, CallRecord)>) {
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(first) = records.blocking_recv() {
        batch.push(first);
        while batch.len() < BATCH {
            match records.try_recv() {
                Ok(record) => batch.push(record),
                Err(_) => break,
            }
        }
        // As with a failed transaction, the writer goes on with the next batch.
        let written =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write_batch(store, &batch)));
        if written.is_err() {
            tracing::error!(records = batch.len(), "store writer failed on a batch");
        }
        batch.clear();
    }
}

fn write_batch(store: &Store, batch: &[(Uid, CallRecord)]) {
    match store.record_calls(batch) {
        Ok(skipped) => {
            for (uid, record) in skipped.into_iter().filter_map(|i| batch.get(i)) {
                tracing::warn!(%uid, id = %record.id, "call record not stored: unknown user");
            }
        }
        Err(err) => {
            // A failed transaction writes nothing: retry one by one, so that one bad record
            // (or a transient error) does not lose the whole batch silently.
            tracing::warn!(error = %err, records = batch.len(), "cannot store call record batch");
            for (uid, record) in batch {
                if let Err(err) = store.record_call(uid, record) {
                    tracing::error!(%uid, id = %record.id, error = %err, "cannot store call record");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ringer_proto::{CallRecord, Direction, InvitationId, Outcome, Password, Uid};
    use ringer_store::{Store, StoreOptions};
    use tokio::sync::mpsc;

    fn record(n: u64) -> CallRecord {
        CallRecord {
            id: InvitationId::new(format!("call-{n}")).expect("id"),
            peer: Uid::new("bob").expect("uid"),
            direction: Direction::Outgoing,
            outcome: Outcome::Canceled,
            reason: None,
            missed: false,
            started_at: 1_000 + n,
            answered_at: None,
            ended_at: 2_000 + n,
        }
    }

    /// The writer's future ends only once the thread has written the last record sent, however
    /// many batches it took (the server's shutdown waits on it).
    #[tokio::test]
    async fn every_record_is_written_before_the_writer_reports_stopped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store =
            Store::open_with(dir.path(), StoreOptions::insecure_for_tests()).expect("open store");
        let alice = Uid::new("alice").expect("uid");
        store
            .add_user(&alice, None, &Password::new("pw").expect("password"))
            .expect("add alice");
        let store = Arc::new(store);
        let (tx, rx) = mpsc::channel(8);
        let stopped = super::start(Arc::clone(&store), rx).expect("writer thread");

        const RECORDS: u64 = 3 * super::BATCH as u64;
        for n in 0..RECORDS {
            tx.send((alice.clone(), record(n)))
                .await
                .expect("writer running");
        }
        drop(tx);
        stopped.await;

        let newest = store.history(&alice, 1).expect("history");
        let ids: Vec<&str> = newest.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, [format!("call-{}", RECORDS - 1)]);
    }
}
