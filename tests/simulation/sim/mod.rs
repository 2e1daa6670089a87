//! The simulated world: one switchboard behind a minimal shell, several engines (a device each),
//! the network between them and one virtual clock.
//!
//! The drive loop, repeated by [`Sim::run`]:
//!
//! 1. Find the earliest thing due: a packet arriving, the switchboard's or an engine's
//!    `poll_timeout`, or a device's next dial.
//! 2. Jump the clock there and do it, in a fixed order (packets by arrival then send order,
//!    then the switchboard's timers, then the engines', then dials).
//! 3. After every input, drain that part's outputs: frames go into pipes, closes follow the
//!    frames sent before them, events and states go to the [`Tracker`].
//!
//! The shell's part (authentication) is played here: a `login` or `authenticate` frame that
//! reaches the server admits the connection with `handle_authenticated`, as the real shell does
//! once the credentials check out.

pub mod net;
pub mod summary;
pub mod track;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ringer_engine::{
    ApiError, Backoff, ConnectionState, Credentials, Engine, EngineConfig, Event, Invite, Transmit,
};
use ringer_proto::{
    CallRecord, ClientFrame, DeviceId, DisplayName, InvitationId, Password, RefuseReason, Response,
    ServerFrame, Status, Token, Uid,
};
use ringer_switchboard::{Account, Authenticated, Config, ConnId, Switchboard};

use net::{Conn, Packet, Pipe};
use track::Tracker;

/// The wall time of the simulation's start.
pub const EPOCH_MS: u64 = 1_700_000_000_000;

/// A device: an index into the world's devices.
pub type Dev = usize;

pub fn uid(s: &str) -> Uid {
    Uid::new(s).expect("test uid is valid")
}

pub fn iid(s: &str) -> InvitationId {
    InvitationId::new(s).expect("test invitation id is valid")
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// Whether a device may dial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    /// Dials (again) whenever the engine wants to, after its backoff.
    Free,
    /// Does not dial before this instant.
    Until(Instant),
    /// Does not dial until told to.
    Forever,
}

/// One device: an engine, its socket and everything it did.
pub struct Device {
    pub name: String,
    pub engine: Engine,
    conn: Option<ConnId>,
    backoff: Backoff,
    redial_at: Option<Instant>,
    hold: Hold,
    /// Delays for the device's next connections, device to server and back.
    up_delay: Duration,
    down_delay: Duration,
    /// Every event, with when it happened and a world-wide sequence number; `taken` of them
    /// were already read by a scenario.
    pub events: Vec<(Instant, u64, Event)>,
    taken: usize,
}

/// The world.
pub struct Sim {
    pub now: Instant,
    t0: Instant,
    sb: Switchboard,
    server_gen: u32,
    config: Config,
    accounts: Vec<Account>,
    pub devices: Vec<Device>,
    conns: BTreeMap<ConnId, Conn>,
    next_conn: u64,
    next_seq: u64,
    next_token: u64,
    /// Every packet delivered, as `t=… from -> to: frame`.
    pub wire: Vec<String>,
    wire_taken: usize,
    /// Every call record the switchboard emitted.
    pub records: Vec<(Uid, CallRecord)>,
    pub track: Tracker,
}

impl Sim {
    /// A world with the default switchboard config. `parties` names each uid with its number of
    /// devices; the devices are numbered in that order. Nobody is connected yet.
    pub fn new(parties: &[(&str, usize)]) -> Self {
        Self::with_config(parties, Config::default())
    }

    pub fn with_config(parties: &[(&str, usize)], config: Config) -> Self {
        let t0 = Instant::now();
        let mut sim = Sim {
            now: t0,
            t0,
            sb: Switchboard::new(config.clone(), "server-1".into(), t0, EPOCH_MS),
            server_gen: 1,
            config,
            accounts: Vec::new(),
            devices: Vec::new(),
            conns: BTreeMap::new(),
            next_conn: 0,
            next_seq: 0,
            next_token: 0,
            wire: Vec::new(),
            wire_taken: 0,
            records: Vec::new(),
            track: Tracker::default(),
        };
        for (p, (user, count)) in parties.iter().enumerate() {
            sim.accounts.push(Account {
                uid: uid(user),
                display_name: DisplayName::new(format!("{user} name")).expect("valid name"),
                enabled: true,
            });
            for n in 0..*count {
                let device_id = DeviceId::new(format!("{user}-{n}")).expect("valid device id");
                let engine = Engine::new(
                    EngineConfig::new(uid(user), device_id),
                    Credentials::Password(Password::new("secret").expect("valid password")),
                );
                let name = format!("{user}/{n}");
                sim.track.add_device(name.clone());
                let seed = ((p as u64) << 8) | n as u64;
                sim.devices.push(Device {
                    name,
                    engine,
                    conn: None,
                    backoff: Backoff::new(seed),
                    redial_at: None,
                    hold: Hold::Forever,
                    up_delay: Duration::ZERO,
                    down_delay: Duration::ZERO,
                    events: Vec::new(),
                    taken: 0,
                });
            }
        }
        sim.add_accounts();
        sim
    }

    fn add_accounts(&mut self) {
        for account in self.accounts.clone() {
            self.sb.set_account(account, self.now);
        }
        self.pump_server();
    }

    /// The device numbered `n` of `user`.
    pub fn dev(&self, user: &str, n: usize) -> Dev {
        self.devices
            .iter()
            .position(|d| d.name == format!("{user}/{n}"))
            .expect("a device of the simulation")
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.now.saturating_duration_since(self.t0)
    }

    // ---- the network -------------------------------------------------------------------------

    /// Sets the delays of `d`'s current and future connections (device to server, and back).
    pub fn set_delays(&mut self, d: Dev, up: Duration, down: Duration) {
        self.devices[d].up_delay = up;
        self.devices[d].down_delay = down;
        if let Some(conn) = self.devices[d].conn.and_then(|c| self.conns.get_mut(&c)) {
            conn.up.delay = up;
            conn.down.delay = down;
        }
    }

    /// Lets `d` dial now (and again whenever its connection drops).
    pub fn online(&mut self, d: Dev) {
        self.devices[d].hold = Hold::Free;
        if self.devices[d].conn.is_none() {
            self.devices[d].redial_at = Some(self.now);
        }
        self.run_due();
    }

    /// Brings every device online and lets the logins complete.
    pub fn connect_all(&mut self) {
        for d in 0..self.devices.len() {
            self.online(d);
        }
        self.run(secs(1));
        for d in &self.devices {
            assert_eq!(
                d.engine.connection_state(),
                ConnectionState::Connected,
                "{} logged in",
                d.name
            );
        }
    }

    /// The connection of `d` breaks at once; both ends notice; whatever was in flight is lost.
    /// The device dials again after its backoff unless held offline.
    pub fn drop_link(&mut self, d: Dev) {
        if let Some(c) = self.devices[d].conn.take() {
            if let Some(conn) = self.conns.get_mut(&c) {
                conn.up.clear();
                conn.down.clear();
                conn.engine_open = false;
                let server_side = conn.server_open && conn.server_gen == self.server_gen;
                conn.server_open = false;
                if server_side {
                    self.sb.handle_disconnected(c, self.now);
                    self.pump_server();
                }
            }
            self.devices[d].engine.handle_disconnected(self.now);
            self.pump_engine(d);
        }
        self.gc_conns();
    }

    /// Takes `d` offline (its connection drops) until [`Sim::online`].
    pub fn offline(&mut self, d: Dev) {
        self.devices[d].hold = Hold::Forever;
        self.devices[d].redial_at = None;
        self.drop_link(d);
    }

    /// Takes `d` offline for `d`uration; it dials again after that (and its backoff).
    pub fn outage(&mut self, d: Dev, duration: Duration) {
        let until = self.now + duration;
        self.devices[d].hold = Hold::Until(until);
        self.devices[d].redial_at = None;
        self.drop_link(d);
        if self.devices[d].conn.is_none() && self.devices[d].redial_at.is_none() {
            self.devices[d].redial_at = Some(until);
        }
    }

    /// The connection of `d` goes silent both ways without anyone being told (half-open). The
    /// engine finds out through its heartbeat; the server when the device connects again.
    pub fn cut(&mut self, d: Dev) {
        if let Some(conn) = self.devices[d].conn.and_then(|c| self.conns.get_mut(&c)) {
            conn.up.clear();
            conn.down.clear();
            conn.up.blackholed = true;
            conn.down.blackholed = true;
        }
    }

    /// The server process dies and a fresh one (a new `server_id`, no memory) takes its place.
    /// `graceful`: the old one shuts down first (its farewells are delivered); otherwise every
    /// connection breaks at once.
    pub fn restart_server(&mut self, graceful: bool) {
        if graceful {
            self.sb.shutdown(self.now);
            self.pump_server();
        }
        let ids: Vec<ConnId> = self.conns.keys().copied().collect();
        for c in ids {
            let Some(conn) = self.conns.get_mut(&c) else {
                continue;
            };
            conn.up.clear();
            conn.server_open = false;
            if !graceful && conn.engine_open {
                conn.down.clear();
                conn.engine_open = false;
                let d = conn.device;
                if self.devices[d].conn == Some(c) {
                    self.devices[d].conn = None;
                    self.devices[d].engine.handle_disconnected(self.now);
                    self.pump_engine(d);
                }
            }
        }
        self.server_gen += 1;
        self.sb = Switchboard::new(
            self.config.clone(),
            format!("server-{}", self.server_gen),
            self.t0,
            EPOCH_MS,
        );
        self.add_accounts();
        self.gc_conns();
    }

    // ---- user actions ------------------------------------------------------------------------

    /// `d` sends invitation `id` to `callee`.
    pub fn send(&mut self, d: Dev, id: &str, callee: &str) -> Result<(), ApiError> {
        let invite = Invite {
            id: iid(id),
            callee: uid(callee),
            content: None,
            channel_id: None,
        };
        self.send_invite(d, invite)
    }

    pub fn send_invite(&mut self, d: Dev, invite: Invite) -> Result<(), ApiError> {
        let id = invite.id.clone();
        let result = self.devices[d].engine.send(invite, self.now);
        if result.is_ok() {
            self.track.sent_invitation(d, &id);
        }
        self.after_verb(d, &result);
        result
    }

    pub fn cancel(&mut self, d: Dev, id: &str) -> Result<(), ApiError> {
        self.cancel_id(d, &iid(id))
    }

    pub fn cancel_id(&mut self, d: Dev, id: &InvitationId) -> Result<(), ApiError> {
        let result = self.devices[d].engine.cancel(id, self.now);
        self.after_verb(d, &result);
        result
    }

    /// `d` accepts with the response `ok`.
    pub fn accept(&mut self, d: Dev, id: &str) -> Result<(), ApiError> {
        self.accept_id(d, &iid(id))
    }

    pub fn accept_id(&mut self, d: Dev, id: &InvitationId) -> Result<(), ApiError> {
        let response = Some(Response::new("ok").expect("valid response"));
        let result = self.devices[d].engine.accept(id, response, self.now);
        self.after_verb(d, &result);
        result
    }

    pub fn refuse(&mut self, d: Dev, id: &str) -> Result<(), ApiError> {
        self.refuse_id(d, &iid(id), None)
    }

    pub fn refuse_id(
        &mut self,
        d: Dev,
        id: &InvitationId,
        reason: Option<RefuseReason>,
    ) -> Result<(), ApiError> {
        let result = self.devices[d].engine.refuse(id, None, reason, self.now);
        self.after_verb(d, &result);
        result
    }

    pub fn hang_up(&mut self, d: Dev, id: &str) -> Result<(), ApiError> {
        self.hang_up_id(d, &iid(id))
    }

    pub fn hang_up_id(&mut self, d: Dev, id: &InvitationId) -> Result<(), ApiError> {
        let result = self.devices[d].engine.hang_up(id, self.now);
        self.after_verb(d, &result);
        result
    }

    pub fn set_status(&mut self, d: Dev, status: Status) -> Result<(), ApiError> {
        let result = self.devices[d]
            .engine
            .set_status(status, None, self.now)
            .map(|_| ());
        self.after_verb(d, &result);
        result
    }

    /// A verb that failed must have changed nothing; one that worked has its outputs drained.
    fn after_verb(&mut self, d: Dev, result: &Result<(), ApiError>) {
        if let Err(err) = result {
            if let Some(t) = self.devices[d].engine.poll_transmit() {
                let what = format!("the verb failed ({err}) yet transmitted {t:?}");
                self.violation(d, what);
            }
            if let Some(e) = self.devices[d].engine.poll_event() {
                let what = format!("the verb failed ({err}) yet emitted {e:?}");
                self.violation(d, what);
            }
        }
        self.pump_engine(d);
        self.run_due();
    }

    // ---- time --------------------------------------------------------------------------------

    /// Runs the world for `d`, doing everything due on the way, each at its own instant.
    pub fn run(&mut self, d: Duration) {
        let until = self.now + d;
        self.run_until(until);
    }

    pub fn run_until(&mut self, until: Instant) {
        loop {
            self.run_due();
            match self.next_at() {
                Some(at) if at <= until => self.now = self.now.max(at),
                Some(_) | None => break,
            }
        }
        self.now = self.now.max(until);
        self.run_due();
    }

    /// The earliest instant something is due.
    fn next_at(&self) -> Option<Instant> {
        let packets = self
            .conns
            .values()
            .flat_map(|c| [c.up.head(), c.down.head()])
            .flatten()
            .map(|(at, _)| at);
        let engines = self.devices.iter().filter_map(|d| d.engine.poll_timeout());
        let dials = self.devices.iter().filter_map(|d| d.redial_at);
        packets
            .chain(engines)
            .chain(dials)
            .chain(self.sb.poll_timeout())
            .min()
    }

    /// Does everything due at `now` (or before), until nothing is.
    fn run_due(&mut self) {
        for _ in 0..100_000 {
            if !self.step_due() {
                return;
            }
        }
        panic!("the world did not come to rest at t={:?}", self.elapsed());
    }

    /// Does one thing due now; false when nothing is.
    fn step_due(&mut self) -> bool {
        let now = self.now;
        let packet = self
            .conns
            .iter()
            .flat_map(|(id, c)| {
                [
                    c.up.head().map(|h| (h, *id, true)),
                    c.down.head().map(|h| (h, *id, false)),
                ]
            })
            .flatten()
            .filter(|((at, _), _, _)| *at <= now)
            .min_by_key(|((at, seq), _, _)| (*at, *seq));
        if let Some((_, conn, up)) = packet {
            if up {
                self.deliver_up(conn);
            } else {
                self.deliver_down(conn);
            }
            return true;
        }
        if self.sb.poll_timeout().is_some_and(|at| at <= now) {
            self.sb.handle_timeout(now);
            self.pump_server();
            return true;
        }
        for d in 0..self.devices.len() {
            if self.devices[d]
                .engine
                .poll_timeout()
                .is_some_and(|at| at <= now)
            {
                self.devices[d].engine.handle_timeout(now);
                self.pump_engine(d);
                return true;
            }
        }
        for d in 0..self.devices.len() {
            if self.devices[d].redial_at.is_some_and(|at| at <= now) {
                self.devices[d].redial_at = None;
                self.dial(d);
                return true;
            }
        }
        false
    }

    // ---- the parts ---------------------------------------------------------------------------

    fn dial(&mut self, d: Dev) {
        if self.devices[d].conn.is_some() {
            return;
        }
        self.next_conn += 1;
        let id = ConnId(self.next_conn);
        let dev = &mut self.devices[d];
        self.conns.insert(
            id,
            Conn {
                device: d,
                server_gen: self.server_gen,
                up: Pipe::new(dev.up_delay),
                down: Pipe::new(dev.down_delay),
                engine_open: true,
                server_open: true,
            },
        );
        dev.conn = Some(id);
        dev.engine.handle_connecting(self.now);
        dev.engine.handle_connected(self.now);
        self.pump_engine(d);
    }

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// A packet from a device reaches the server.
    fn deliver_up(&mut self, c: ConnId) {
        let Some(conn) = self.conns.get_mut(&c) else {
            return;
        };
        let Some(packet) = conn.up.pop() else {
            return;
        };
        let open = conn.server_open && conn.server_gen == self.server_gen;
        let name = self.devices[conn.device].name.clone();
        if !open {
            self.gc_conns();
            return;
        }
        match packet {
            Packet::Close => {
                self.log_wire(format!("{name} -> server: close"));
                if let Some(conn) = self.conns.get_mut(&c) {
                    conn.server_open = false;
                }
                self.sb.handle_disconnected(c, self.now);
                self.pump_server();
            }
            Packet::Frame(text) => match ringer_proto::decode_client(&text) {
                Ok(frame) => {
                    self.log_wire(format!(
                        "{name} -> server: {}",
                        summary::client_frame(&frame)
                    ));
                    self.shell_frame(c, frame);
                }
                Err(err) => self.wire_violation(format!("server cannot decode {text}: {err:?}")),
            },
        }
        self.gc_conns();
    }

    /// The shell's share: authentication, logout; everything else goes to the switchboard.
    fn shell_frame(&mut self, c: ConnId, frame: ClientFrame) {
        let (req, uid, device_id, token) = match frame {
            ClientFrame::Login {
                req,
                uid,
                device_id,
                ..
            } => {
                self.next_token += 1;
                let token = Token::new(format!("tok-{}", self.next_token)).expect("valid token");
                (req, uid, device_id, Some(token))
            }
            ClientFrame::Authenticate {
                req,
                uid,
                device_id,
                ..
            } => (req, uid, device_id, None),
            ClientFrame::Logout { req } => {
                self.sb.handle_logout(c, self.now);
                self.server_send(c, ServerFrame::Ok { req });
                self.server_close(c);
                self.pump_server();
                return;
            }
            other @ (ClientFrame::RenewToken { .. }
            | ClientFrame::Invite { .. }
            | ClientFrame::Received { .. }
            | ClientFrame::Cancel { .. }
            | ClientFrame::Accept { .. }
            | ClientFrame::Refuse { .. }
            | ClientFrame::Confirm { .. }
            | ClientFrame::HangUp { .. }
            | ClientFrame::SetStatus { .. }
            | ClientFrame::QueryPresence { .. }
            | ClientFrame::Subscribe { .. }
            | ClientFrame::Unsubscribe { .. }
            | ClientFrame::History { .. }
            | ClientFrame::Directory { .. }
            | ClientFrame::Ping {}) => {
                // Renewal and history are the shell's too, but nothing here sends them; the
                // switchboard answers them `unsupported`, which the engine reports.
                self.sb.handle_frame(c, other, self.now);
                self.pump_server();
                return;
            }
        };
        let auth = Authenticated {
            req,
            uid,
            device_id,
            token,
            token_expires_at: EPOCH_MS + 30 * 24 * 3600 * 1000,
        };
        if let Err(err) = self.sb.handle_authenticated(c, auth, self.now) {
            let frame = ServerFrame::Error {
                req: Some(req),
                code: err.code(),
                message: err.to_string(),
            };
            self.server_send(c, frame);
        }
        self.pump_server();
    }

    /// A packet from the server reaches a device.
    fn deliver_down(&mut self, c: ConnId) {
        let Some(conn) = self.conns.get_mut(&c) else {
            return;
        };
        let Some(packet) = conn.down.pop() else {
            return;
        };
        let d = conn.device;
        let current = conn.engine_open && self.devices[d].conn == Some(c);
        if !current {
            self.gc_conns();
            return;
        }
        let name = self.devices[d].name.clone();
        match packet {
            Packet::Close => {
                self.log_wire(format!("server -> {name}: close"));
                if let Some(conn) = self.conns.get_mut(&c) {
                    conn.engine_open = false;
                }
                self.devices[d].conn = None;
                self.devices[d].engine.handle_disconnected(self.now);
                self.pump_engine(d);
            }
            Packet::Frame(text) => match ringer_proto::decode_server(&text) {
                Ok(frame) => {
                    self.log_wire(format!(
                        "server -> {name}: {}",
                        summary::server_frame(&frame)
                    ));
                    self.devices[d].engine.handle_frame(frame, self.now);
                    self.pump_engine(d);
                }
                Err(err) => self.wire_violation(format!("{name} cannot decode {text}: {err:?}")),
            },
        }
        self.gc_conns();
    }

    fn server_send(&mut self, c: ConnId, frame: ServerFrame) {
        let seq = self.seq();
        let text = ringer_proto::encode(&frame);
        match self.conns.get_mut(&c) {
            Some(conn) if conn.server_open => conn.down.push(self.now, seq, Packet::Frame(text)),
            Some(_) | None => {
                let what = format!(
                    "switchboard sent {} to a closed connection",
                    summary::server_frame(&frame)
                );
                self.wire_violation(what);
            }
        }
    }

    /// The server closes a connection after what it sent on it.
    fn server_close(&mut self, c: ConnId) {
        let seq = self.seq();
        if let Some(conn) = self.conns.get_mut(&c)
            && conn.server_open
        {
            conn.server_open = false;
            conn.down.push(self.now, seq, Packet::Close);
            self.sb.handle_disconnected(c, self.now);
        }
    }

    /// Drains the switchboard's outputs.
    fn pump_server(&mut self) {
        loop {
            let mut any = false;
            while let Some(t) = self.sb.poll_transmit() {
                any = true;
                self.server_send(t.conn, t.frame);
            }
            while let Some(record) = self.sb.poll_record() {
                any = true;
                self.records.push(record);
            }
            while let Some((c, _reason)) = self.sb.poll_close() {
                any = true;
                self.server_close(c);
            }
            if !any {
                break;
            }
        }
        if let Some(at) = self.sb.poll_timeout()
            && at < self.now
        {
            self.wire_violation(format!("switchboard timer {:?} in the past", self.now - at));
        }
    }

    /// Drains an engine's outputs and watches its invariants.
    fn pump_engine(&mut self, d: Dev) {
        let t = self.elapsed();
        while let Some(transmit) = self.devices[d].engine.poll_transmit() {
            match transmit {
                Transmit::Frame(frame) => {
                    self.track.frame_sent(t, d, &frame);
                    let text = ringer_proto::encode(&frame);
                    match ringer_proto::decode_client(&text) {
                        Ok(back) if back == frame => {}
                        Ok(_) | Err(_) => {
                            self.violation(d, format!("{frame:?} does not round-trip"))
                        }
                    }
                    let seq = self.seq();
                    match self.devices[d].conn.and_then(|c| self.conns.get_mut(&c)) {
                        Some(conn) => conn.up.push(self.now, seq, Packet::Frame(text)),
                        None => {
                            let what =
                                format!("sent {} without a socket", summary::client_frame(&frame));
                            self.violation(d, what);
                        }
                    }
                }
                Transmit::Disconnect => {
                    if let Some(c) = self.devices[d].conn.take() {
                        let seq = self.seq();
                        if let Some(conn) = self.conns.get_mut(&c) {
                            conn.engine_open = false;
                            conn.down.clear();
                            conn.up.push(self.now, seq, Packet::Close);
                        }
                        self.devices[d].engine.handle_disconnected(self.now);
                    }
                }
            }
        }
        self.track.states(t, d, &self.devices[d].engine);
        while let Some(event) = self.devices[d].engine.poll_event() {
            self.track.event(t, d, &event);
            if let Event::LoggedIn { .. } = event {
                self.devices[d].backoff.reset();
            }
            let seq = self.seq();
            self.devices[d].events.push((self.now, seq, event));
        }
        if let Some(at) = self.devices[d].engine.poll_timeout()
            && at < self.now
        {
            self.violation(d, format!("engine timer {:?} in the past", self.now - at));
        }
        let dev = &mut self.devices[d];
        if dev.conn.is_none() && dev.redial_at.is_none() && dev.engine.should_reconnect() {
            let after = self.now + dev.backoff.next_delay();
            dev.redial_at = match dev.hold {
                Hold::Free => Some(after),
                Hold::Until(until) => Some(after.max(until)),
                Hold::Forever => None,
            };
        }
    }

    fn gc_conns(&mut self) {
        self.conns.retain(|_, c| !c.is_finished());
    }

    fn log_wire(&mut self, line: String) {
        let t = self.elapsed().as_millis();
        self.wire.push(format!("t={t} {line}"));
    }

    fn violation(&mut self, d: Dev, what: String) {
        let line = format!(
            "t={}ms {}: {what}",
            self.elapsed().as_millis(),
            self.devices[d].name
        );
        self.track.violations.push(line);
    }

    fn wire_violation(&mut self, what: String) {
        let line = format!("t={}ms {what}", self.elapsed().as_millis());
        self.track.violations.push(line);
    }

    // ---- reading what happened ---------------------------------------------------------------

    /// The invitation and call events of `d` since the last call, as SPEC.md names them.
    pub fn take(&mut self, d: Dev) -> Vec<String> {
        let dev = &mut self.devices[d];
        let new = &dev.events[dev.taken..];
        dev.taken = dev.events.len();
        new.iter()
            .filter(|(_, _, e)| summary::event_id(e).is_some())
            .map(|(_, _, e)| summary::event(e))
            .collect()
    }

    /// Every event of `d` (connection changes too) since the last `take`.
    pub fn take_all(&mut self, d: Dev) -> Vec<String> {
        let dev = &mut self.devices[d];
        let new = &dev.events[dev.taken..];
        dev.taken = dev.events.len();
        new.iter().map(|(_, _, e)| summary::event(e)).collect()
    }

    /// The invitation and call events of every device since the last read, in the order they
    /// happened, as `device: event`.
    pub fn take_everyone(&mut self) -> Vec<String> {
        let mut all: Vec<(u64, String)> = Vec::new();
        for dev in &mut self.devices {
            for (_, seq, e) in &dev.events[dev.taken..] {
                if summary::event_id(e).is_some() {
                    all.push((*seq, format!("{}: {}", dev.name, summary::event(e))));
                }
            }
            dev.taken = dev.events.len();
        }
        all.sort_by_key(|(seq, _)| *seq);
        all.into_iter().map(|(_, s)| s).collect()
    }

    /// The packets delivered since the last call that concern invitation `id`.
    pub fn take_wire(&mut self, id: &str) -> Vec<String> {
        let needle = format!("({id}");
        let new = self.wire[self.wire_taken..]
            .iter()
            .filter(|l| l.contains(&needle))
            .map(|l| {
                l.split_once(' ')
                    .map_or(l.clone(), |(_, rest)| rest.to_owned())
            })
            .collect();
        self.wire_taken = self.wire.len();
        new
    }

    /// Panics with every violation seen so far, if any.
    pub fn assert_clean(&self) {
        assert!(
            self.track.violations.is_empty(),
            "invariants broken:\n{}",
            self.track.violations.join("\n")
        );
    }

    /// True while `d` is logged in.
    pub fn is_connected(&self, d: Dev) -> bool {
        self.devices[d].engine.connection_state() == ConnectionState::Connected
    }

    /// True when a packet like `server -> alice/0: error(already_end)` was delivered.
    pub fn wire_has(&self, line: &str) -> bool {
        self.wire.iter().any(|l| l.ends_with(line))
    }

    /// Invitations of `d` that are neither ended nor a call.
    pub fn live_invitations(&self, d: Dev) -> Vec<InvitationId> {
        let engine = &self.devices[d].engine;
        let locals = engine.local_invitation_ids().filter(|id| {
            engine
                .local_invitation(id)
                .is_some_and(|s| !s.is_terminal())
        });
        let remotes = engine.remote_invitation_ids().filter(|id| {
            engine
                .remote_invitation(id)
                .is_some_and(|s| !s.is_terminal())
        });
        locals.chain(remotes).cloned().collect()
    }

    /// Live calls of `d`.
    pub fn live_calls(&self, d: Dev) -> Vec<InvitationId> {
        let engine = &self.devices[d].engine;
        engine
            .local_invitation_ids()
            .chain(engine.remote_invitation_ids())
            .filter(|id| engine.call_state(id) == Some(ringer_engine::CallState::Live))
            .cloned()
            .collect()
    }

    /// Checks the end-of-run invariants (see [`Tracker::check_settled`]).
    pub fn check_settled(&mut self) {
        let t = self.elapsed();
        self.track.check_settled(t);
    }

    /// The switchboard, for presence checks.
    pub fn switchboard(&self) -> &Switchboard {
        &self.sb
    }
}
