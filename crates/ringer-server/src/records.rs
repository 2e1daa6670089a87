//! The store writer: persists the switchboard's call records off the hub's task, in batches.

use std::sync::Arc;

use ringer_proto::{CallRecord, Uid};
use ringer_store::Store;
use tokio::sync::mpsc;

/// Most records written per blocking store call.
const BATCH: usize = 64;

/// Writes every record received until all senders are gone (the hub stopped), so that records
/// produced by a shutdown are persisted too.
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
        let written = tokio::task::spawn_blocking(move || {
            for (uid, record) in batch {
                if let Err(err) = store.record_call(&uid, &record) {
                    tracing::error!(%uid, id = %record.id, error = %err, "cannot store call record");
                }
            }
        })
        .await;
        if let Err(err) = written {
            tracing::error!(%err, "store writer failed");
        }
    }
    tracing::debug!("store writer stopped");
}
