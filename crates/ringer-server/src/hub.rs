//! The hub: the one task that owns the [`Switchboard`].
//!
//! It `select!`s over a bounded input channel fed by the connection tasks, the switchboard's
//! next timer, and the shutdown token. After every input it drains the switchboard's outputs:
//! transmits go to the connections' bounded outbound queues, call records to the store writer,
//! close requests to the connections.
//!
//! A connection whose outbound queue is full is a **slow consumer**: rather than buffer without
//! bound or stall everyone else, the hub cuts it (as if it had disconnected; the switchboard's
//! reconnect grace then applies, so a client that catches up and reconnects loses nothing).

use std::collections::HashMap;
use std::time::Instant;

use ringer_proto::{CallRecord, ClientFrame, ServerFrame, Uid};
use ringer_switchboard::{AdmitError, Authenticated, CloseReason, ConnId, Switchboard};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Utf8Bytes;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_util::sync::CancellationToken;

/// How many inputs the hub's channel holds before connection readers wait.
pub const INPUT_QUEUE: usize = 1024;

/// Most inputs handled per wake-up of the hub (outputs are then sent together).
const INPUT_BATCH: usize = 64;

/// How many call records wait for the store writer before new ones are dropped (with an error
/// log); the writer batches, so this is only reached if the disk stalls or the writer gets
/// little CPU for seconds. Only the records actually waiting take memory.
pub const RECORD_QUEUE: usize = 16_384;

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
            conns: HashMap::new(),
            accounts: accounts.into_iter().map(|a| (a.uid.clone(), a)).collect(),
            records,
        }
    }

    /// Runs until `shutdown` is cancelled (then ends every invitation with `server_restart` and
    /// closes every connection) or every input sender is gone.
    pub async fn run(mut self, mut inputs: mpsc::Receiver<HubInput>, shutdown: CancellationToken) {
        // One timer, moved only when the switchboard's next deadline changes: a new `Sleep` per
        // input would register with tokio's timer wheel (behind its lock) every time.
        let timer = tokio::time::sleep_until(tokio::time::Instant::now());
        tokio::pin!(timer);
        let mut armed: Option<Instant> = None;
        let mut batch = Vec::with_capacity(INPUT_BATCH);
        loop {
            let deadline = self.switchboard.poll_timeout();
            if deadline != armed {
                if let Some(deadline) = deadline {
                    timer.as_mut().reset(deadline.into());
                }
                armed = deadline;
            }
            tokio::select! {
                biased;
                () = shutdown.cancelled() => {
                    self.shutdown(now());
                    break;
                }
                received = inputs.recv_many(&mut batch, INPUT_BATCH) => {
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
        tracing::debug!("hub stopped");
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
                reply,
            } => {
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
            let changed = old.is_none_or(|old| {
                old.display_name != account.display_name || old.enabled != account.enabled
            });
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
    fn drain(&mut self, now: Instant) {
        loop {
            let mut progressed = false;
            while let Some(transmit) = self.switchboard.poll_transmit() {
                progressed = true;
                self.send(
                    transmit.conn,
                    Outbound::Frame(Box::new(transmit.frame)),
                    now,
                );
            }
            while let Some((uid, record)) = self.switchboard.poll_record() {
                progressed = true;
                if let Err(err) = self.records.try_send((uid, record)) {
                    let reason = err.to_string();
                    let (uid, record) = err.into_inner();
                    tracing::error!(%uid, id = %record.id, %reason,
                        "call record dropped: the store writer is behind");
                }
            }
            while let Some((conn, reason)) = self.switchboard.poll_close() {
                progressed = true;
                self.send(conn, close_for(reason), now);
            }
            if !progressed {
                break;
            }
        }
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
    use super::Outbound;

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
