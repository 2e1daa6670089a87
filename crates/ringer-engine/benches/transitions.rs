//! Engine transitions: one caller flow and one callee flow through the sans-IO client core,
//! with every output drained, as the client driver does per frame.
//!
//! Virtual time advances 1 s per input, so the engine keeps about 60 ended invitations (its
//! retention is 5 minutes), as a busy desktop client would; `*_no_pruning` keeps every one
//! (10 µs per input), which shows the cost of the per-input scan over ended invitations.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ringer_engine::{Credentials, Engine, EngineConfig, Invite, Transmit};
use ringer_proto::{
    CallEndReason, ClientFrame, DeviceId, DisplayName, InvitationId, InvitationInfo, Password,
    ServerFrame, Status, Token, Uid, Welcome,
};

fn uid(s: &str) -> Uid {
    Uid::new(s).expect("valid uid")
}

struct Bench {
    engine: Engine,
    now: Instant,
    next: u64,
    last_req: Option<u64>,
    step: Duration,
}

impl Bench {
    fn connected(step: Duration) -> Bench {
        let config = EngineConfig::new(uid("alice"), DeviceId::new("laptop").expect("valid"));
        let password = Password::new("secret").expect("valid password");
        let mut bench = Bench {
            engine: Engine::new(config, Credentials::Password(password)),
            now: Instant::now(),
            next: 0,
            last_req: None,
            step,
        };
        bench.engine.handle_connecting(bench.now);
        bench.engine.handle_connected(bench.now);
        bench.drain();
        let req = bench.last_req.expect("the engine sent login");
        bench.frame(ServerFrame::Welcome(Box::new(Welcome {
            req,
            uid: uid("alice"),
            display_name: DisplayName::new("Alice").expect("valid name"),
            device_id: DeviceId::new("laptop").expect("valid device"),
            token: Some(Token::new("tok").expect("valid token")),
            token_expires_at: u64::MAX / 2,
            server_id: "bench".to_owned(),
            heartbeat_interval_ms: 10_000,
            status: Status::Available,
            call_waiting: false,
            snapshot: Vec::new(),
        })));
        bench
    }

    fn drain(&mut self) {
        while let Some(t) = self.engine.poll_transmit() {
            if let Transmit::Frame(frame) = &t {
                self.last_req = frame.req().or(self.last_req);
                if matches!(frame, ClientFrame::Ping {}) {
                    continue;
                }
            }
            black_box(t);
        }
        while let Some(e) = self.engine.poll_event() {
            black_box(e);
        }
    }

    fn frame(&mut self, frame: ServerFrame) {
        self.now += self.step;
        self.engine.handle_frame(frame, self.now);
        self.drain();
    }

    fn id(&mut self) -> InvitationId {
        self.next += 1;
        InvitationId::new(format!("inv-{}", self.next)).expect("valid id")
    }

    /// send → ok → received_by_peer → accepted (engine confirms) → call_ended.
    fn caller_flow(&mut self) {
        let id = self.id();
        let invite = Invite {
            id: id.clone(),
            callee: uid("bob"),
            content: None,
            channel_id: None,
        };
        self.engine.send(invite, self.now).expect("send");
        self.drain();
        let req = self.last_req.expect("invite sent");
        self.frame(ServerFrame::Ok { req });
        self.frame(ServerFrame::ReceivedByPeer { id: id.clone() });
        self.frame(ServerFrame::Accepted {
            id: id.clone(),
            response: None,
        });
        self.frame(ServerFrame::CallEnded {
            id,
            reason: CallEndReason::Hangup,
            by: Some(uid("bob")),
        });
    }

    /// invitation (engine acknowledges) → accept → ok → accept_confirmed → call_ended.
    fn callee_flow(&mut self) {
        let id = self.id();
        self.frame(ServerFrame::Invitation {
            invitation: InvitationInfo {
                id: id.clone(),
                caller: uid("bob"),
                caller_name: DisplayName::new("Bob").expect("valid name"),
                callee: uid("alice"),
                content: None,
                channel_id: None,
                sent_at: 1,
            },
        });
        self.engine.accept(&id, None, self.now).expect("accept");
        self.drain();
        let req = self.last_req.expect("accept sent");
        self.frame(ServerFrame::Ok { req });
        self.frame(ServerFrame::AcceptConfirmed { id: id.clone() });
        self.frame(ServerFrame::CallEnded {
            id,
            reason: CallEndReason::Hangup,
            by: Some(uid("alice")),
        });
    }
}

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    let second = Duration::from_secs(1);
    let mut bench = Bench::connected(second);
    group.bench_function("caller_accepted_call", |b| b.iter(|| bench.caller_flow()));
    let mut bench = Bench::connected(second);
    group.bench_function("callee_accepted_call", |b| b.iter(|| bench.callee_flow()));
    let mut bench = Bench::connected(Duration::from_micros(10));
    group.bench_function("caller_accepted_call_no_pruning", |b| {
        b.iter(|| bench.caller_flow())
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
