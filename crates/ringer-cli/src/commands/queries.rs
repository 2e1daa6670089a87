//! `presence`, `status`, `history` and `directory`: one request, its answer printed.

use std::time::Duration;

use ringer_client::Event;
use ringer_proto::{Status, Uid};

use super::Outcome;
use crate::cli::{GlobalArgs, HistoryArgs, OnOff, PresenceArgs, StatusArgs, StatusChoice};
use crate::device::Role;
use crate::error::CliError;
use crate::output::{Line, Printer};
use crate::session::sign_in;

/// How long `status` waits for the server to confirm the change to every device.
const STATUS_ECHO_TIMEOUT: Duration = Duration::from_secs(5);

/// Prints one line per uid asked for.
pub async fn presence(
    global: &GlobalArgs,
    args: PresenceArgs,
    printer: &mut Printer,
) -> Result<Outcome, CliError> {
    let uids = args
        .uids
        .into_iter()
        .map(|uid| Uid::new(uid).map_err(|e| CliError::Usage(format!("uid: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let connected = sign_in(global, Role::OneShot).await?;
    let result = connected.client.query_presence(uids).await;
    connected.client.shutdown().await;
    for entry in &result? {
        printer.print(&Line::Presence(entry))?;
    }
    Ok(Outcome::Success)
}

/// Sets the status and prints it as the server confirms it.
pub async fn status(
    global: &GlobalArgs,
    args: StatusArgs,
    printer: &mut Printer,
) -> Result<Outcome, CliError> {
    let status = match args.status {
        StatusChoice::Available => Status::Available,
        StatusChoice::Dnd => Status::Dnd,
    };
    let call_waiting = args.call_waiting.map(|on| on == OnOff::On);
    let mut connected = sign_in(global, Role::OneShot).await?;
    if let Err(error) = connected.client.set_status(status, call_waiting).await {
        connected.client.shutdown().await;
        return Err(error.into());
    }
    // The server tells every device of the uid, this one included, after its `ok`.
    let echo = tokio::time::timeout(STATUS_ECHO_TIMEOUT, async {
        while let Some(event) = connected.events.next().await {
            if let Event::StatusChanged { .. } = event {
                return Some(event);
            }
        }
        None
    })
    .await
    .ok()
    .flatten();
    connected.client.shutdown().await;
    let event = echo.unwrap_or(Event::StatusChanged {
        status,
        call_waiting: call_waiting.unwrap_or(connected.session.call_waiting),
    });
    printer.event(&event)?;
    Ok(Outcome::Success)
}

/// Prints the call history, newest first.
pub async fn history(
    global: &GlobalArgs,
    args: HistoryArgs,
    printer: &mut Printer,
) -> Result<Outcome, CliError> {
    let connected = sign_in(global, Role::OneShot).await?;
    let result = connected.client.history(args.limit).await;
    connected.client.shutdown().await;
    for record in &result? {
        printer.print(&Line::HistoryRecord(record))?;
    }
    Ok(Outcome::Success)
}

/// Prints every account with its presence.
pub async fn directory(global: &GlobalArgs, printer: &mut Printer) -> Result<Outcome, CliError> {
    let connected = sign_in(global, Role::OneShot).await?;
    let result = connected.client.directory().await;
    connected.client.shutdown().await;
    for entry in &result? {
        printer.print(&Line::DirectoryEntry(entry))?;
    }
    Ok(Outcome::Success)
}
