//! Ringer's server core: a sans-IO state machine that admits devices, routes every invitation
//! between them and arbitrates every race (SPEC §3–§8).
//!
//! [`Switchboard`] is a plain struct: no sockets, no tasks, no clock. The shell feeds it inputs
//! with the current [`Instant`](std::time::Instant) and carries out what it asks for.
//!
//! # Drive loop
//!
//! 1. Once credentials check out, admit the connection with
//!    [`handle_authenticated`](Switchboard::handle_authenticated); on [`AdmitError`] reply
//!    `error` with [`AdmitError::code`].
//! 2. Feed every decoded frame to [`handle_frame`](Switchboard::handle_frame), every closed
//!    connection to [`handle_disconnected`](Switchboard::handle_disconnected), and account
//!    changes to [`set_account`](Switchboard::set_account) /
//!    [`remove_account`](Switchboard::remove_account).
//! 3. After each input drain the outputs until empty: [`poll_transmit`](Switchboard::poll_transmit)
//!    (send the frame on its connection, in order), [`poll_record`](Switchboard::poll_record)
//!    (persist the call record), [`poll_close`](Switchboard::poll_close) (close the connection).
//! 4. Sleep until [`poll_timeout`](Switchboard::poll_timeout), then call
//!    [`handle_timeout`](Switchboard::handle_timeout). Every input also fires the timers due at
//!    its `now` first, so the order of events is the order of time.
//! 5. On the way down, [`shutdown`](Switchboard::shutdown) ends everything cleanly.
//!
//! # Model
//!
//! - A *device* is `(uid, device_id)`. It outlives its connections: after a disconnect it is
//!   away for `reconnect_grace`, still counting for presence and keeping its invitations; the
//!   same device id admitted in time resumes, and its `welcome` snapshot shows everything it
//!   missed. After the grace period it is gone and the invitations and calls that needed it end.
//! - Each *invitation* is one state machine (`invitation::phase`) whose phase follows only from
//!   the ordered inputs it has seen: the first terminal input wins, later ones get `already_end`.
//! - What each party device sees is a *view* of that phase. Frames are the difference between
//!   what a device was last told and its view now, so live frames and snapshots always agree.
//! - Call records and the missed-call rules are in `records`.
//!
//! # Layout
//!
//! - `config`, `io`: the public types the shell uses.
//! - `invitation`: one invitation's state machine (`phase`) and per-device views (`view`).
//! - `switchboard`: the [`Switchboard`] and its inputs, by concern (`admission`, `invite`,
//!   `requests`, `drive`, `snapshot`, `presence`).
//! - `devices`, `timers`, `clock`, `records`: the parts it is built from.
#![warn(missing_docs)]

mod clock;
mod config;
mod devices;
mod invitation;
mod io;
mod records;
mod switchboard;
mod timers;

/// The hash map of the switchboard (and of the hub around it). Their keys include ids that
/// clients choose (invitation and device ids), so the hash must be keyed, as std's SipHash is,
/// for a client not to be able to craft colliding keys; aHash is keyed the same way (random
/// keys per process) with resistance to such attacks as its stated goal, and costs a fraction
/// of SipHash on these short keys: the switchboard looks up ~130 keys per call
/// (docs/performance.md, eighth round).
pub type HashMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;

pub use config::Config;
pub use io::{Account, AdmitError, Authenticated, CloseReason, ConnId, Transmit};
pub use switchboard::Switchboard;
