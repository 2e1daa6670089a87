//! The SIGINT listener the prompt registers before it reads.
//!
//! Registering a listener takes away SIGINT's default action (ending the process) for good, and
//! a listener only hears signals on the runtime it was registered on. So the caller chooses what
//! Ctrl-C does after the prompt: keep this guard (Ctrl-C is then ignored) or, from within its
//! own runtime, take the listener and act on it.

use std::io;

/// The SIGINT listener registered for the prompt, which the caller may keep or hand on.
#[derive(Debug)]
pub struct CtrlC {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
    /// The runtime made for the prompt when the caller had none; declared after `signal` so that
    /// it is dropped after the listener bound to it.
    #[cfg(unix)]
    own_runtime: Option<tokio::runtime::Runtime>,
}

impl CtrlC {
    /// Registers the listener on the caller's runtime, or on a small one of its own when the
    /// caller is not inside one.
    pub(crate) fn listen() -> io::Result<Self> {
        #[cfg(unix)]
        {
            let interrupt = tokio::signal::unix::SignalKind::interrupt();
            if tokio::runtime::Handle::try_current().is_ok() {
                let signal = tokio::signal::unix::signal(interrupt)?;
                return Ok(CtrlC {
                    signal,
                    own_runtime: None,
                });
            }
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_io()
                .build()?;
            let signal = {
                let _entered = runtime.enter();
                tokio::signal::unix::signal(interrupt)?
            };
            Ok(CtrlC {
                signal,
                own_runtime: Some(runtime),
            })
        }
        #[cfg(not(unix))]
        {
            Ok(CtrlC {})
        }
    }

    /// The listener, to be polled on the runtime the prompt was called from; `None` when the
    /// prompt ran outside any runtime, as it is then bound to one that lives only in this guard.
    #[cfg(unix)]
    pub fn into_signal(self) -> Option<tokio::signal::unix::Signal> {
        match self.own_runtime {
            None => Some(self.signal),
            Some(_) => None,
        }
    }
}
