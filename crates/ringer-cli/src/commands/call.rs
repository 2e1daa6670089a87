//! `call`: send one invitation and follow it to its end.

use std::time::Duration;

use ringer_client::{
    Client, ClientError, ConnectionState, Event, EventStream, Invite, ServerError,
};
use ringer_proto::{ChannelId, Content, FailureReason, InvitationId, Uid};
use tokio::time::Instant;

use super::interrupts::Interrupts;
use super::{Outcome, aborted, print_waiting, seconds, sleep_until};
use crate::cli::{CallArgs, GlobalArgs};
use crate::device::Role;
use crate::error::CliError;
use crate::output::{Line, Printer, event_id, human_line};
use crate::session::{sign_in, user};

/// How long a call waits for a lost connection to come back before giving up.
const RECONNECT_PATIENCE: Duration = Duration::from_secs(60);

/// What one event means for the call being followed.
enum Step {
    Continue,
    Glare,
    /// The followed invitation, or after glare the callee's, is now a call.
    Accepted(InvitationId),
    Ended(Outcome),
    /// The server refused the `invite` itself: the call was never placed.
    RefusedByServer(ServerError),
    Aborted(ringer_client::ConnectionChangeReason),
    Down,
    Up,
}

/// Sends the invitation and prints every event until the invitation (or its call) has ended.
pub async fn call(
    global: &GlobalArgs,
    args: CallArgs,
    printer: &mut Printer,
) -> Result<Outcome, CliError> {
    let callee = Uid::new(args.callee).map_err(|e| CliError::Usage(format!("callee: {e}")))?;
    // The server refuses it too (`invalid_argument`); saying so before signing in keeps a bad
    // argument a usage error.
    if callee == user(global)? {
        return Err(CliError::Usage(format!(
            "callee: {callee} is you: a user cannot call themselves"
        )));
    }
    let content = args
        .content
        .map(Content::new)
        .transpose()
        .map_err(|e| CliError::Usage(format!("--content: {e}")))?;
    let channel_id = args
        .channel
        .map(ChannelId::new)
        .transpose()
        .map_err(|e| CliError::Usage(format!("--channel: {e}")))?;
    let cancel_after = seconds("--cancel-after", args.cancel_after)?;
    let hangup_after = seconds("--hangup-after", args.hangup_after)?;
    let id = InvitationId::new(uuid::Uuid::new_v4().to_string())
        .map_err(|e| CliError::Usage(format!("invitation id: {e}")))?;

    let mut connected = sign_in(global, Role::Call).await?;
    // From here on Ctrl-C is ours (until now its default ends the process at once).
    let mut interrupts = Interrupts::new()?;
    print_waiting(&mut connected.events, printer)?;
    printer.remember_peer(id.clone(), callee.clone());
    let invite = Invite {
        id: id.clone(),
        callee: callee.clone(),
        content: content.clone(),
        channel_id: channel_id.clone(),
    };
    let result = match connected.client.send(invite).await {
        Ok(()) => {
            printer.print(&Line::InvitationSent {
                id: &id,
                peer: &callee,
                content: content.as_ref(),
                channel_id: channel_id.as_ref(),
            })?;
            follow(
                &connected.client,
                &mut connected.events,
                &mut interrupts,
                printer,
                Following {
                    id: id.clone(),
                    callee: callee.clone(),
                    glare: false,
                    accepted: false,
                },
                cancel_after,
                hangup_after,
            )
            .await
        }
        Err(error) => Err(error.into()),
    };
    connected.client.shutdown().await;
    result
}

/// Follows invitation `id` to its end. On glare (SPEC §5) the server fails it and puts this
/// device in a call on the callee's own invitation instead: that call is followed from then on,
/// like an accepted one.
async fn follow(
    client: &Client,
    events: &mut EventStream,
    interrupts: &mut Interrupts,
    printer: &mut Printer,
    mut following: Following,
    cancel_after: Option<Duration>,
    hangup_after: Option<Duration>,
) -> Result<Outcome, CliError> {
    let sent = following.id.clone();
    let mut cancel_at = cancel_after.map(|after| Instant::now() + after);
    let mut hangup_at = None;
    let mut give_up_at = None;
    let mut interrupted = false;
    loop {
        tokio::select! {
            event = events.next() => {
                let Some(event) = event else {
                    return Err(CliError::Unreachable("the connection to the server ended".to_owned()));
                };
                printer.event(&event)?;
                let from_callee =
                    event_id(&event).and_then(|id| printer.peer(id)) == Some(&following.callee);
                match following.step(&event, from_callee) {
                    Step::Continue => {}
                    Step::Glare => {
                        following.glare = true;
                        cancel_at = None;
                    }
                    Step::Accepted(call) => {
                        following.id = call;
                        following.accepted = true;
                        cancel_at = None;
                        hangup_at = hangup_after.map(|after| Instant::now() + after);
                        if interrupted {
                            // Ctrl-C came while the glare call was being set up.
                            end(client, &following.id, true).await;
                        }
                    }
                    Step::Ended(outcome) => {
                        if outcome == Outcome::NotAccepted {
                            let line = Line::Event { event: &event, peer: printer.peer(&sent) };
                            eprintln!("ringer: call not accepted: {}", human_line(&line));
                        }
                        return Ok(outcome);
                    }
                    Step::RefusedByServer(ServerError { code, message }) => {
                        return Err(ClientError::from_code(code, message).into());
                    }
                    Step::Aborted(reason) => return Err(aborted(reason)),
                    Step::Down => {
                        give_up_at.get_or_insert(Instant::now() + RECONNECT_PATIENCE);
                    }
                    Step::Up => give_up_at = None,
                }
            }
            pressed = interrupts.next() => {
                if !pressed || interrupted {
                    // A second Ctrl-C: stop waiting for the server's answer.
                    return Ok(if following.accepted { Outcome::Success } else { Outcome::NotAccepted });
                }
                interrupted = true;
                // After glare there is nothing to cancel: the call is hung up once it is live.
                if !following.glare || following.accepted {
                    end(client, &following.id, following.accepted).await;
                }
            }
            () = sleep_until(cancel_at) => {
                cancel_at = None;
                end(client, &following.id, following.accepted).await;
            }
            () = sleep_until(hangup_at) => {
                hangup_at = None;
                end(client, &following.id, following.accepted).await;
            }
            () = sleep_until(give_up_at) => {
                return Err(CliError::Unreachable(format!(
                    "server unreachable: the connection was lost and not restored within {} s",
                    RECONNECT_PATIENCE.as_secs()
                )));
            }
        }
    }
}

/// Cancels a ringing invitation or hangs up the call. A refusal (it has just ended, or was
/// just accepted) is only reported: the event that says what happened follows.
async fn end(client: &Client, id: &InvitationId, accepted: bool) {
    let result = if accepted {
        client.hang_up(id.clone()).await
    } else {
        client.cancel(id.clone()).await
    };
    if let Err(error) = result {
        tracing::info!(%error, "could not end the invitation");
    }
}

/// The invitation (or call) being followed.
struct Following {
    /// Ours, or after glare the callee's invitation this device was put in a call on.
    id: InvitationId,
    /// Who we called.
    callee: Uid,
    /// Ours failed with glare.
    glare: bool,
    /// The followed invitation was accepted: it is a call.
    accepted: bool,
}

impl Following {
    /// What `event` means; `from_callee` says whether it is about an invitation with the callee.
    fn step(&self, event: &Event, from_callee: bool) -> Step {
        let ours = |other: &InvitationId| other == &self.id;
        // After glare, the callee's invitation, until it is a call (or fails to become one).
        let glare_call = self.glare && !self.accepted && from_callee;
        match event {
            Event::LocalInvitationAccepted { id, .. } if ours(id) => Step::Accepted(id.clone()),
            Event::LocalInvitationFailure {
                id,
                reason: FailureReason::Glare,
                ..
            } if ours(id) => Step::Glare,
            Event::LocalInvitationFailure {
                id,
                error: Some(error),
                ..
            } if ours(id) => Step::RefusedByServer(error.clone()),
            Event::LocalInvitationRefused { id, .. }
            | Event::LocalInvitationCanceled { id }
            | Event::LocalInvitationFailure { id, .. }
                if ours(id) =>
            {
                Step::Ended(Outcome::NotAccepted)
            }
            Event::RemoteInvitationAccepted { id } if glare_call => Step::Accepted(id.clone()),
            Event::RemoteInvitationRefused { .. }
            | Event::RemoteInvitationCanceled { .. }
            | Event::RemoteInvitationFailure { .. }
                if glare_call =>
            {
                Step::Ended(Outcome::NotAccepted)
            }
            Event::CallEnded { id, .. } if ours(id) => Step::Ended(Outcome::Success),
            Event::ConnectionStateChanged { state, reason } => match state {
                ConnectionState::Aborted => Step::Aborted(*reason),
                ConnectionState::Reconnecting | ConnectionState::Disconnected => Step::Down,
                ConnectionState::Connected => Step::Up,
                ConnectionState::Connecting => Step::Continue,
            },
            Event::LocalInvitationReceivedByPeer { .. }
            | Event::LocalInvitationAccepted { .. }
            | Event::LocalInvitationRefused { .. }
            | Event::LocalInvitationCanceled { .. }
            | Event::LocalInvitationFailure { .. }
            | Event::CallEnded { .. }
            | Event::RemoteInvitationReceived { .. }
            | Event::RemoteInvitationAccepted { .. }
            | Event::RemoteInvitationRefused { .. }
            | Event::RemoteInvitationCanceled { .. }
            | Event::RemoteInvitationFailure { .. }
            | Event::LoggedIn { .. }
            | Event::PresenceChanged { .. }
            | Event::StatusChanged { .. }
            | Event::Reply { .. }
            | Event::RequestFailed { .. } => Step::Continue,
        }
    }
}
