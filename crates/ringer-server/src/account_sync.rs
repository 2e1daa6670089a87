//! Picks up account changes made by the admin commands (another process writing the same
//! SQLite file) and hands them to the hub, so that `user add/disable/remove` take effect on a
//! running server within about a second.

use std::sync::Arc;
use std::time::Duration;

use ringer_store::{Store, StoreError};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::auth::unix_now_ms;
use crate::hub::HubInput;

/// How often expired and revoked sessions past their retention are purged.
const PURGE_INTERVAL: Duration = Duration::from_secs(3600);

/// Polls the store's data version every `interval` until `shutdown`; on a change, sends the
/// hub every account.
pub async fn run(
    store: Arc<Store>,
    hub: mpsc::Sender<HubInput>,
    interval: Duration,
    mut version: u64,
    shutdown: CancellationToken,
) {
    // The accounts were loaded with `version` at start-up: the first check is due one interval
    // later, not at once.
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut purge = tokio::time::interval(PURGE_INTERVAL);
    purge.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            _ = ticker.tick() => {
                match check(Arc::clone(&store), version).await {
                    Ok(Some((new_version, accounts))) => {
                        version = new_version;
                        tracing::debug!(accounts = accounts.len(), "accounts changed on disk");
                        if hub.send(HubInput::Accounts(accounts)).await.is_err() {
                            break;
                        }
                    }
                    Ok(None) => {}
                    Err(err) => tracing::warn!(error = %err, "cannot check the store for account changes"),
                }
            }
            _ = purge.tick() => {
                let store = Arc::clone(&store);
                match tokio::task::spawn_blocking(move || store.purge_sessions(unix_now_ms())).await {
                    Ok(Ok(purged)) if purged > 0 => tracing::info!(purged, "purged old sessions"),
                    Ok(Ok(_)) => {}
                    Ok(Err(err)) => tracing::warn!(error = %err, "cannot purge old sessions"),
                    Err(err) => tracing::warn!(%err, "session purge failed"),
                }
            }
        }
    }
}

type Change = Option<(u64, Vec<ringer_store::Account>)>;

async fn check(store: Arc<Store>, version: u64) -> Result<Change, StoreError> {
    let checked = tokio::task::spawn_blocking(move || {
        let now = store.data_version()?;
        if now == version {
            return Ok(None);
        }
        Ok(Some((now, store.load_accounts()?)))
    })
    .await;
    checked.unwrap_or_else(|err| Err(StoreError::InvalidData(format!("store task failed: {err}"))))
}
