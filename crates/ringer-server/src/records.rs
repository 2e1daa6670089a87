//! The store writer: persists the switchboard's call records off the hub's task, in batches.

use std::sync::Arc;

use ringer_proto::{CallRecord, Uid};
use ringer_store::Store;
use tokio::sync::mpsc;

/// Most records written per blocking store call (one SQLite transaction).
const BATCH: usize = 256;

/// Writes every record received until all senders are gone (the hub stopped), so that records
/// produced by a shutdown are persisted too. Each batch is one transaction, so that the writer
/// keeps up with the hub (which stops taking input while the writer's queue is full).
pub async fn run(store: Arc<Store>, mut records: mpsc::Receiver<(Uid, CallRecord)>) {
    while let Some(first) = records.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match records.try_recv() {
                Ok(record) => batch.push(record),
                Err(_) => break,
            }
        }
        let store = Arc::clone(&store);
        let written = tokio::task::spawn_blocking(move || write_batch(&store, &batch)).await;
        if let Err(err) = written {
            tracing::error!(%err, "store writer failed");
        }
    }
    tracing::debug!("store writer stopped");
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
