//! How reading a password at the prompt can fail.

use std::io;

use ringer_proto::FieldError;

/// Why the prompt gave no password.
#[derive(Debug, thiserror::Error)]
pub enum PromptError {
    /// Ctrl-C was pressed at the prompt; the terminal has been restored.
    #[error("interrupted")]
    Interrupted,
    /// Input ended (Ctrl-D) before a line was complete.
    #[error("input ended before a password was typed")]
    InputEnded,
    /// What was typed is not a valid password: empty (Enter alone) or over the limit.
    #[error("invalid password")]
    Invalid(#[source] FieldError),
    /// The SIGINT listener that keeps Ctrl-C from leaving the terminal unechoed could not be set
    /// up, so nothing was read.
    #[error("cannot listen for ctrl-c at the password prompt")]
    Listen(#[source] io::Error),
    /// The terminal could not be read or written.
    #[error("cannot read the password from the terminal")]
    Terminal(#[source] io::Error),
}
