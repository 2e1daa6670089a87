//! `listen`: print incoming invitations and, when told, answer them.

use std::collections::HashSet;

use ringer_client::{Client, ConnectionState, Event};
use ringer_proto::{InvitationId, RefuseReason, Response};

use super::interrupts::Interrupts;
use super::{Outcome, aborted, print_waiting};
use crate::cli::{GlobalArgs, ListenArgs, RefuseChoice};
use crate::device::Role;
use crate::error::CliError;
use crate::output::Printer;
use crate::session::sign_in;

/// How to answer incoming invitations.
#[derive(Clone, Copy)]
enum Answer {
    Ring,
    Accept,
    Refuse(RefuseReason),
}

/// Prints invitations until Ctrl-C or, with `--once`, until the first one has ended.
pub async fn listen(
    global: &GlobalArgs,
    args: ListenArgs,
    printer: &mut Printer,
) -> Result<Outcome, CliError> {
    let response = args
        .response
        .map(Response::new)
        .transpose()
        .map_err(|e| CliError::Usage(format!("--response: {e}")))?;
    let answer = match (args.accept, args.refuse) {
        (true, true) => {
            return Err(CliError::Usage(
                "--accept and --refuse cannot be used together".to_owned(),
            ));
        }
        (true, false) => Answer::Accept,
        (false, true) => Answer::Refuse(match args.reason {
            RefuseChoice::Declined => RefuseReason::Declined,
            RefuseChoice::Busy => RefuseReason::Busy,
        }),
        (false, false) => Answer::Ring,
    };
    let mut connected = sign_in(global, Role::Listen).await?;
    // From here on Ctrl-C is ours (until now its default ends the process at once).
    let mut interrupts = Interrupts::new()?;
    print_waiting(&mut connected.events, printer)?;
    let mut state = Listening {
        client: &connected.client,
        answer,
        response,
        once: args.once,
        first: None,
        in_call: HashSet::new(),
        stopping: false,
    };
    let result = loop {
        tokio::select! {
            event = connected.events.next() => {
                let Some(event) = event else {
                    break Err(CliError::Unreachable("the connection to the server ended".to_owned()));
                };
                printer.event(&event)?;
                if let Some(done) = state.on_event(&event).await {
                    break done;
                }
            }
            pressed = interrupts.next() => {
                // A second Ctrl-C stops waiting for the server to confirm the hang-ups.
                if !pressed || state.stopping || state.in_call.is_empty() {
                    break Ok(Outcome::Success);
                }
                state.stopping = true;
                state.hang_up_all().await;
            }
        }
    };
    connected.client.shutdown().await;
    result
}

struct Listening<'a> {
    client: &'a Client,
    answer: Answer,
    response: Option<Response>,
    once: bool,
    /// With `--once`, the invitation whose end ends the command.
    first: Option<InvitationId>,
    in_call: HashSet<InvitationId>,
    /// After Ctrl-C: hanging up, waiting for every call's `call_ended`, answering nothing new.
    stopping: bool,
}

impl Listening<'_> {
    /// Reacts to one event; `Some` ends the command.
    async fn on_event(&mut self, event: &Event) -> Option<Result<Outcome, CliError>> {
        match event {
            Event::RemoteInvitationReceived { invitation } => {
                if self.stopping {
                    return None;
                }
                if self.first.is_none() {
                    self.first = Some(invitation.id.clone());
                }
                self.respond(&invitation.id).await;
                None
            }
            Event::RemoteInvitationAccepted { id } => {
                self.in_call.insert(id.clone());
                if self.stopping {
                    // Accepted before Ctrl-C, confirmed after it.
                    self.hang_up(id).await;
                }
                None
            }
            Event::RemoteInvitationRefused { id } => self.finish(id, Outcome::Success),
            Event::RemoteInvitationCanceled { id, .. }
            | Event::RemoteInvitationFailure { id, .. } => self.finish(id, Outcome::NotAccepted),
            Event::CallEnded { id, .. } => {
                let was_ours = self.in_call.remove(id);
                if self.stopping && self.in_call.is_empty() {
                    Some(Ok(Outcome::Success))
                } else if was_ours {
                    self.finish(id, Outcome::Success)
                } else {
                    None
                }
            }
            Event::ConnectionStateChanged {
                state: ConnectionState::Aborted,
                reason,
            } => Some(Err(aborted(*reason))),
            Event::ConnectionStateChanged { .. }
            | Event::LocalInvitationReceivedByPeer { .. }
            | Event::LocalInvitationAccepted { .. }
            | Event::LocalInvitationRefused { .. }
            | Event::LocalInvitationCanceled { .. }
            | Event::LocalInvitationFailure { .. }
            | Event::LoggedIn { .. }
            | Event::PresenceChanged { .. }
            | Event::StatusChanged { .. }
            | Event::Reply { .. }
            | Event::RequestFailed { .. } => None,
        }
    }

    async fn respond(&self, id: &InvitationId) {
        let result = match self.answer {
            Answer::Ring => return,
            Answer::Accept => self.client.accept(id.clone(), self.response.clone()).await,
            Answer::Refuse(reason) => {
                self.client
                    .refuse(id.clone(), self.response.clone(), Some(reason))
                    .await
            }
        };
        if let Err(error) = result {
            // Usually a race the server settled (canceled first); its event follows.
            eprintln!("ringer: could not answer invitation {id}: {error}");
        }
    }

    /// With `--once`, the end of the first invitation ends the command.
    fn finish(&self, id: &InvitationId, outcome: Outcome) -> Option<Result<Outcome, CliError>> {
        (self.once && self.first.as_ref() == Some(id)).then_some(Ok(outcome))
    }

    /// Hangs up every call; each stays in `in_call` until its `call_ended` arrives.
    async fn hang_up_all(&self) {
        for id in &self.in_call {
            self.hang_up(id).await;
        }
    }

    async fn hang_up(&self, id: &InvitationId) {
        if let Err(error) = self.client.hang_up(id.clone()).await {
            tracing::info!(%error, %id, "could not hang up");
        }
    }
}
