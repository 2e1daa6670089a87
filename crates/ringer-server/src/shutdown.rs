//! Turning SIGINT and SIGTERM into a cancelled [`CancellationToken`].

use tokio_util::sync::CancellationToken;

/// Cancels `token` on the first SIGINT or SIGTERM (Ctrl-C elsewhere).
pub fn cancel_on_signal(token: CancellationToken) {
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown requested");
        token.cancel();
    });
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                () = ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(err) => {
            tracing::warn!(%err, "cannot listen for SIGTERM; only SIGINT stops the server");
            ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    ctrl_c().await;
}

/// Resolves on SIGINT; never, if SIGINT cannot be listened for (rather than stopping at once).
async fn ctrl_c() {
    if let Err(err) = tokio::signal::ctrl_c().await {
        tracing::warn!(%err, "cannot listen for SIGINT");
        std::future::pending::<()>().await;
    }
}
