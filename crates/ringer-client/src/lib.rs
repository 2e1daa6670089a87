//! Ringer's client driver: one tokio task that owns one [`ringer_engine::Engine`] and connects it
//! to a server over a WebSocket.
//!
//! [`Client::spawn`] starts the task and returns a cloneable [`Client`] handle for the user's
//! verbs (send, cancel, accept, refuse, hang up, presence, history, …) and an [`EventStream`] of
//! the engine's [`Event`]s, in order.
//!
//! The task's loop, in the style of the sans-IO cores it drives:
//!
//! 1. Wait on whichever comes first: a frame from the socket, a command from a [`Client`], the
//!    end of a dial attempt, the engine's `poll_timeout`, the next reconnect time, or shutdown.
//! 2. Feed it to the engine with the current time.
//! 3. Drain the engine: write every `Transmit::Frame` to the socket, drop the socket on
//!    `Transmit::Disconnect`, and hand every `Event` to the stream (replies to requests, and
//!    their errors, go to the [`Client`] call that is waiting for them instead; the invitation
//!    actions' calls return before the server answers, so their errors come as
//!    `Event::RequestFailed`).
//! 4. If the connection is gone and the engine still wants one, schedule the next dial with the
//!    engine's jittered [`ringer_engine::Backoff`], and publish when it will be
//!    ([`Client::next_attempt`], for a reconnect countdown).
//!
//! The engine decides everything else: authentication, heartbeats, what a disconnect means for
//! each invitation, and reconciling with the server's snapshot after a reconnect.
//!
//! # Layout
//!
//! - `config.rs`: [`ClientConfig`] and [`TlsConfig`], with defaults.
//! - `error.rs`: [`ClientError`], the one error type of this crate.
//! - `handle.rs`: [`Client`], [`EventStream`] and [`Session`], the public face of the task.
//! - `command.rs`: what a [`Client`] asks the task to do.
//! - `driver.rs`: the task itself: the `select!` loop around the engine.
//! - `link.rs`: the connection's outcome as [`Client::wait_connected`] sees it.
//! - `transport.rs`: dialing `ws://` and `wss://` URLs with bounded buffers and TLS roots.

mod command;
mod config;
mod driver;
mod error;
mod handle;
mod link;
mod transport;

pub use config::{ClientConfig, TlsConfig};
pub use error::ClientError;
pub use handle::{Client, EventStream, Session};

pub use ringer_engine::{
    ApiError, ConnectionChangeReason, ConnectionState, Credentials, Event, Invite, Reply,
    ServerError,
};
