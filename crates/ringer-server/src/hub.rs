//! The hub: the one task that owns the [`Switchboard`].
//!
//! It `select!`s over a bounded input channel fed by the connection tasks, the switchboard's
//! next timer, and the shutdown token. After every input it drains the switchboard's outputs:
//! transmits go to the connections' bounded outbound queues, call records to the store writer,
//! close requests to the connections.
//!
//! Call records are never dropped: when the writer's queue is full, the hub keeps the records
//! that did not fit and takes no new input until the writer has room for them. Signalling then
//! slows down to the pace of the disk (connection readers wait on the full input channel, and
//! TCP pushes back on the clients) instead of losing calls from people's history.
//!
//! A connection whose outbound queue is full is a **slow consumer**: rather than buffer without
//! bound or stall everyone else, the hub cuts it (as if it had disconnected; the switchboard's
//! reconnect grace then applies, so a client that catches up and reconnects loses nothing).

use std::collections::VecDeque;
use std::time::Instant;

use ringer_proto::{CallRecord, ClientFrame, ServerFrame, Uid};
use ringer_switchboard::{
    AdmitError, Authenticated, CloseReason, ConnId, HashMap, Switchboard, Transmit,
};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_util::sync::CancellationToken;

/// How many inputs the hub's channel holds before connection readers wait.
pub const INPUT_QUEUE: usize = 1024;

/// Most inputs handled per wake-up of the hub (outputs are then sent together).
pub const INPUT_BATCH: usize = 64;

/// How many call records wait for the store writer before the hub stops taking input; the
/// writer batches, so this is only reached if the disk stalls or the writer gets little CPU for
/// seconds. Only the records actually waiting take memory.
pub const RECORD_QUEUE: usize = 16_384;

/// Least time between two warnings that the store writer is behind (under sustained overload
/// the hub pauses many times a second).
const BACKLOG_WARNING_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// What a connection's writer sends. Small, because each connection's queue allocates a block
/// of 32 slots up front: the frame is boxed (an inline `ServerFrame` made a slot ~150 bytes).
#[derive(Debug)]
pub enum Outbound {
    /// A frame.
    Frame(Box<ServerFrame>),
    /// A close frame; the writer stops after it.
    Close(CloseFrame),
}

impl Outbound {
    /// A close frame with `code` and `reason`.
    pub fn close(code: CloseCode, reason: &'static str) -> Outbound {
        Outbound::Close(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        })
    }
}

/// What connection tasks and the account watcher tell the hub.
#[derive(Debug)]
pub enum HubInput {
    /// A WebSocket connection opened (not yet authenticated).
    Register {
        /// The connection.
        conn: ConnId,
        /// Its outbound queue.
        tx: mpsc::Sender<Outbound>,
        /// Cuts the connection at once.
        kill: CancellationToken,
    },
    /// The store accepted the connection's credentials; admit it as a device.
    Admit {
        /// The connection.
        conn: ConnId,
        /// Who it is.
        auth: Authenticated,
        /// The account's sessions epoch when its credentials were checked.
        sessions_epoch: u64,
        /// The account as the store had it then (boxed: admissions are rare, frames are not).
        account: Box<ringer_store::Account>,
        /// The switchboard's verdict.
        reply: oneshot::Sender<Result<(), AdmitError>>,
    },
    /// A frame from an admitted connection, for the switchboard.
    Frame {
        /// The connection.
        conn: ConnId,
        /// The frame.
        frame: ClientFrame,
    },
    /// The admitted connection signed out: its device leaves at once, without grace.
    LoggedOut {
        /// The connection.
        conn: ConnId,
    },
    /// The connection ended.
    Disconnected {
        /// The connection.
        conn: ConnId,
    },
    /// The accounts as the store now has them (all of them).
    Accounts(Vec<ringer_store::Account>),
}

struct ConnHandle {
    tx: mpsc::Sender<Outbound>,
    kill: CancellationToken,
    /// The uid, once admitted.
    uid: Option<Uid>,
    /// The sessions epoch its credentials were checked under.
    sessions_epoch: u64,
}

/// The switchboard and the routes to its connections.
pub struct Hub {
    switchboard: Switchboard,
    conns: HashMap<ConnId, ConnHandle>,
    accounts: HashMap<Uid, ringer_store::Account>,
    records: mpsc::Sender<(Uid, CallRecord)>,
    /// Records the writer's queue had no room for, oldest first.
    unsent_records: VecDeque<(Uid, CallRecord)>,
    /// The frames [`Hub::drain`] holds back until the others are queued (kept for its
    /// allocation).
    held: Vec<Transmit>,
}

impl Hub {
    /// A hub around `switchboard`, which already knows `accounts`.
    pub fn new(
        switchboard: Switchboard,
        accounts: Vec<ringer_store::Account>,
        records: mpsc::Sender<(Uid, CallRecord)>,
    ) -> Hub {
        Hub {
            switchboard,
            conns: HashMap::default(),
            accounts: accounts.into_iter().map(|a| (a.uid.clone(), a)).collect(),
            records,
            unsent_records: VecDeque::new(),
            held: Vec::new(),
        }
    }

    /// Runs until `shutdown` is cancelled (then ends every invitation with `server_restart` and
    /// closes every connection) or every input sender is gone; then hands the writer every
    /// record it has not taken yet.
    pub async fn run(mut self, inputs: mpsc::Receiver<HubInput>, shutdown: CancellationToken) {
        self.serve(inputs, shutdown).await;
        while let Some(record) = self.unsent_records.pop_front() {
            if self.records.send(record).await.is_err() {
                tracing::error!(
                    records = self.unsent_records.len() + 1,
                    "call records lost: the store writer stopped"
                );
                break;
            }
        }
        tracing::debug!("hub stopped");
    }

    async fn serve(&mut self, mut inputs: mpsc::Receiver<HubInput>, shutdown: CancellationToken) {
        // One timer, moved only when the switchboard's next deadline changes: a new `Sleep` per
        // input would register with tokio's timer wheel (behind its lock) every time.
        let timer = tokio::time::sleep_until(tokio::time::Instant::now());
        // Made once too: a `cancelled()` made in the loop would register with the token and
        // leave it again, behind its locks, on every wake-up of the hub.
        let stopped = shutdown.cancelled();
        tokio::pin!(timer, stopped);
        let mut armed: Option<Instant> = None;
        let mut batch = Vec::with_capacity(INPUT_BATCH);
        let mut backlog_since: Option<Instant> = None;
        let mut backlog_warned: Option<Instant> = None;
        // A second handle, so that a reserved slot does not borrow `self`.
        let records = self.records.clone();
        loop {
            let deadline = self.switchboard.poll_timeout();
            if deadline != armed {
                if let Some(deadline) = deadline {
                    timer.as_mut().reset(deadline.into());
                }
                armed = deadline;
            }
            let backlogged = !self.unsent_records.is_empty();
            if backlogged && backlog_since.is_none() {
                backlog_since = Some(Instant::now());
                if backlog_warned.is_none_or(|at: Instant| at.elapsed() >= BACKLOG_WARNING_EVERY) {
                    tracing::warn!(
                        "the store writer is behind: taking no input until it catches up"
                    );
                    backlog_warned = backlog_since;
                }
            } else if !backlogged && let Some(since) = backlog_since.take() {
                tracing::debug!(
                    waited_us = since.elapsed().as_micros(),
                    "the store writer caught up"
                );
            }
            tokio::select! {
                biased;
                () = &mut stopped => {
                    self.shutdown(now());
                    break;
                }
                permit = records.reserve(), if backlogged => {
                    // An error means the writer is gone; `send_records` then logs each loss.
                    if let Ok(permit) = permit
                        && let Some(record) = self.unsent_records.pop_front()
                    {
                        permit.send(record);
                    }
                    self.send_records();
                }
                received = inputs.recv_many(&mut batch, INPUT_BATCH), if !backlogged => {
                    if received == 0 {
                        break;
                    }
                    let now = now();
                    for input in batch.drain(..) {
                        self.handle(input, now);
                    }
                }
                () = &mut timer, if armed.is_some() => {
                    armed = None;
                    self.switchboard.handle_timeout(now());
                }
            }
            self.drain(now());
        }
    }

    fn handle(&mut self, input: HubInput, now: Instant) {
        match input {
            HubInput::Register { conn, tx, kill } => {
                self.conns.insert(
                    conn,
                    ConnHandle {
                        tx,
                        kill,
                        uid: None,
                        sessions_epoch: 0,
                    },
                );
            }
            HubInput::Admit {
                conn,
                auth,
                sessions_epoch,
                account,
                reply,
            } => {
                // An account created, enabled again or renamed since the store was last polled:
                // its credentials were just checked against this row, which is newer than the
                // hub's (unless an admin command raced the check: the next poll corrects that).
                let known = self.accounts.get(&account.uid);
                if known.is_none_or(|known| !same_for_switchboard(known, &account)) {
                    let what = if known.is_some() { "updated" } else { "added" };
                    tracing::info!(uid = %account.uid, enabled = account.enabled, "account {what}");
                    self.switchboard
                        .set_account(switchboard_account(&account), now);
                    self.accounts.insert(account.uid.clone(), *account);
                }
                let uid = auth.uid.clone();
                let result = if self.conns.contains_key(&conn) {
                    self.switchboard.handle_authenticated(conn, auth, now)
                } else {
                    // Cut (slow consumer) while its credentials were being checked.
                    Err(AdmitError::UnknownAccount)
                };
                if result.is_ok()
                    && let Some(handle) = self.conns.get_mut(&conn)
                {
                    handle.uid = Some(uid);
                    handle.sessions_epoch = sessions_epoch;
                }
                // The welcome is already queued; drain before replying so that it goes out
                // before anything the connection sends itself.
                self.drain(now);
                let _ = reply.send(result);
            }
            HubInput::Frame { conn, frame } => {
                if self.conns.get(&conn).is_some_and(|h| h.uid.is_some()) {
                    self.switchboard.handle_frame(conn, frame, now);
                }
            }
            HubInput::LoggedOut { conn } => {
                if let Some(handle) = self.conns.remove(&conn)
                    && handle.uid.is_some()
                {
                    self.switchboard.handle_logout(conn, now);
                }
            }
            HubInput::Disconnected { conn } => self.forget(conn, false, now),
            HubInput::Accounts(accounts) => self.reload_accounts(accounts, now),
        }
    }

    /// Brings the switchboard's accounts in line with the store's.
    fn reload_accounts(&mut self, accounts: Vec<ringer_store::Account>, now: Instant) {
        let mut fresh: HashMap<Uid, ringer_store::Account> =
            accounts.into_iter().map(|a| (a.uid.clone(), a)).collect();
        let gone: Vec<Uid> = self
            .accounts
            .keys()
            .filter(|uid| !fresh.contains_key(*uid))
            .cloned()
            .collect();
        for uid in gone {
            tracing::info!(%uid, "account removed");
            self.switchboard.remove_account(&uid, now);
        }
        for (uid, account) in &fresh {
            let old = self.accounts.get(uid);
            let changed = old.is_none_or(|old| !same_for_switchboard(old, account));
            if changed {
                tracing::info!(%uid, enabled = account.enabled, "account updated");
                self.switchboard
                    .set_account(switchboard_account(account), now);
            }
        }
        // Devices signed in under an older sessions epoch had their tokens revoked (logout
        // everywhere, password change): they must sign in again. One pass over the
        // connections, not one per account: a team's every account is reloaded at once.
        let revoked: Vec<(ConnId, Uid)> = self
            .conns
            .iter()
            .filter_map(|(conn, h)| {
                let uid = h.uid.as_ref()?;
                let account = fresh.get(uid)?;
                (account.enabled && h.sessions_epoch < account.sessions_epoch)
                    .then(|| (*conn, uid.clone()))
            })
            .collect();
        for (conn, uid) in revoked {
            tracing::info!(%uid, conn = conn.0, "sessions revoked; closing the device");
            self.send(
                conn,
                Outbound::close(CloseCode::Policy, "session revoked"),
                now,
            );
        }
        self.accounts = std::mem::take(&mut fresh);
    }

    /// Sends every output the switchboard has queued.
    ///
    /// The frames for the connection named first (usually the sender of the input, whose reply
    /// the switchboard queues first) are queued after the others: the writers run in the order
    /// they are woken on one thread, so an invite's `invitation` then leaves before the
    /// caller's `ok` (docs/performance.md, ninth round). Each connection's frames keep their
    /// order; between connections there is none to keep.
    fn drain(&mut self, now: Instant) {
        let mut held = std::mem::take(&mut self.held);
        loop {
            let mut progressed = false;
            let mut first = None;
            while let Some(transmit) = self.switchboard.poll_transmit() {
                progressed = true;
                if *first.get_or_insert(transmit.conn) == transmit.conn {
                    held.push(transmit);
                } else {
                    self.send_frame(transmit, now);
                }
            }
            for transmit in held.drain(..) {
                self.send_frame(transmit, now);
            }
            while let Some(record) = self.switchboard.poll_record() {
                progressed = true;
                self.unsent_records.push_back(record);
            }
            self.send_records();
            while let Some((conn, reason)) = self.switchboard.poll_close() {
                progressed = true;
                self.send(conn, close_for(reason), now);
            }
            if !progressed {
                break;
            }
        }
        self.held = held;
    }

    /// Hands the writer, in order, as many unsent records as its queue has room for.
    fn send_records(&mut self) {
        while let Some(record) = self.unsent_records.pop_front() {
            match self.records.try_send(record) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(record)) => {
                    self.unsent_records.push_front(record);
                    break;
                }
                Err(mpsc::error::TrySendError::Closed((uid, record))) => {
                    tracing::error!(%uid, id = %record.id, "call record lost: the store writer stopped");
                }
            }
        }
    }

    fn send_frame(&mut self, transmit: Transmit, now: Instant) {
        let out = Outbound::Frame(Box::new(transmit.frame));
        self.send(transmit.conn, out, now);
    }

    fn send(&mut self, conn: ConnId, out: Outbound, now: Instant) {
        let Some(handle) = self.conns.get(&conn) else {
            return;
        };
        match handle.tx.try_send(out) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(conn = conn.0, "slow consumer: outbound queue full, closing");
                self.forget(conn, true, now);
            }
            // The connection is ending; its `Disconnected` follows.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    /// Drops a connection's route and tells the switchboard, once; `cut` also aborts the
    /// connection's tasks (otherwise its writer still sends what is queued).
    fn forget(&mut self, conn: ConnId, cut: bool, now: Instant) {
        if let Some(handle) = self.conns.remove(&conn) {
            if cut {
                handle.kill.cancel();
            }
            if handle.uid.is_some() {
                self.switchboard.handle_disconnected(conn, now);
            }
        }
    }

    fn shutdown(&mut self, now: Instant) {
        tracing::info!(
            connections = self.conns.len(),
            "ending live invitations and closing connections"
        );
        self.switchboard.shutdown(now);
        self.drain(now);
        // Connections that never authenticated are unknown to the switchboard.
        let conns: Vec<ConnId> = self.conns.keys().copied().collect();
        for conn in conns {
            self.send(
                conn,
                Outbound::close(CloseCode::Away, "server shutting down"),
                now,
            );
        }
    }
}

fn close_for(reason: CloseReason) -> Outbound {
    match reason {
        CloseReason::Banned => Outbound::close(CloseCode::Policy, "banned_by_server"),
        CloseReason::Replaced => {
            Outbound::close(CloseCode::Normal, "replaced by a newer connection")
        }
        CloseReason::Shutdown => Outbound::close(CloseCode::Away, "server shutting down"),
    }
}

/// Whether the switchboard would see no difference between `a` and `b`.
fn same_for_switchboard(a: &ringer_store::Account, b: &ringer_store::Account) -> bool {
    a.display_name == b.display_name && a.enabled == b.enabled
}

fn switchboard_account(account: &ringer_store::Account) -> ringer_switchboard::Account {
    ringer_switchboard::Account {
        uid: account.uid.clone(),
        display_name: account.display_name.clone(),
        enabled: account.enabled,
    }
}

/// Loads `accounts` into a new switchboard.
pub fn load_accounts(
    switchboard: &mut Switchboard,
    accounts: &[ringer_store::Account],
    now: Instant,
) {
    for account in accounts {
        switchboard.set_account(switchboard_account(account), now);
    }
}

/// The shell's clock; tokio's, so that tests may pause it.
pub fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Wake, Waker};
    use std::time::Duration;

    use ringer_proto::{ClientFrame, DeviceId, DisplayName, InvitationId, ServerFrame, Uid};
    use ringer_switchboard::{Authenticated, ConnId, Switchboard};
    use tokio::sync::{mpsc, oneshot};
    use tokio_util::sync::CancellationToken;

    use super::{Hub, HubInput, Outbound, now};

    fn account(uid: &str) -> ringer_store::Account {
        ringer_store::Account {
            uid: Uid::new(uid).expect("uid"),
            display_name: DisplayName::new(uid).expect("display name"),
            enabled: true,
            sessions_epoch: 0,
        }
    }

    /// What the store's check of `uid`'s credentials gives the hub.
    fn authenticated(uid: &str) -> Authenticated {
        Authenticated {
            req: 1,
            uid: Uid::new(uid).expect("uid"),
            device_id: DeviceId::new(format!("{uid}-device")).expect("device id"),
            token: None,
            token_expires_at: 0,
        }
    }

    /// Registers and admits `uid` as connection `conn`; returns its outbound queue.
    async fn sign_in(
        hub: &mpsc::Sender<HubInput>,
        conn: ConnId,
        uid: &str,
    ) -> mpsc::Receiver<Outbound> {
        let (tx, rx) = mpsc::channel(1024);
        let kill = CancellationToken::new();
        hub.send(HubInput::Register { conn, tx, kill })
            .await
            .expect("hub running");
        let (reply, verdict) = oneshot::channel();
        let auth = authenticated(uid);
        hub.send(HubInput::Admit {
            conn,
            auth,
            sessions_epoch: 0,
            account: Box::new(account(uid)),
            reply,
        })
        .await
        .expect("hub running");
        verdict.await.expect("verdict").expect("admitted");
        rx
    }

    /// With a store writer that takes nothing for a while, the hub keeps every record, in
    /// order, and hands them over once the writer reads again.
    #[tokio::test]
    async fn call_records_wait_for_a_slow_writer_and_none_is_lost() {
        let accounts = vec![account("alice"), account("bob")];
        let mut switchboard = Switchboard::new(Default::default(), "test".to_owned(), now(), 0);
        super::load_accounts(&mut switchboard, &accounts, now());
        let (records_tx, mut records_rx) = mpsc::channel(1);
        let (hub_tx, hub_rx) = mpsc::channel(64);
        let shutdown = CancellationToken::new();
        let hub =
            tokio::spawn(Hub::new(switchboard, accounts, records_tx).run(hub_rx, shutdown.clone()));
        let mut alice = sign_in(&hub_tx, ConnId(1), "alice").await;
        let _bob = sign_in(&hub_tx, ConnId(2), "bob").await;

        // Each canceled invitation makes two records (the caller's and the callee's): all but
        // the first wait in the hub, as the writer's queue holds one.
        const CALLS: u64 = 20;
        let sender = hub_tx.clone();
        let calls = tokio::spawn(async move {
            for n in 0..CALLS {
                let id = InvitationId::new(format!("call-{n}")).expect("id");
                let invite = ClientFrame::Invite {
                    req: 2 * n + 10,
                    id: id.clone(),
                    callee: Uid::new("bob").expect("uid"),
                    content: None,
                    channel_id: None,
                };
                let cancel = ClientFrame::Cancel {
                    req: 2 * n + 11,
                    id,
                };
                for frame in [invite, cancel] {
                    let input = HubInput::Frame {
                        conn: ConnId(1),
                        frame,
                    };
                    sender.send(input).await.expect("hub running");
                }
            }
        });

        // Once the first cancel is answered, its two records exist and one had no room: the
        // hub must still hold it (an earlier version dropped it with an error log).
        loop {
            let out = alice.recv().await.expect("alice's queue open");
            if let Outbound::Frame(frame) = out
                && matches!(*frame, ServerFrame::Ok { req: 11 })
            {
                break;
            }
        }
        let mut received = Vec::new();
        while received.len() < 2 * CALLS as usize {
            let record = tokio::time::timeout(Duration::from_secs(10), records_rx.recv())
                .await
                .expect("a record within 10 s")
                .expect("hub running");
            received.push(record);
        }
        calls.await.expect("frames sent");
        let ids: Vec<String> = received
            .iter()
            .map(|(_, record)| record.id.to_string())
            .collect();
        let expected: Vec<String> = (0..CALLS)
            .flat_map(|n| [format!("call-{n}"), format!("call-{n}")])
            .collect();
        assert_eq!(ids, expected, "every record, in order");
        for pair in received.chunks(2) {
            let mut uids: Vec<&str> = pair.iter().map(|(uid, _)| uid.as_str()).collect();
            uids.sort_unstable();
            assert_eq!(uids, ["alice", "bob"]);
        }
        shutdown.cancel();
        hub.await.expect("hub stopped");
    }

    /// Notes its label in the log when woken.
    struct WakeLog {
        label: &'static str,
        log: WakeLogs,
    }

    impl Wake for WakeLog {
        fn wake(self: Arc<Self>) {
            self.log.lock().expect("log").push(self.label);
        }
    }

    /// Takes what is queued, then leaves a waker that logs `label` when more arrives.
    fn listen(rx: &mut mpsc::Receiver<Outbound>, label: &'static str, log: &WakeLogs) -> usize {
        let waker = Waker::from(Arc::new(WakeLog {
            label,
            log: Arc::clone(log),
        }));
        let mut cx = Context::from_waker(&waker);
        let mut taken = 0;
        while rx.poll_recv(&mut cx).is_ready() {
            taken += 1;
        }
        taken
    }

    type WakeLogs = Arc<Mutex<Vec<&'static str>>>;

    /// [`sign_in`] without the hub's task: the hub is called directly.
    fn admit(hub: &mut Hub, conn: ConnId, uid: &str) -> mpsc::Receiver<Outbound> {
        let (tx, rx) = mpsc::channel(16);
        let kill = CancellationToken::new();
        hub.handle(HubInput::Register { conn, tx, kill }, now());
        let (reply, _verdict) = oneshot::channel();
        let auth = authenticated(uid);
        let input = HubInput::Admit {
            conn,
            auth,
            sessions_epoch: 0,
            account: Box::new(account(uid)),
            reply,
        };
        hub.handle(input, now());
        rx
    }

    #[test]
    fn an_invitation_is_queued_before_the_reply_to_its_sender() {
        let accounts = vec![account("alice"), account("bob")];
        let mut switchboard = Switchboard::new(Default::default(), "test".to_owned(), now(), 0);
        super::load_accounts(&mut switchboard, &accounts, now());
        let (records, _records_rx) = mpsc::channel(16);
        let mut hub = Hub::new(switchboard, accounts, records);
        let mut alice = admit(&mut hub, ConnId(1), "alice");
        let mut bob = admit(&mut hub, ConnId(2), "bob");
        let log = WakeLogs::default();
        assert!(listen(&mut alice, "alice", &log) > 0, "alice's welcome");
        assert!(listen(&mut bob, "bob", &log) > 0, "bob's welcome");

        let invite = ClientFrame::Invite {
            req: 7,
            id: InvitationId::new("call-1").expect("id"),
            callee: Uid::new("bob").expect("uid"),
            content: None,
            channel_id: None,
        };
        hub.handle(
            HubInput::Frame {
                conn: ConnId(1),
                frame: invite,
            },
            now(),
        );
        hub.drain(now());
        assert_eq!(*log.lock().expect("log"), ["bob", "alice"]);
        let frame = |out: Option<Outbound>| match out {
            Some(Outbound::Frame(frame)) => *frame,
            other => panic!("expected a frame, got {other:?}"),
        };
        assert!(matches!(
            frame(bob.try_recv().ok()),
            ServerFrame::Invitation { .. }
        ));
        assert!(matches!(
            frame(alice.try_recv().ok()),
            ServerFrame::Ok { req: 7 }
        ));
    }

    #[test]
    fn an_outbound_slot_is_small() {
        // Each connection's queue preallocates 32 slots: at most 64 bytes each keeps that block
        // ~2 KiB per idle connection (an inline `ServerFrame` made it ~4.8 KiB).
        assert!(
            std::mem::size_of::<Outbound>() <= 64,
            "Outbound is {} bytes",
            std::mem::size_of::<Outbound>()
        );
    }
}
