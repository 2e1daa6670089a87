//! The password prompt on a terminal: `password: ` on standard error, and what is typed is not
//! echoed.
//!
//! rpassword switches the terminal to raw mode (no echo, no signals from keys) and, on Ctrl-C,
//! raises SIGINT *before* it restores the terminal. With SIGINT's default action the process
//! would die with the terminal still raw, so a SIGINT listener is registered first: the raise
//! then only wakes that listener, rpassword restores the terminal and returns `Interrupted`.
//! Once registered, a listener cannot be taken back, so after the prompt it is handed to
//! [`crate::commands::interrupts::exit_on_ctrl_c`], which keeps Ctrl-C ending the process until
//! a command listens for it itself.

use std::io::{self, ErrorKind};

use ringer_proto::Password;

use crate::error::CliError;

/// The prompt, written to standard error.
pub const PROMPT: &str = "password: ";

/// Prompts on standard error and reads one line from the terminal on standard input, unechoed.
pub fn read_hidden_password() -> Result<Password, CliError> {
    #[cfg(unix)]
    let ctrl_c = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    let password = password(rpassword::prompt_password_with_config(
        PROMPT,
        terminal_config(),
    ))?;
    // Only after a password: on an error the process ends anyway, and after Ctrl-C the raised
    // SIGINT is still pending in the listener.
    #[cfg(unix)]
    crate::commands::interrupts::exit_on_ctrl_c(ctrl_c);
    Ok(password)
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
fn password(typed: io::Result<String>) -> Result<Password, CliError> {
    match typed {
        Ok(typed) => Password::new(typed).map_err(|e| CliError::Usage(format!("password: {e}"))),
        Err(error) if error.kind() == ErrorKind::Interrupted => Err(CliError::Interrupted),
        Err(error) if error.kind() == ErrorKind::UnexpectedEof => Err(CliError::Usage(
            "password: input ended (Ctrl-D) before a password was typed".to_owned(),
        )),
        Err(error) => Err(CliError::Io(io::Error::new(
            error.kind(),
            format!("reading the password from the terminal: {error}"),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `password` makes of rpassword reading `input` as if it had been typed.
    fn typed(input: &str) -> Result<Password, CliError> {
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
    fn enter_alone_is_an_empty_password_and_a_usage_error() {
        let error = typed("\n").expect_err("empty");
        assert!(matches!(error, CliError::Usage(_)), "{error:?}");
        assert_eq!(error.to_string(), "password: password must not be empty");
    }

    #[test]
    fn ctrl_d_before_any_character_says_input_ended() {
        let error = typed("\x04").expect_err("end of input");
        assert!(matches!(error, CliError::Usage(_)), "{error:?}");
        assert_eq!(
            error.to_string(),
            "password: input ended (Ctrl-D) before a password was typed"
        );
    }

    #[test]
    fn a_password_over_the_limit_is_refused() {
        let error = typed(&format!("{}\n", "x".repeat(1025))).expect_err("too large");
        assert!(matches!(error, CliError::Usage(_)), "{error:?}");
        assert!(error.to_string().contains("too large"), "{error}");
    }

    #[test]
    fn ctrl_c_is_an_interruption() {
        let error = password(Err(io::Error::new(ErrorKind::Interrupted, "interrupted")))
            .expect_err("interrupted");
        assert!(matches!(error, CliError::Interrupted), "{error:?}");
        assert_eq!(error.exit_code(), crate::error::EXIT_INTERRUPTED);
    }

    #[test]
    fn other_terminal_errors_say_where_they_happened() {
        let error = password(Err(io::Error::new(ErrorKind::NotFound, "no such device")))
            .expect_err("failed");
        assert_eq!(
            error.to_string(),
            "reading the password from the terminal: no such device"
        );
        assert_eq!(error.exit_code(), crate::error::EXIT_OTHER);
    }
}
