//! The unechoed password prompt of Ringer's command-line tools (`ringer login`,
//! `ringer-server user add`): `password: ` on standard error, then one line read from the
//! terminal on standard input without echo.
//!
//! [`read_hidden_password`] returns the [`Password`] and the [`CtrlC`] guard, or a
//! [`PromptError`] that each tool turns into its own message and exit status.
//!
//! rpassword switches the terminal to raw mode (no echo, no signals from keys) and, on Ctrl-C,
//! raises SIGINT *before* it restores the terminal. With SIGINT's default action the process
//! would die with the terminal still raw, so a SIGINT listener is registered first: the raise
//! then only wakes that listener, rpassword restores the terminal and returns `Interrupted`.
//! Once registered, a listener cannot be taken back, which is why it is handed to the caller.
#![warn(missing_docs)]

mod ctrl_c;
mod error;

use std::io::{self, ErrorKind};

pub use ctrl_c::CtrlC;
pub use error::PromptError;
use ringer_proto::Password;

/// The prompt, written to standard error.
pub const PROMPT: &str = "password: ";

/// Prompts on standard error and reads one line from the terminal on standard input, unechoed.
///
/// Called from within a tokio runtime, the Ctrl-C listener is registered on it, so that
/// [`CtrlC::into_signal`] can hand it on; otherwise on a small runtime kept in the guard.
pub fn read_hidden_password() -> Result<(Password, CtrlC), PromptError> {
    let ctrl_c = CtrlC::listen().map_err(PromptError::Listen)?;
    let password = password(rpassword::prompt_password_with_config(
        PROMPT,
        terminal_config(),
    ))?;
    Ok((password, ctrl_c))
}

/// Where rpassword reads and writes: standard input's own terminal (rather than rpassword's
/// default, the controlling terminal, which a process may lack or which may differ), and
/// standard error, so that standard output carries only the command's results.
fn terminal_config() -> rpassword::Config {
    let config = rpassword::ConfigBuilder::new().output_writer(io::stderr());
    #[cfg(unix)]
    let config = config.input_file_path("/dev/stdin");
    config.build()
}

/// The password, or the error for how reading it ended.
fn password(typed: io::Result<String>) -> Result<Password, PromptError> {
    match typed {
        Ok(typed) => Password::new(typed).map_err(PromptError::Invalid),
        Err(error) if error.kind() == ErrorKind::Interrupted => Err(PromptError::Interrupted),
        Err(error) if error.kind() == ErrorKind::UnexpectedEof => Err(PromptError::InputEnded),
        Err(error) => Err(PromptError::Terminal(error)),
    }
}

#[cfg(test)]
mod tests {
    use ringer_proto::FieldError;

    use super::*;

    /// What `password` makes of rpassword reading `input` as if it had been typed.
    fn typed(input: &str) -> Result<Password, PromptError> {
        let config = rpassword::ConfigBuilder::new()
            .input_data(input)
            .output_discard()
            .build();
        password(rpassword::read_password_with_config(config))
    }

    #[test]
    fn a_line_is_the_password_without_its_line_end() {
        for input in ["s3cret pass\n", "s3cret pass\r", "s3cret pass\r\n"] {
            let password = typed(input).expect("a password");
            assert_eq!(password.as_str(), "s3cret pass", "{input:?}");
        }
    }

    #[test]
    fn backspace_edits_what_was_typed() {
        let password = typed("secrex\x7ft\n").expect("a password");
        assert_eq!(password.as_str(), "secret");
    }

    #[test]
    fn enter_alone_is_an_empty_password() {
        let error = typed("\n").expect_err("empty");
        assert!(
            matches!(error, PromptError::Invalid(FieldError::Empty { .. })),
            "{error:?}"
        );
    }

    #[test]
    fn ctrl_d_before_any_character_is_the_end_of_input() {
        let error = typed("\x04").expect_err("end of input");
        assert!(matches!(error, PromptError::InputEnded), "{error:?}");
    }

    #[test]
    fn a_password_over_the_limit_is_refused() {
        let error = typed(&format!("{}\n", "x".repeat(1025))).expect_err("too large");
        assert!(
            matches!(&error, PromptError::Invalid(e) if e.is_too_large()),
            "{error:?}"
        );
    }

    #[test]
    fn ctrl_c_is_an_interruption() {
        let error = password(Err(io::Error::new(ErrorKind::Interrupted, "interrupted")))
            .expect_err("interrupted");
        assert!(matches!(error, PromptError::Interrupted), "{error:?}");
    }

    #[test]
    fn other_terminal_errors_keep_their_cause() {
        let error = password(Err(io::Error::new(ErrorKind::NotFound, "no such device")))
            .expect_err("failed");
        let PromptError::Terminal(cause) = &error else {
            panic!("not a terminal error: {error:?}");
        };
        assert_eq!(cause.kind(), ErrorKind::NotFound);
        assert_eq!(cause.to_string(), "no such device");
    }

    #[cfg(unix)]
    #[test]
    fn outside_a_runtime_the_listener_stays_with_the_guard() {
        let ctrl_c = CtrlC::listen().expect("a listener on a runtime of its own");
        assert!(ctrl_c.into_signal().is_none());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn inside_a_runtime_the_listener_can_be_handed_on() {
        let ctrl_c = CtrlC::listen().expect("a listener on this runtime");
        assert!(ctrl_c.into_signal().is_some());
    }
}
