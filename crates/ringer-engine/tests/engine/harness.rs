//! A scripted server around one engine: feeds frames, jumps virtual time, collects outputs.

use std::time::{Duration, Instant};

use ringer_engine::{Credentials, Engine, EngineConfig, Event, Invite, Transmit};
use ringer_proto::{
    ClientFrame, DeviceId, DisplayName, InvitationId, InvitationInfo, InvitationState, Password,
    ReqId, Role, ServerFrame, SnapshotEntry, Status, Token, Uid, Welcome,
};

pub const ME: &str = "alice";
pub const PEER: &str = "bob";
pub const SERVER: &str = "server-1";

pub fn uid(s: &str) -> Uid {
    Uid::new(s).expect("test uid is valid")
}

pub fn iid(s: &str) -> InvitationId {
    InvitationId::new(s).expect("test invitation id is valid")
}

pub fn config() -> EngineConfig {
    let mut config = EngineConfig::new(
        uid(ME),
        DeviceId::new("laptop-1").expect("test device id is valid"),
    );
    config.client = Some(ringer_proto::ClientName::new("tests").expect("valid client name"));
    config
}

pub fn password() -> Credentials {
    Credentials::Password(Password::new("secret").expect("valid password"))
}

pub fn token(s: &str) -> Token {
    Token::new(s).expect("valid token")
}

/// An invitation from `PEER` to `ME`.
pub fn incoming(id: &str) -> InvitationInfo {
    InvitationInfo {
        id: iid(id),
        caller: uid(PEER),
        caller_name: DisplayName::new("Bob").expect("valid display name"),
        callee: uid(ME),
        content: None,
        channel_id: None,
        sent_at: 1_000,
    }
}

/// An invitation from `ME` to `PEER`, as the server would echo it.
pub fn outgoing(id: &str) -> InvitationInfo {
    InvitationInfo {
        id: iid(id),
        caller: uid(ME),
        caller_name: DisplayName::new("Alice").expect("valid display name"),
        callee: uid(PEER),
        content: None,
        channel_id: None,
        sent_at: 1_000,
    }
}

pub fn invite(id: &str) -> Invite {
    Invite {
        id: iid(id),
        callee: uid(PEER),
        content: None,
        channel_id: None,
    }
}

pub fn entry(info: InvitationInfo, role: Role, state: InvitationState) -> SnapshotEntry {
    SnapshotEntry {
        invitation: info,
        role,
        state,
    }
}

pub fn welcome(req: ReqId, server_id: &str, snapshot: Vec<SnapshotEntry>) -> ServerFrame {
    ServerFrame::Welcome(Box::new(Welcome {
        req,
        uid: uid(ME),
        display_name: DisplayName::new("Alice").expect("valid display name"),
        device_id: DeviceId::new("laptop-1").expect("valid device id"),
        token: Some(token("tok_1")),
        token_expires_at: 99_000,
        server_id: server_id.into(),
        heartbeat_interval_ms: 10_000,
        status: Status::Available,
        call_waiting: false,
        snapshot,
    }))
}

/// One engine, its virtual clock and everything it produced so far.
pub struct Harness {
    pub engine: Engine,
    pub now: Instant,
    pub transmits: Vec<Transmit>,
    pub events: Vec<Event>,
}

impl Harness {
    pub fn new() -> Self {
        Harness {
            engine: Engine::new(config(), password()),
            now: Instant::now(),
            transmits: Vec::new(),
            events: Vec::new(),
        }
    }

    /// A harness already logged in to `SERVER` with an empty snapshot, outputs cleared.
    pub fn connected() -> Self {
        let mut h = Harness::new();
        h.login(SERVER, Vec::new());
        h.clear();
        h
    }

    /// Moves the engine's outputs into the harness.
    pub fn pump(&mut self) {
        while let Some(t) = self.engine.poll_transmit() {
            self.transmits.push(t);
        }
        while let Some(e) = self.engine.poll_event() {
            self.events.push(e);
        }
    }

    pub fn clear(&mut self) {
        self.pump();
        self.transmits.clear();
        self.events.clear();
    }

    /// Frames sent since the last call (disconnects dropped; see `take_transmits`).
    pub fn frames(&mut self) -> Vec<ClientFrame> {
        self.take_transmits()
            .into_iter()
            .filter_map(|t| match t {
                Transmit::Frame(f) => Some(f),
                Transmit::Disconnect => None,
            })
            .collect()
    }

    pub fn take_transmits(&mut self) -> Vec<Transmit> {
        self.pump();
        std::mem::take(&mut self.transmits)
    }

    pub fn events(&mut self) -> Vec<Event> {
        self.pump();
        std::mem::take(&mut self.events)
    }

    /// Dials, opens the socket and answers the login with a welcome; returns the login frame.
    pub fn login(&mut self, server_id: &str, snapshot: Vec<SnapshotEntry>) -> ClientFrame {
        let login = self.open();
        let req = login.req().expect("login carries a request id");
        self.frame(welcome(req, server_id, snapshot));
        login
    }

    /// Dials and opens the socket; returns the login frame the engine sent.
    pub fn open(&mut self) -> ClientFrame {
        self.engine.handle_connecting(self.now);
        self.engine.handle_connected(self.now);
        self.pump();
        let pos = self
            .transmits
            .iter()
            .position(|t| {
                matches!(
                    t,
                    Transmit::Frame(ClientFrame::Login { .. } | ClientFrame::Authenticate { .. })
                )
            })
            .expect("the engine sent a login");
        match self.transmits.remove(pos) {
            Transmit::Frame(f) => f,
            Transmit::Disconnect => unreachable!("position matched a frame"),
        }
    }

    /// The socket drops and the engine logs in again with `snapshot`.
    pub fn reconnect(&mut self, server_id: &str, snapshot: Vec<SnapshotEntry>) {
        self.engine.handle_disconnected(self.now);
        self.advance(Duration::from_millis(500));
        self.login(server_id, snapshot);
    }

    pub fn frame(&mut self, frame: ServerFrame) {
        self.engine.handle_frame(frame, self.now);
        self.pump();
    }

    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// Jumps to the engine's next timeout and fires it; returns whether there was one.
    pub fn fire(&mut self) -> bool {
        match self.engine.poll_timeout() {
            Some(at) => {
                self.now = self.now.max(at);
                self.engine.handle_timeout(self.now);
                self.pump();
                true
            }
            None => false,
        }
    }

    /// The request id of the last frame of this kind sent (and still unread).
    pub fn req_of(&self, kind: &str) -> ReqId {
        self.transmits
            .iter()
            .rev()
            .find_map(|t| match t {
                Transmit::Frame(f) if f.kind() == kind => f.req(),
                Transmit::Frame(_) | Transmit::Disconnect => None,
            })
            .expect("a frame of that kind was sent")
    }

    /// Sends an invitation, acknowledges it with `ok`, and clears outputs.
    pub fn sent(&mut self, id: &str) {
        self.engine
            .send(invite(id), self.now)
            .expect("send succeeds");
        self.pump();
        let req = self.req_of("invite");
        self.frame(ServerFrame::Ok { req });
        self.clear();
    }

    /// Delivers an invitation to this device and clears outputs.
    pub fn ringing(&mut self, id: &str) {
        self.frame(ServerFrame::Invitation {
            invitation: incoming(id),
        });
        self.clear();
    }
}
