//! Ringer's client core: a sans-IO state machine for one device's connection, invitations and
//! calls. No sockets, no clock, no tasks: the driver passes `now` in and carries frames out.
//!
//! - [`Engine`] is the device. Its inputs are `handle_*` (socket and timer events, server
//!   frames) and the user's verbs ([`Engine::send`], [`Engine::cancel`], [`Engine::accept`],
//!   [`Engine::refuse`], [`Engine::hang_up`], queries). Its outputs are [`Transmit`]s for the
//!   socket, [`Event`]s for the user and one timer.
//! - A caller's invitation follows [`LocalInvitationState`] (SPEC §3), a callee's
//!   [`RemoteInvitationState`] (SPEC §4); an accepted one becomes a call ([`CallState`], §6).
//! - The connection follows Agora's [`ConnectionState`] with a [`ConnectionChangeReason`].
//! - [`Backoff`] spaces the driver's reconnect attempts.
//!
//! # Drive loop
//!
//! 1. Build an [`Engine`] with an [`EngineConfig`] and [`Credentials`].
//! 2. Call [`Engine::handle_connecting`] before dialing and [`Engine::handle_connected`] once the
//!    WebSocket is open (the engine queues `login` / `authenticate`). Feed every decoded server
//!    frame to [`Engine::handle_frame`], the socket's end (or a failed dial) to
//!    [`Engine::handle_disconnected`], and user commands to the verbs.
//! 3. After every input, drain [`Engine::poll_transmit`] (send frames in order; on
//!    [`Transmit::Disconnect`] close the socket) and [`Engine::poll_event`] until both are empty.
//! 4. Sleep until [`Engine::poll_timeout`] (or the next input) and call
//!    [`Engine::handle_timeout`].
//! 5. When the socket is gone and [`Engine::should_reconnect`] holds, wait
//!    [`Backoff::next_delay`] and go to 2; reset the backoff on
//!    [`Event::LoggedIn`]. The engine never reconnects by itself; it is `Aborted` or logged out
//!    when the driver should stop.
//!
//! # Decisions the SPEC leaves open
//!
//! **Events fire when the server confirms.** `cancel` and `refuse` only record a pending action
//! and send the frame; `local_invitation_canceled` / `remote_invitation_refused` arrive with the
//! server's `canceled` / `refused`. If another action won, the server answers `already_end`
//! (swallowed) and the winner arrives as its own frame. So a terminal state never changes, and
//! each invitation gets exactly one terminal event. Frames for unknown or ended invitations are
//! ignored. Repeating a pending action (cancel twice before the confirmation) is `Ok` and sends
//! nothing. The engine keeps no invitation timers: the server owns every timeout.
//!
//! **API errors.** `cancel` of an unknown id: `not_started`. `accept` / `refuse` of an unknown id
//! or of an invitation this device sent: `invalid_argument`. `accept` twice: `already_accept`;
//! `refuse` after `accept`: `already_accept`; `accept` after `refuse`: `already_end`. `hang_up`:
//! unknown id `invalid_argument`, an invitation not (yet) a call `not_started`, an ended call or
//! an invitation that ended without a call `already_end`. `send` of a known id: `already_sent`;
//! `send` while not connected: `Ok`, then `idle -> failure(not_logged_in)`. Queries and
//! `set_status` / `renew_token` / `logout` while not connected: `not_logged_in`; bad arguments
//! (no uids, over 256 presence or 512 subscription uids, history limit not in 1–500):
//! `invalid_argument`.
//!
//! **Server errors for invitation actions.** The verbs return `()`, so these arrive as events.
//! An `invite` refused by the server fails the invitation with `not_logged_in` (for
//! `not_logged_in`) or `peer_unknown` (any other code: the server would not place the call), and
//! that [`Event::LocalInvitationFailure`] carries the server's code and message in `error`, so
//! that a client can say why rather than what the wire reason means (no account); there is no
//! separate [`Event::RequestFailed`] for it. The other actions' errors arrive as
//! [`Event::RequestFailed`] with the engine's request id, immediately followed by any state
//! change: an `accept` refused with anything but `already_end` / `already_accept` fails the
//! callee's invitation with `accept_failure` (the server will never confirm it); a refused
//! `cancel`, `refuse` or `hang_up` leaves the state as it is, so the user may try again.
//!
//! **Callee ordering.** `accepted` arriving before `received_by_peer` is reported as
//! `received_by_peer` then `accepted`; `call_ended` for an invitation whose accept was missed is
//! reported as accepted then `call_ended`. Under glare the server may send `accept_confirmed`
//! for an invitation still ringing: it goes straight to accepted. A ringing invitation is
//! acknowledged (`received`) once per connection, also when delivered again after a reconnect.
//!
//! **Connection.** `handle_connecting` moves `disconnected`/`aborted` to `connecting(login)`;
//! after a lost connection the state is `reconnecting(interrupted)` until the next welcome, which
//! gives `connected(login_success)` and [`Event::LoggedIn`]. A welcome carrying a token switches
//! the credentials to that token for later connections. A refused login:
//!
//! | server code | state, reason |
//! |---|---|
//! | `bad_credentials`, `invalid_argument`, `too_large`, `unsupported`, `forbidden` | `aborted`, `login_failure` |
//! | `token_expired` | `aborted`, `token_expired` |
//! | `token_revoked`, `not_logged_in` (session not found) | `aborted`, `token_revoked` |
//! | `account_disabled` | `aborted`, `banned_by_server` |
//! | `too_many_devices`, `rate_limited`, `internal`, others | stays `connecting` / `reconnecting`, reason `login_failure`; the driver retries |
//!
//! No welcome within `login_timeout` is handled like a retryable failure with reason
//! `login_timeout`. Every refusal and timeout also queues [`Transmit::Disconnect`]. When `aborted`
//! or logged out the engine will not hear about live invitations again, so it ends them:
//! failure(`not_logged_in`) for invitations, `call_ended(connection_lost)` for calls.
//!
//! **Heartbeat.** When connected and nothing was sent for the heartbeat interval (the server's
//! `heartbeat_interval_ms` overrides the configured one) the engine sends `ping`. When nothing
//! was received for the heartbeat timeout (at least twice the interval) it queues
//! [`Transmit::Disconnect`] and goes `reconnecting(interrupted)`. Requests without an answer then
//! fail with `not_logged_in`; a logout in flight completes locally (and is reported failed).
//!
//! **Reconciliation** (SPEC §8), on every welcome, snapshot entry by entry:
//! - a known invitation moves to the snapshot's state, emitting what it missed in protocol order
//!   (e.g. `received_by_peer`, `accepted`, `call_ended`). A caller whose snapshot entry says
//!   `accepting` sends `confirm` (again). A ringing callee invitation is acknowledged again.
//! - unknown entries: a callee invitation still ringing is new (event and acknowledgement); a
//!   callee entry this device was made the acceptor of (`accepting`, `in_call`: glare while its
//!   link was down, or a restarted client) is announced as `remote_invitation_received` (and
//!   `remote_invitation_accepted` for a live call), so the user is never in a call unannounced;
//!   live caller entries are adopted silently so later frames apply (a caller's `accepting` is
//!   not confirmed: this engine's user never saw it); ended ones are ignored.
//! - a live invitation or call the snapshot lacks: if the `server_id` changed, the server
//!   restarted: failure(`server_restart`) / `call_ended(server_restart)`. Otherwise a caller's
//!   invitation whose `invite` was never acknowledged is sent again with the same id (the server
//!   dedups ids); anything else the server has forgotten (it keeps ended invitations 5 minutes)
//!   ends as failure(`server_restart`), or `call_ended(connection_lost)` for a call.
//! - then every action the user asked for while disconnected, or that was unanswered when the
//!   connection dropped, is sent if it still applies (an action the snapshot shows not taken is
//!   sent again); the others are dropped, their outcome having arrived.
//! - after a server restart the uid's last known status is re-applied with `set_status` if the
//!   welcome shows a different one; presence subscriptions are renewed after every reconnect.
//!
//! Ended invitations are remembered for [`ENDED_RETENTION`] (then forgotten lazily, within
//! [`PRUNE_INTERVAL`]), so late frames are recognised and API calls answer `already_end`.

#![warn(missing_docs)]

mod backoff;
mod call;
mod config;
mod connection;
mod engine;
mod error;
mod event;
mod heartbeat;
mod local;
mod remote;
mod requests;
mod transition;

pub use backoff::Backoff;
pub use call::CallState;
pub use config::{Credentials, EngineConfig, Invite};
pub use connection::{ConnectionChangeReason, ConnectionState};
pub use engine::{ENDED_RETENTION, Engine, PRUNE_INTERVAL};
pub use error::ApiError;
pub use event::{Event, Reply, ServerError, Transmit};
pub use local::LocalInvitationState;
pub use remote::RemoteInvitationState;
