//! Ctrl-C as a stream that listens from the moment it is made.
//!
//! A fresh `tokio::signal::ctrl_c()` per loop pass only sees a signal that arrives after it was
//! created, so one landing between two passes would be lost; this listener stays registered for
//! the whole command.
//!
//! Registering a listener also takes away SIGINT's default action (ending the process) for good.
//! The password prompt has to register one (see [`crate::prompt`]), so it leaves behind a
//! fallback that ends the process on Ctrl-C, as before, until a command makes its own
//! [`Interrupts`].

use std::sync::{Mutex, PoisonError};

use tokio::task::AbortHandle;

/// The fallback task left by the password prompt, until a command listens for Ctrl-C itself.
static FALLBACK: Mutex<Option<AbortHandle>> = Mutex::new(None);

/// Ends the process on the next Ctrl-C that `signal` receives, until an [`Interrupts`] is made,
/// with [`crate::error::EXIT_INTERRUPTED`]: what a shell reports for a process SIGINT ended.
#[cfg(unix)]
pub fn exit_on_ctrl_c(mut signal: tokio::signal::unix::Signal) {
    let task = tokio::spawn(async move {
        if signal.recv().await.is_some() {
            std::process::exit(i32::from(crate::error::EXIT_INTERRUPTED));
        }
    });
    let previous = FALLBACK
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .replace(task.abort_handle());
    if let Some(previous) = previous {
        previous.abort();
    }
}

/// Ctrl-C presses, from creation on.
pub struct Interrupts {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
}

impl Interrupts {
    /// Starts listening for Ctrl-C (SIGINT).
    pub fn new() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            let signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
            end_fallback();
            Ok(Interrupts { signal })
        }
        #[cfg(not(unix))]
        {
            end_fallback();
            Ok(Interrupts {})
        }
    }

    /// The next Ctrl-C; `false` when no more can be received (treat it like one, so that a
    /// command never waits on a listener that is gone).
    pub async fn next(&mut self) -> bool {
        #[cfg(unix)]
        {
            self.signal.recv().await.is_some()
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await.is_ok()
        }
    }
}

/// Stops the prompt's fallback, if any: from now on the command decides what Ctrl-C does.
fn end_fallback() {
    let fallback = FALLBACK
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(fallback) = fallback {
        fallback.abort();
    }
}
