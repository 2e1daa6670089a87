//! The [`Switchboard`]: its state and its public inputs and outputs. The work is split by
//! concern into the sibling files.

mod admission;
mod drive;
mod invite;
mod presence;
mod requests;
mod snapshot;

use std::collections::VecDeque;
use std::time::Instant;

use ringer_proto::{
    CallRecord, ClientFrame, ErrorCode, Presence, ReqId, ServerFrame, Status, Uid, UnixMillis,
};

use crate::HashMap;
use crate::clock::WallClock;
use crate::config::Config;
use crate::devices::Devices;
use crate::invitation::Book;
use crate::io::{Account, AdmitError, Authenticated, CloseReason, ConnId, Transmit};
use crate::timers::Timers;

pub(crate) use presence::PresenceBook;

/// A uid's own settings, kept in memory for as long as the server runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Prefs {
    pub(crate) status: Status,
    pub(crate) call_waiting: bool,
}

/// The server's brain: admits devices, routes and arbitrates every invitation, tracks presence.
///
/// See the [crate documentation](crate) for the model and the drive loop.
pub struct Switchboard {
    config: Config,
    server_id: String,
    clock: WallClock,
    /// Looked up on every invite and presence change: hashed, since a team has thousands of
    /// accounts and ordered lookups compared uids ~14 times each (3.6 % of the server's CPU).
    accounts: HashMap<Uid, Account>,
    prefs: HashMap<Uid, Prefs>,
    devices: Devices,
    invitations: Book,
    timers: Timers,
    presence_book: PresenceBook,
    transmits: VecDeque<Transmit>,
    records: VecDeque<(Uid, CallRecord)>,
    closes: VecDeque<(ConnId, CloseReason)>,
}

impl Switchboard {
    /// A switchboard without accounts or devices.
    ///
    /// `epoch` and `epoch_unix_ms` are the same moment on the monotonic and wall clocks; wall
    /// times (`sent_at`, records) are derived from `now` through them.
    pub fn new(
        config: Config,
        server_id: String,
        epoch: Instant,
        epoch_unix_ms: UnixMillis,
    ) -> Self {
        Switchboard {
            config,
            server_id,
            clock: WallClock::new(epoch, epoch_unix_ms),
            accounts: HashMap::default(),
            prefs: HashMap::default(),
            devices: Devices::default(),
            invitations: Book::default(),
            timers: Timers::default(),
            presence_book: PresenceBook::default(),
            transmits: VecDeque::new(),
            records: VecDeque::new(),
            closes: VecDeque::new(),
        }
    }

    /// Adds or updates an account. Disabling one closes its devices at once (`poll_close` with
    /// [`CloseReason::Banned`], no grace period) and ends their invitations and calls as if
    /// their grace period had expired.
    pub fn set_account(&mut self, account: Account, now: Instant) {
        self.run_due(now);
        let uid = account.uid.clone();
        let enabled = account.enabled;
        self.accounts.insert(uid.clone(), account);
        if !enabled {
            self.ban(&uid, now);
        }
        self.presence_book.touch(&uid);
        self.flush_presence();
    }

    /// Removes an account: like disabling it, and its status is forgotten.
    pub fn remove_account(&mut self, uid: &Uid, now: Instant) {
        self.run_due(now);
        self.accounts.remove(uid);
        self.ban(uid, now);
        self.prefs.remove(uid);
        self.presence_book.touch(uid);
        self.flush_presence();
    }

    /// Admits an authenticated connection as a device of its uid.
    ///
    /// Queues `welcome` as the connection's first transmit; its snapshot carries every
    /// invitation and call the device is party to, including invitations still ringing for its
    /// uid (which the device then acknowledges with `received`). A device id that is already
    /// connected replaces its old connection (`poll_close` with [`CloseReason::Replaced`]); one
    /// within its grace period resumes.
    pub fn handle_authenticated(
        &mut self,
        conn: ConnId,
        auth: Authenticated,
        now: Instant,
    ) -> Result<(), AdmitError> {
        self.run_due(now);
        let result = self.admit(conn, auth, now);
        self.flush_presence();
        result
    }

    /// A frame from an admitted connection. `login`, `authenticate`, `logout`, `renew_token` and
    /// `history` belong to the shell; if passed here they get `error unsupported`. A frame from a
    /// connection that is not admitted gets `error not_logged_in`.
    pub fn handle_frame(&mut self, conn: ConnId, frame: ClientFrame, now: Instant) {
        self.run_due(now);
        self.dispatch(conn, frame, now);
        self.flush_presence();
    }

    /// The connection is gone. Its device stays for the grace period: it still counts for
    /// presence and keeps its invitations; the same device id admitted again in time resumes.
    pub fn handle_disconnected(&mut self, conn: ConnId, now: Instant) {
        self.run_due(now);
        self.disconnect(conn, now);
        self.flush_presence();
    }

    /// The device signed out (its token was revoked): unlike a disconnect there is no grace
    /// period, since it is not coming back; it is gone at once, and so are the invitations and
    /// calls that needed it.
    pub fn handle_logout(&mut self, conn: ConnId, now: Instant) {
        self.run_due(now);
        self.log_out(conn, now);
        self.flush_presence();
    }

    /// Fires every timer due at or before `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.run_due(now);
        self.flush_presence();
    }

    /// Ends every live invitation and call with `server_restart` on every side, and asks to
    /// close every connection.
    pub fn shutdown(&mut self, now: Instant) {
        self.run_due(now);
        self.shut_down(now);
    }

    /// The next frame to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// A finished call record for one uid, to persist.
    pub fn poll_record(&mut self) -> Option<(Uid, CallRecord)> {
        self.records.pop_front()
    }

    /// A connection the shell should close; it reports `handle_disconnected` afterwards as
    /// usual (which then changes nothing).
    pub fn poll_close(&mut self) -> Option<(ConnId, CloseReason)> {
        self.closes.pop_front()
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) next; never earlier than the `now`
    /// of the last input.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// A uid's presence now: `offline` without any device (connected or within grace) or
    /// without an enabled account, else `in_call` while in an accepted call, else `dnd` when its
    /// status says so, else `online`.
    pub fn presence(&self, uid: &Uid) -> Presence {
        self.presence_of(uid)
    }

    /// The uid an admitted connection belongs to.
    pub fn uid_of(&self, conn: ConnId) -> Option<&Uid> {
        self.devices.conn(conn).map(|c| &c.device.uid)
    }

    fn send(&mut self, conn: ConnId, frame: ServerFrame) {
        self.transmits.push_back(Transmit { conn, frame });
    }

    fn reply_ok(&mut self, conn: ConnId, req: ReqId) {
        self.send(conn, ServerFrame::Ok { req });
    }

    fn reply_error(&mut self, conn: ConnId, req: Option<ReqId>, code: ErrorCode, message: &str) {
        self.send(
            conn,
            ServerFrame::Error {
                req,
                code,
                message: message.to_owned(),
            },
        );
    }

    fn prefs_of(&self, uid: &Uid) -> Prefs {
        self.prefs.get(uid).copied().unwrap_or_default()
    }

    fn enabled_account(&self, uid: &Uid) -> Option<&Account> {
        self.accounts.get(uid).filter(|a| a.enabled)
    }
}
