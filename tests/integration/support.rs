//! What every area needs: a real server over a real SQLite data directory on 127.0.0.1:0, real
//! `ringer_client::Client`s wrapped as [`Party`]s that record their events, a raw WebSocket
//! client for forged frames ([`raw`]) and a TCP proxy that can cut a client off ([`proxy`]).

pub mod proxy;
pub mod raw;
pub mod scenario;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ringer_client::{
    Client, ClientConfig, ConnectionChangeReason, ConnectionState, Credentials, Event, EventStream,
    Invite, Session,
};
use ringer_proto::{
    CallRecord, Content, DeviceId, Direction, DisplayName, FailureReason, InvitationId, Password,
    Uid,
};
use ringer_server::{ServerConfig, ServerHandle};
use ringer_store::{Store, StoreOptions};
use tempfile::TempDir;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How long a test waits for something that should happen promptly before it fails: a guard
/// against hangs, never a timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Every test user's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// A short server timer, for the timeouts a test waits out.
pub const SHORT: Duration = Duration::from_millis(300);

pub fn uid(s: &str) -> Uid {
    Uid::new(s).expect("valid uid")
}

pub fn device(s: &str) -> DeviceId {
    DeviceId::new(s).expect("valid device id")
}

/// A fresh invitation id, as a real caller picks it.
pub fn fresh_id() -> InvitationId {
    InvitationId::new(uuid::Uuid::new_v4().to_string()).expect("a uuid is a valid id")
}

pub fn password() -> Credentials {
    Credentials::Password(Password::new(PASSWORD).expect("valid password"))
}

/// The display name every test user gets: the uid, capitalised.
pub fn display_name(user: &str) -> String {
    let mut chars = user.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// An invitation with content, so that the callee can check it arrived as sent.
pub fn invite(id: &InvitationId, callee: &str) -> Invite {
    Invite {
        id: id.clone(),
        callee: uid(callee),
        content: Some(Content::new(format!("call {id}")).expect("valid content")),
        channel_id: None,
    }
}

/// A running server, its data directory and the configuration it was started with (so that it
/// can be restarted on the same address and data).
pub struct Server {
    handle: Option<ServerHandle>,
    config: ServerConfig,
    pub dir: TempDir,
    pub addr: SocketAddr,
    pub url: String,
}

impl Server {
    /// A server with test defaults and `users`.
    pub async fn start(users: &[&str]) -> Server {
        Server::start_with(users, |_| {}).await
    }

    /// Like [`Server::start`], with `configure` applied to the configuration.
    pub async fn start_with(users: &[&str], configure: impl FnOnce(&mut ServerConfig)) -> Server {
        let dir = tempfile::tempdir().expect("a temporary data directory");
        add_users(&open_store(&dir), users);
        let listen = "127.0.0.1:0".parse().expect("valid address");
        let mut config = ServerConfig::with_defaults(listen, dir.path().to_owned())
            .expect("the defaults are valid");
        // Argon2 at production cost would make every login take most of a second.
        config.store = StoreOptions::insecure_for_tests();
        config.limits.account_poll_interval = Duration::from_millis(50);
        configure(&mut config);
        let handle = ringer_server::serve(config.clone(), CancellationToken::new())
            .await
            .expect("the server starts");
        let addr = handle.local_addr();
        let url = handle.url();
        Server {
            handle: Some(handle),
            config,
            dir,
            addr,
            url,
        }
    }

    /// This run's id.
    pub fn server_id(&self) -> String {
        self.handle
            .as_ref()
            .expect("the server is running")
            .server_id()
            .to_owned()
    }

    /// Stops the server gracefully and waits until it has stopped; the data stays.
    pub async fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            tokio::time::timeout(PATIENCE, handle.shutdown())
                .await
                .expect("the server stops");
        }
    }

    /// Starts a new server run on the same address and data directory.
    pub async fn start_again(&mut self) {
        assert!(self.handle.is_none(), "stop the server first");
        let mut config = self.config.clone();
        config.listen = self.addr;
        let handle = ringer_server::serve(config, CancellationToken::new())
            .await
            .expect("the server starts again on the same address");
        assert_eq!(handle.local_addr(), self.addr);
        self.handle = Some(handle);
    }

    /// A new raw WebSocket connection.
    pub async fn raw(&self) -> raw::Raw {
        raw::Raw::connect(&self.url).await
    }

    /// A raw connection signed in as `user` on `device_id`.
    pub async fn raw_login(&self, user: &str, device_id: &str) -> (raw::Raw, raw::Json) {
        let mut conn = self.raw().await;
        let welcome = conn.login(user, PASSWORD, device_id).await;
        (conn, welcome)
    }

    /// A real client signed in as `user` on `device_id` with the password.
    pub async fn party(&self, user: &str, device_id: &str) -> Party {
        Party::signed_in(config(&self.url, user, device_id)).await
    }

    /// Alice on her laptop and bob on his phone, both signed in.
    pub async fn alice_and_bob(&self) -> (Party, Party) {
        let alice = self.party("alice", "alice-laptop").await;
        let bob = self.party("bob", "bob-phone").await;
        (alice, bob)
    }

    /// The server's store, opened beside it as an admin command does.
    pub fn store(&self) -> Store {
        open_store(&self.dir)
    }

    /// The call records of `user`, straight from the store, newest first.
    pub fn history_in_store(&self, user: &str) -> Vec<CallRecord> {
        self.store()
            .history(&uid(user), 100)
            .expect("read the history")
    }
}

fn open_store(dir: &TempDir) -> Store {
    Store::open_with(dir.path(), StoreOptions::insecure_for_tests()).expect("open the test store")
}

fn add_users(store: &Store, users: &[&str]) {
    let password = Password::new(PASSWORD).expect("valid password");
    for name in users {
        let display = DisplayName::new(display_name(name)).expect("valid display name");
        store
            .add_user(&uid(name), Some(&display), &password)
            .expect("add a test user");
    }
}

/// A client configuration for `user` with the test password and a fixed backoff seed.
pub fn config(url: &str, user: &str, device_id: &str) -> ClientConfig {
    let mut config = ClientConfig::new(url, uid(user), device(device_id), password());
    config.backoff_seed = Some(7);
    config
}

/// Orders events across parties: every event gets the next number when its party's pump reads
/// it from the client's stream.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// One real client (one device) and the events it has reported.
pub struct Party {
    pub name: String,
    pub uid: Uid,
    pub client: Client,
    pub session: Option<Session>,
    events: mpsc::UnboundedReceiver<(u64, Event)>,
    /// Call events read while waiting for something else, to be returned first.
    backlog: VecDeque<(u64, Event)>,
    /// Everything read so far, for failure messages.
    log: Vec<Event>,
    last_seq: u64,
}

impl Party {
    /// Spawns a client and waits until it is signed in.
    pub async fn signed_in(config: ClientConfig) -> Party {
        let mut party = Party::spawn(config);
        let session = party
            .client
            .wait_connected(PATIENCE)
            .await
            .unwrap_or_else(|e| panic!("{} signs in: {e}", party.name));
        party.session = Some(session);
        party
    }

    /// Spawns a client without waiting for anything.
    pub fn spawn(config: ClientConfig) -> Party {
        let name = format!("{}@{}", config.uid, config.device_id);
        let uid = config.uid.clone();
        let (client, stream) = Client::spawn(config).expect("a valid client configuration");
        Party {
            name,
            uid,
            client,
            session: None,
            events: pump(stream),
            backlog: VecDeque::new(),
            log: Vec::new(),
            last_seq: 0,
        }
    }

    /// The session token from the password login.
    pub fn token(&self) -> ringer_proto::Token {
        self.session
            .as_ref()
            .and_then(|s| s.token.clone())
            .expect("a password login returns a token")
    }

    /// Sends an invitation with a fresh id to `callee` and returns the id.
    pub async fn send_invite(&self, callee: &str) -> InvitationId {
        let id = fresh_id();
        self.client.send(invite(&id, callee)).await.expect("sent");
        id
    }

    /// The next event with its sequence number; fails the test if none comes in time.
    pub async fn next(&mut self) -> (u64, Event) {
        if let Some((seq, event)) = self.backlog.pop_front() {
            self.last_seq = seq;
            return (seq, event);
        }
        let next = tokio::time::timeout(PATIENCE, self.events.recv()).await;
        match next {
            Ok(Some((seq, event))) => {
                self.log.push(event.clone());
                self.last_seq = seq;
                (seq, event)
            }
            Ok(None) => panic!("{}: the event stream ended; saw {:#?}", self.name, self.log),
            Err(_) => panic!("{}: no event in time; saw {:#?}", self.name, self.log),
        }
    }

    /// Reads events until a connection, presence or status event matches `want`; invitation
    /// and call events read meanwhile stay queued for [`Party::next_call_event`].
    pub async fn wait_for(&mut self, what: &str, want: impl Fn(&Event) -> bool) -> (u64, Event) {
        let found = tokio::time::timeout(PATIENCE, async {
            while let Some((seq, event)) = self.events.recv().await {
                self.log.push(event.clone());
                if want(&event) {
                    return Some((seq, event));
                }
                if is_call_event(&event) {
                    self.backlog.push_back((seq, event));
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(found)) => found,
            Ok(None) | Err(_) => {
                panic!("{}: never saw {what}; saw {:#?}", self.name, self.log)
            }
        }
    }

    /// The next event about an invitation or a call, skipping connection, presence and status
    /// events.
    pub async fn next_call_event(&mut self) -> (u64, Event) {
        loop {
            let (seq, event) = self.next().await;
            if is_call_event(&event) {
                return (seq, event);
            }
        }
    }

    /// Asserts that the next invitation or call event is `expected`; returns its number.
    pub async fn expect(&mut self, expected: Event) -> u64 {
        let (seq, event) = self.next_call_event().await;
        assert_eq!(event, expected, "{}: unexpected event", self.name);
        seq
    }

    /// The sequence number of the event read last.
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Waits for this caller's invitation `id` to fail with `reason`.
    pub async fn expect_failure(&mut self, id: &InvitationId, reason: FailureReason) {
        self.expect(Event::LocalInvitationFailure {
            id: id.clone(),
            reason,
            error: None,
        })
        .await;
    }

    /// Waits for the invitation to arrive and returns it.
    pub async fn expect_invitation(&mut self, id: &InvitationId) -> ringer_proto::InvitationInfo {
        let (_, event) = self.next_call_event().await;
        if let Event::RemoteInvitationReceived { invitation } = &event
            && invitation.id == *id
        {
            return invitation.clone();
        }
        panic!("{}: expected the invitation {id}, got {event:?}", self.name)
    }

    /// Waits until the client reports `connected` again after a new login.
    pub async fn expect_reconnected(&mut self) {
        self.wait_for("connected again", |e| {
            *e == Event::ConnectionStateChanged {
                state: ConnectionState::Connected,
                reason: ConnectionChangeReason::LoginSuccess,
            }
        })
        .await;
    }

    /// Waits until the client has noticed that its connection is gone.
    pub async fn expect_interrupted(&mut self) {
        self.wait_for("reconnecting", |e| {
            matches!(
                e,
                Event::ConnectionStateChanged {
                    state: ConnectionState::Reconnecting,
                    ..
                }
            )
        })
        .await;
    }

    /// Waits for the uid's record of invitation `id` (the server writes records off its hot
    /// path, so ask until it is there).
    pub async fn record(&self, id: &InvitationId) -> CallRecord {
        let found = tokio::time::timeout(PATIENCE, async {
            loop {
                let history = self
                    .client
                    .history(Some(500))
                    .await
                    .expect("the history request succeeds");
                if let Some(record) = history.into_iter().find(|r| r.id == *id) {
                    return record;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        found.unwrap_or_else(|_| panic!("{}: no call record for {id}", self.name))
    }

    /// Stops the client.
    pub async fn shutdown(&self) {
        self.client.shutdown().await;
    }
}

/// Checks the parts of a call record every test cares about.
pub fn assert_record(
    record: &CallRecord,
    peer: &str,
    direction: Direction,
    outcome: ringer_proto::Outcome,
    reason: Option<&str>,
    missed: bool,
) {
    assert_eq!(record.peer, uid(peer), "{record:?}");
    assert_eq!(record.direction, direction, "{record:?}");
    assert_eq!(record.outcome, outcome, "{record:?}");
    assert_eq!(record.reason.as_deref(), reason, "{record:?}");
    assert_eq!(record.missed, missed, "{record:?}");
    assert!(record.ended_at >= record.started_at, "{record:?}");
}

fn is_call_event(event: &Event) -> bool {
    match event {
        Event::LocalInvitationReceivedByPeer { .. }
        | Event::LocalInvitationAccepted { .. }
        | Event::LocalInvitationRefused { .. }
        | Event::LocalInvitationCanceled { .. }
        | Event::LocalInvitationFailure { .. }
        | Event::RemoteInvitationReceived { .. }
        | Event::RemoteInvitationAccepted { .. }
        | Event::RemoteInvitationRefused { .. }
        | Event::RemoteInvitationCanceled { .. }
        | Event::RemoteInvitationFailure { .. }
        | Event::CallEnded { .. } => true,
        Event::ConnectionStateChanged { .. }
        | Event::LoggedIn { .. }
        | Event::PresenceChanged { .. }
        | Event::StatusChanged { .. }
        | Event::Reply { .. }
        | Event::RequestFailed { .. } => false,
    }
}

/// Reads the client's stream as fast as it delivers, numbering each event.
fn pump(mut stream: EventStream) -> mpsc::UnboundedReceiver<(u64, Event)> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(event) = stream.next().await {
            let seq = SEQUENCE.fetch_add(1, Ordering::SeqCst);
            if tx.send((seq, event)).is_err() {
                break;
            }
        }
    });
    rx
}

/// Two users in a live call (alice called bob), to show that what a test does to the server
/// does not touch anyone else.
pub struct Bystanders {
    pub alice: Party,
    pub bob: Party,
    pub id: InvitationId,
}

impl Bystanders {
    /// Signs alice and bob in and puts them in a call.
    pub async fn in_a_call(server: &Server) -> Bystanders {
        let (mut alice, mut bob) = server.alice_and_bob().await;
        let id = scenario::ring(&mut alice, &mut bob).await;
        scenario::answer(&mut alice, &mut bob, &id).await;
        Bystanders { alice, bob, id }
    }

    /// Checks that nothing happened to the call, then ends it and checks both sides saw the end.
    pub async fn hang_up(mut self) {
        assert!(
            self.alice.client.is_connected() && self.bob.client.is_connected(),
            "the bystanders stay connected"
        );
        scenario::hang_up(&mut self.bob, &mut self.alice, &self.id).await;
    }
}
