//! The admin commands' password prompt on a terminal: `password: ` on standard error, and what
//! is typed is not echoed. Piped input (`echo … | ringer-server user add …`) is read as before.
//!
//! rpassword switches the terminal to raw mode and, on Ctrl-C, raises SIGINT *before* it
//! restores the terminal; with SIGINT's default action the process would die with echo still
//! off. A SIGINT listener is registered first, so the raise is harmless: rpassword restores the
//! terminal and returns `Interrupted`. The listener stays for the rest of the command (hashing
//! and storing the password, about a second), during which Ctrl-C is ignored.

use std::io::{self, ErrorKind, IsTerminal};

use ringer_proto::Password;

use crate::admin::{self, AdminError};

/// The prompt, written to standard error.
pub const PROMPT: &str = "password: ";

/// The password: typed unechoed when standard input is a terminal, else its first line.
pub fn read_password_from_stdin() -> Result<Password, AdminError> {
    let stdin = io::stdin();
    if !stdin.is_terminal() {
        return admin::read_password(stdin.lock());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .map_err(AdminError::ReadPassword)?;
    #[cfg(unix)]
    let _ctrl_c = runtime
        .block_on(async {
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        })
        .map_err(AdminError::ReadPassword)?;
    password(rpassword::prompt_password_with_config(
        PROMPT,
        terminal_config(),
    ))
}

/// Standard input's own terminal (not the controlling terminal, which may differ), and standard
/// error, so that standard output carries only the command's result.
fn terminal_config() -> rpassword::Config {
    let config = rpassword::ConfigBuilder::new().output_writer(io::stderr());
    #[cfg(unix)]
    let config = config.input_file_path("/dev/stdin");
    config.build()
}

/// The password, or the error for how reading it ended.
fn password(typed: io::Result<String>) -> Result<Password, AdminError> {
    match typed {
        Ok(typed) if typed.is_empty() => Err(AdminError::EmptyPassword),
        Ok(typed) => Password::new(typed).map_err(AdminError::InvalidPassword),
        Err(error) if error.kind() == ErrorKind::Interrupted => Err(AdminError::Interrupted),
        Err(error) if error.kind() == ErrorKind::UnexpectedEof => Err(AdminError::EmptyPassword),
        Err(error) => Err(AdminError::ReadPassword(error)),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, ErrorKind};

    use super::password;
    use crate::admin::AdminError;

    #[test]
    fn what_was_typed_is_the_password() {
        let typed = password(Ok("s3cret pass".to_owned())).expect("a password");
        assert_eq!(typed.as_str(), "s3cret pass");
    }

    #[test]
    fn enter_alone_or_ctrl_d_is_an_empty_password() {
        assert!(matches!(
            password(Ok(String::new())),
            Err(AdminError::EmptyPassword)
        ));
        assert!(matches!(
            password(Err(io::Error::from(ErrorKind::UnexpectedEof))),
            Err(AdminError::EmptyPassword)
        ));
    }

    #[test]
    fn ctrl_c_is_an_interruption() {
        assert!(matches!(
            password(Err(io::Error::from(ErrorKind::Interrupted))),
            Err(AdminError::Interrupted)
        ));
    }

    #[test]
    fn a_password_over_the_limit_is_refused() {
        let long = "x".repeat(10_000);
        assert!(matches!(
            password(Ok(long)),
            Err(AdminError::InvalidPassword(_))
        ));
    }
}
