//! The admin commands' password prompt on a terminal (see [`ringer_prompt`]), with their
//! errors. Piped input (`echo … | ringer-server user add …`) is read as before.
//!
//! The prompt's SIGINT listener, which keeps Ctrl-C from leaving echo off, stays registered for
//! the rest of the command (hashing and storing the password, about a second), during which
//! Ctrl-C is ignored.

use std::io::{self, IsTerminal};

use ringer_prompt::PromptError;
use ringer_proto::{FieldError, Password};

use crate::admin::{self, AdminError};

/// The prompt, written to standard error.
pub use ringer_prompt::PROMPT;

/// The password: typed unechoed when standard input is a terminal, else its first line.
pub fn read_password_from_stdin() -> Result<Password, AdminError> {
    let stdin = io::stdin();
    if !stdin.is_terminal() {
        return admin::read_password(stdin.lock());
    }
    let (password, _ctrl_c) = ringer_prompt::read_hidden_password().map_err(admin_error)?;
    Ok(password)
}

/// The admin commands' error for how the prompt ended without a password.
fn admin_error(error: PromptError) -> AdminError {
    match error {
        PromptError::Interrupted => AdminError::Interrupted,
        PromptError::InputEnded | PromptError::Invalid(FieldError::Empty { .. }) => {
            AdminError::EmptyPassword
        }
        PromptError::Invalid(e @ (FieldError::TooLarge { .. } | FieldError::Invalid { .. })) => {
            AdminError::InvalidPassword(e)
        }
        PromptError::Listen(e) | PromptError::Terminal(e) => AdminError::ReadPassword(e),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, ErrorKind};

    use ringer_prompt::PromptError;
    use ringer_proto::Password;

    use super::admin_error;
    use crate::admin::AdminError;

    /// The error the prompt gives for typing `typed` (which must be an invalid password).
    fn invalid(typed: &str) -> PromptError {
        PromptError::Invalid(Password::new(typed).expect_err("an invalid password"))
    }

    #[test]
    fn enter_alone_or_ctrl_d_is_an_empty_password() {
        assert!(matches!(
            admin_error(invalid("")),
            AdminError::EmptyPassword
        ));
        assert!(matches!(
            admin_error(PromptError::InputEnded),
            AdminError::EmptyPassword
        ));
    }

    #[test]
    fn ctrl_c_is_an_interruption() {
        assert!(matches!(
            admin_error(PromptError::Interrupted),
            AdminError::Interrupted
        ));
    }

    #[test]
    fn a_password_over_the_limit_is_refused() {
        assert!(matches!(
            admin_error(invalid(&"x".repeat(10_000))),
            AdminError::InvalidPassword(e) if e.is_too_large()
        ));
    }

    #[test]
    fn terminal_errors_are_read_errors() {
        let error = admin_error(PromptError::Terminal(io::Error::from(ErrorKind::NotFound)));
        assert!(
            matches!(&error, AdminError::ReadPassword(e) if e.kind() == ErrorKind::NotFound),
            "{error:?}"
        );
    }
}
