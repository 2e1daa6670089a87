//! Ctrl-C as a stream that listens from the moment it is made.
//!
//! A fresh `tokio::signal::ctrl_c()` per loop pass only sees a signal that arrives after it was
//! created, so one landing between two passes would be lost; this listener stays registered for
//! the whole command.

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
            Ok(Interrupts { signal })
        }
        #[cfg(not(unix))]
        {
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
