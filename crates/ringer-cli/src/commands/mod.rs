//! One module per command; each returns how it ended.

mod account;
mod call;
pub(crate) mod interrupts;
mod listen;
mod queries;

use std::time::Duration;

use ringer_client::{ConnectionChangeReason, EventStream};
use tokio::time::Instant;

use crate::cli::{Command, GlobalArgs};
use crate::error::CliError;
use crate::output::Printer;

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It did its job (for `call`: the call was accepted).
    Success,
    /// The call or invitation ended without being accepted.
    NotAccepted,
}

/// Runs one command.
pub async fn run(
    global: &GlobalArgs,
    command: Command,
    printer: &mut Printer,
) -> Result<Outcome, CliError> {
    match command {
        Command::Login => account::login(global, printer).await,
        Command::Logout => account::logout(global, printer).await,
        Command::Call(args) => call::call(global, args, printer).await,
        Command::Listen(args) => listen::listen(global, args, printer).await,
        Command::Presence(args) => queries::presence(global, args, printer).await,
        Command::Status(args) => queries::status(global, args, printer).await,
        Command::History(args) => queries::history(global, args, printer).await,
        Command::Directory => queries::directory(global, printer).await,
    }
}

/// Prints the events that are already waiting (connection changes, `logged_in`).
fn print_waiting(events: &mut EventStream, printer: &mut Printer) -> Result<(), CliError> {
    while let Some(event) = events.try_next() {
        printer.event(&event)?;
    }
    Ok(())
}

/// The error for a connection the engine gave up on mid-command.
fn aborted(reason: ConnectionChangeReason) -> CliError {
    match reason {
        ConnectionChangeReason::TokenExpired => CliError::TokenExpired,
        ConnectionChangeReason::TokenRevoked => CliError::TokenRevoked,
        ConnectionChangeReason::BannedByServer => CliError::AccountDisabled,
        ConnectionChangeReason::LoginFailure => CliError::BadCredentials,
        ConnectionChangeReason::Login
        | ConnectionChangeReason::LoginSuccess
        | ConnectionChangeReason::LoginTimeout
        | ConnectionChangeReason::Interrupted
        | ConnectionChangeReason::Logout
        | ConnectionChangeReason::RemoteLogin => {
            CliError::Unreachable(format!("connection aborted: {}", reason.as_str()))
        }
    }
}

/// Seconds from the command line as a duration.
fn seconds(flag: &str, value: Option<f64>) -> Result<Option<Duration>, CliError> {
    value
        .map(|secs| {
            Duration::try_from_secs_f64(secs)
                .map_err(|_| CliError::Usage(format!("{flag}: {secs} is not a number of seconds")))
        })
        .transpose()
}

/// Sleeps until `deadline`, or forever without one.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
