//! Switchboard transitions: one complete invitation flow (invite → received → accept → confirm
//! → hang up) through the sans-IO core, as the hub drives it, with every output drained. This
//! is the server's CPU cost per call without sockets, JSON or tasks.
//!
//! `1_pairs` puts every call on the same two uids, so each uid has ~1,000 recently ended
//! invitations in the book: it shows the cost of the per-uid scan in presence (`in_call`).
//! `7500_pairs` has the 15,000 accounts of the load generator's runs (`ringer-bench`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ringer_proto::{ClientFrame, DeviceId, DisplayName, InvitationId, Uid};
use ringer_switchboard::{Account, Authenticated, Config, ConnId, Switchboard};

const EPOCH_MS: u64 = 1_700_000_000_000;

fn uid(s: &str) -> Uid {
    Uid::new(s).expect("valid uid")
}

struct Bench {
    sb: Switchboard,
    now: Instant,
    next: u64,
}

impl Bench {
    /// A switchboard with `pairs` caller/callee pairs, each device admitted.
    fn new(pairs: u64) -> Bench {
        let now = Instant::now();
        let config = Config {
            // Ended invitations are kept this long; virtual time advances 10 µs per step,
            // so the book holds a steady few thousand ended invitations, as a busy server does.
            ended_retention: Duration::from_millis(50),
            ..Config::default()
        };
        let mut sb = Switchboard::new(config, "bench".to_owned(), now, EPOCH_MS);
        for n in 0..pairs * 2 {
            let name = format!("u{n}");
            sb.set_account(
                Account {
                    uid: uid(&name),
                    display_name: DisplayName::new(name.clone()).expect("valid name"),
                    enabled: true,
                },
                now,
            );
            let auth = Authenticated {
                req: 1,
                uid: uid(&name),
                device_id: DeviceId::new(format!("{name}-d")).expect("valid device"),
                token: None,
                token_expires_at: EPOCH_MS + 1_000_000,
            };
            sb.handle_authenticated(ConnId(n), auth, now)
                .expect("admitted");
        }
        let mut bench = Bench { sb, now, next: 0 };
        bench.drain();
        bench
    }

    fn drain(&mut self) -> usize {
        let mut n = 0;
        while let Some(t) = self.sb.poll_transmit() {
            black_box(t);
            n += 1;
        }
        while let Some(r) = self.sb.poll_record() {
            black_box(r);
        }
        while self.sb.poll_close().is_some() {}
        n
    }

    fn input(&mut self, conn: u64, frame: ClientFrame) {
        self.now += Duration::from_micros(10);
        self.sb.handle_frame(ConnId(conn), frame, self.now);
        self.drain();
    }

    /// One complete accepted call on pair `pair`.
    fn flow(&mut self, pair: u64) {
        self.next += 1;
        let id = InvitationId::new(format!("inv-{}", self.next)).expect("valid id");
        let (caller, callee) = (pair * 2, pair * 2 + 1);
        let callee_uid = uid(&format!("u{callee}"));
        self.input(
            caller,
            ClientFrame::Invite {
                req: 1,
                id: id.clone(),
                callee: callee_uid,
                content: None,
                channel_id: None,
            },
        );
        self.input(callee, ClientFrame::Received { id: id.clone() });
        self.input(
            callee,
            ClientFrame::Accept {
                req: 2,
                id: id.clone(),
                response: None,
            },
        );
        self.input(caller, ClientFrame::Confirm { id: id.clone() });
        self.input(callee, ClientFrame::HangUp { req: 3, id });
    }

    /// Invite then cancel (callee canceled before caller).
    fn canceled(&mut self, pair: u64) {
        self.next += 1;
        let id = InvitationId::new(format!("inv-{}", self.next)).expect("valid id");
        let (caller, callee) = (pair * 2, pair * 2 + 1);
        self.input(
            caller,
            ClientFrame::Invite {
                req: 1,
                id: id.clone(),
                callee: uid(&format!("u{callee}")),
                content: None,
                channel_id: None,
            },
        );
        self.input(callee, ClientFrame::Received { id: id.clone() });
        self.input(caller, ClientFrame::Cancel { req: 2, id });
    }
}

fn switchboard(c: &mut Criterion) {
    let mut group = c.benchmark_group("switchboard");
    for pairs in [1u64, 1000, 7500] {
        let mut bench = Bench::new(pairs);
        let mut pair = 0;
        group.bench_function(format!("accepted_call_flow/{pairs}_pairs"), |b| {
            b.iter(|| {
                pair = (pair + 1) % pairs;
                bench.flow(pair);
            })
        });
    }
    let mut bench = Bench::new(100);
    let mut pair = 0;
    group.bench_function("canceled_flow/100_pairs", |b| {
        b.iter(|| {
            pair = (pair + 1) % 100;
            bench.canceled(pair);
        })
    });
    group.bench_function("admit_1000_devices", |b| {
        b.iter_batched(|| (), |()| Bench::new(500), BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group!(benches, switchboard);
criterion_main!(benches);
