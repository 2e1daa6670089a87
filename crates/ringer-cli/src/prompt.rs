//! The password prompt on a terminal (see [`ringer_prompt`]), with the CLI's messages and exit
//! statuses.
//!
//! The prompt leaves a SIGINT listener registered, and once registered a listener cannot be
//! taken back, so after the prompt it is handed to
//! [`crate::commands::interrupts::exit_on_ctrl_c`], which keeps Ctrl-C ending the process until
//! a command listens for it itself.

use std::io;

use ringer_prompt::PromptError;
use ringer_proto::Password;

use crate::error::CliError;

/// Prompts on standard error and reads one line from the terminal on standard input, unechoed.
pub fn read_hidden_password() -> Result<Password, CliError> {
    let (password, ctrl_c) = ringer_prompt::read_hidden_password().map_err(cli_error)?;
    // Only after a password: on an error the process ends anyway, and after Ctrl-C the raised
    // SIGINT is still pending in the listener.
    #[cfg(unix)]
    if let Some(signal) = ctrl_c.into_signal() {
        crate::commands::interrupts::exit_on_ctrl_c(signal);
    }
    #[cfg(not(unix))]
    let _ = ctrl_c;
    Ok(password)
}

/// The CLI's error for how the prompt ended without a password.
fn cli_error(error: PromptError) -> CliError {
    match error {
        PromptError::Interrupted => CliError::Interrupted,
        PromptError::InputEnded => {
            CliError::Usage("password: input ended (Ctrl-D) before a password was typed".to_owned())
        }
        PromptError::Invalid(e) => CliError::Usage(format!("password: {e}")),
        PromptError::Listen(e) => CliError::Io(e),
        PromptError::Terminal(e) => CliError::Io(io::Error::new(
            e.kind(),
            format!("reading the password from the terminal: {e}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::io::ErrorKind;

    use super::*;

    /// The error the prompt gives for typing `typed` (which must be an invalid password).
    fn invalid(typed: &str) -> PromptError {
        PromptError::Invalid(Password::new(typed).expect_err("an invalid password"))
    }

    #[test]
    fn enter_alone_is_an_empty_password_and_a_usage_error() {
        let error = cli_error(invalid(""));
        assert!(matches!(error, CliError::Usage(_)), "{error:?}");
        assert_eq!(error.to_string(), "password: password must not be empty");
    }

    #[test]
    fn ctrl_d_before_any_character_says_input_ended() {
        let error = cli_error(PromptError::InputEnded);
        assert!(matches!(error, CliError::Usage(_)), "{error:?}");
        assert_eq!(
            error.to_string(),
            "password: input ended (Ctrl-D) before a password was typed"
        );
    }

    #[test]
    fn a_password_over_the_limit_is_refused() {
        let error = cli_error(invalid(&"x".repeat(1025)));
        assert!(matches!(error, CliError::Usage(_)), "{error:?}");
        assert!(error.to_string().contains("too large"), "{error}");
    }

    #[test]
    fn ctrl_c_is_an_interruption() {
        let error = cli_error(PromptError::Interrupted);
        assert!(matches!(error, CliError::Interrupted), "{error:?}");
        assert_eq!(error.exit_code(), crate::error::EXIT_INTERRUPTED);
    }

    #[test]
    fn other_terminal_errors_say_where_they_happened() {
        let error = cli_error(PromptError::Terminal(io::Error::new(
            ErrorKind::NotFound,
            "no such device",
        )));
        assert_eq!(
            error.to_string(),
            "reading the password from the terminal: no such device"
        );
        assert_eq!(error.exit_code(), crate::error::EXIT_OTHER);
    }

    #[test]
    fn failing_to_listen_for_ctrl_c_is_an_io_error_as_it_is() {
        let error = cli_error(PromptError::Listen(io::Error::other("no signal driver")));
        assert_eq!(error.to_string(), "no signal driver");
        assert_eq!(error.exit_code(), crate::error::EXIT_OTHER);
    }
}
