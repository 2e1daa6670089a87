//! Property tests: random interleavings of user actions (on the device's own invitations and on
//! anyone's), network delays, drops, outages, half-open connections and time jumps, for 2–4
//! parties with one or two devices each. Then everything settles: every device reconnects, time
//! runs past every timeout, every live call is hung up. Checked all along and at the end (see
//! `sim::track`): terminal states never change; exactly one terminal event per invitation per
//! device that knew it; caller and callee devices agree; nothing is sent for an invitation
//! after its end; no timer is ever in the past; and the server has nobody left in a call.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use ringer_proto::{InvitationId, Presence, RefuseReason, Status};

use crate::sim::{Sim, ms, secs, uid};

const USERS: [&str; 4] = ["alice", "bob", "carol", "dave"];

#[derive(Debug, Clone)]
enum Act {
    /// Device `from` invites another party (the `to`-th after its own); `reuse` sends again an
    /// id its party already used (ids are random, so only a party's own devices can repeat one),
    /// which must never make a second call.
    Send {
        from: usize,
        to: usize,
        reuse: Option<usize>,
    },
    /// `own`: one of the device's invitations; otherwise any id of the run.
    Cancel {
        dev: usize,
        own: bool,
        pick: usize,
    },
    Accept {
        dev: usize,
        own: bool,
        pick: usize,
    },
    Refuse {
        dev: usize,
        own: bool,
        pick: usize,
        busy: bool,
    },
    HangUp {
        dev: usize,
        own: bool,
        pick: usize,
    },
    /// The connection breaks; the device dials again after its backoff.
    Drop(usize),
    /// The device goes away for a while (within or beyond the grace period).
    Outage {
        dev: usize,
        secs: u64,
    },
    /// The connection goes silent without anyone being told.
    Cut(usize),
    Delays {
        dev: usize,
        up: u64,
        down: u64,
    },
    Status {
        dev: usize,
        dnd: bool,
    },
    Advance(u64),
}

fn act() -> impl Strategy<Value = Act> {
    let dev = 0..8usize;
    let pick = (any::<bool>(), 0..8usize);
    prop_oneof![
        5 => (dev.clone(), 0..3usize, prop::option::weighted(0.1, 0..8usize))
            .prop_map(|(from, to, reuse)| Act::Send { from, to, reuse }),
        2 => (dev.clone(), pick.clone()).prop_map(|(dev, (own, pick))| Act::Cancel { dev, own, pick }),
        4 => (dev.clone(), pick.clone()).prop_map(|(dev, (own, pick))| Act::Accept { dev, own, pick }),
        2 => (dev.clone(), pick.clone(), prop::bool::weighted(0.2))
            .prop_map(|(dev, (own, pick), busy)| Act::Refuse { dev, own, pick, busy }),
        2 => (dev.clone(), pick).prop_map(|(dev, (own, pick))| Act::HangUp { dev, own, pick }),
        1 => dev.clone().prop_map(Act::Drop),
        1 => (dev.clone(), prop::sample::select(vec![1u64, 4, 10, 25, 40]))
            .prop_map(|(dev, secs)| Act::Outage { dev, secs }),
        1 => dev.clone().prop_map(Act::Cut),
        2 => (dev.clone(), delay(), delay()).prop_map(|(dev, up, down)| Act::Delays { dev, up, down }),
        1 => (dev, prop::bool::weighted(0.3)).prop_map(|(dev, dnd)| Act::Status { dev, dnd }),
        6 => prop::sample::select(vec![0u64, 1, 3, 10, 50, 200, 1_000, 4_000, 6_000, 29_000, 31_000, 61_000])
            .prop_map(Act::Advance),
    ]
}

fn delay() -> impl Strategy<Value = u64> {
    prop::sample::select(vec![0u64, 1, 5, 20, 100, 400])
}

/// Devices per party, for 2–4 parties.
fn topology() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1..=2usize, 2..=4)
}

/// One of `candidates`, or nothing to act on.
fn choose(candidates: &[InvitationId], pick: usize) -> Option<InvitationId> {
    if candidates.is_empty() {
        None
    } else {
        candidates.get(pick % candidates.len()).cloned()
    }
}

struct Run {
    sim: Sim,
    /// Which party each device belongs to.
    party: Vec<usize>,
    parties: usize,
    /// Every id sent so far, in order.
    ids: Vec<InvitationId>,
    /// Every id sent so far by each party.
    ids_of: Vec<Vec<InvitationId>>,
}

impl Run {
    fn new(topology: &[usize]) -> Self {
        let spec: Vec<(&str, usize)> = topology
            .iter()
            .enumerate()
            .map(|(p, n)| (USERS[p], *n))
            .collect();
        let mut sim = Sim::new(&spec);
        for d in 0..sim.devices.len() {
            sim.set_delays(d, ms(5), ms(5));
        }
        sim.connect_all();
        let party = topology
            .iter()
            .enumerate()
            .flat_map(|(p, n)| std::iter::repeat_n(p, *n))
            .collect();
        Run {
            sim,
            party,
            parties: topology.len(),
            ids: Vec::new(),
            ids_of: vec![Vec::new(); topology.len()],
        }
    }

    fn target(
        &self,
        dev: usize,
        own_remote: bool,
        own: bool,
        pick: usize,
    ) -> Option<(usize, InvitationId)> {
        let d = dev % self.party.len();
        let candidates: Vec<InvitationId> = if own {
            let engine = &self.sim.devices[d].engine;
            if own_remote {
                engine.remote_invitation_ids().cloned().collect()
            } else {
                engine.local_invitation_ids().cloned().collect()
            }
        } else {
            self.ids.clone()
        };
        choose(&candidates, pick).map(|id| (d, id))
    }

    fn apply(&mut self, act: &Act) {
        let devices = self.party.len();
        // API errors are fine here: the engine refuses what does not apply, changing nothing
        // (which `Sim` checks).
        match *act {
            Act::Send { from, to, reuse } => {
                let d = from % devices;
                let callee = (self.party[d] + 1 + to % (self.parties - 1)) % self.parties;
                let id = match reuse.and_then(|k| choose(&self.ids_of[self.party[d]], k)) {
                    Some(id) => id,
                    None => {
                        let id =
                            InvitationId::new(format!("p{}", self.ids.len())).expect("valid id");
                        self.ids.push(id.clone());
                        self.ids_of[self.party[d]].push(id.clone());
                        id
                    }
                };
                let invite = ringer_engine::Invite {
                    id,
                    callee: uid(USERS[callee]),
                    content: None,
                    channel_id: None,
                };
                self.sim.send_invite(d, invite).ok();
            }
            Act::Cancel { dev, own, pick } => {
                if let Some((d, id)) = self.target(dev, false, own, pick) {
                    self.sim.cancel_id(d, &id).ok();
                }
            }
            Act::Accept { dev, own, pick } => {
                if let Some((d, id)) = self.target(dev, true, own, pick) {
                    self.sim.accept_id(d, &id).ok();
                }
            }
            Act::Refuse {
                dev,
                own,
                pick,
                busy,
            } => {
                if let Some((d, id)) = self.target(dev, true, own, pick) {
                    let reason = busy.then_some(RefuseReason::Busy);
                    self.sim.refuse_id(d, &id, reason).ok();
                }
            }
            Act::HangUp { dev, own, pick } => {
                let remote = pick % 2 == 0;
                if let Some((d, id)) = self.target(dev, remote, own, pick / 2) {
                    self.sim.hang_up_id(d, &id).ok();
                }
            }
            Act::Drop(dev) => self.sim.drop_link(dev % devices),
            Act::Outage { dev, secs: s } => {
                let d = dev % devices;
                // Only from connected: outages never chain beyond the server's memory.
                if self.sim.is_connected(d) {
                    self.sim.outage(d, secs(s));
                }
            }
            Act::Cut(dev) => {
                let d = dev % devices;
                if self.sim.is_connected(d) {
                    self.sim.cut(d);
                }
            }
            Act::Delays { dev, up, down } => self.sim.set_delays(dev % devices, ms(up), ms(down)),
            Act::Status { dev, dnd } => {
                let status = if dnd { Status::Dnd } else { Status::Available };
                self.sim.set_status(dev % devices, status).ok();
            }
            Act::Advance(n) => self.sim.run(ms(n)),
        }
    }

    /// Everyone back online, time past every timeout, every live call hung up; then the
    /// end-of-run checks.
    fn settle(&mut self) -> Vec<String> {
        let devices = self.party.len();
        for d in 0..devices {
            if !self.sim.is_connected(d) {
                self.sim.online(d);
            }
        }
        self.sim.run(secs(240));
        let mut problems = Vec::new();
        for d in 0..devices {
            if !self.sim.is_connected(d) {
                problems.push(format!("{} did not reconnect", self.sim.devices[d].name));
            }
            for id in self.sim.live_invitations(d) {
                problems.push(format!(
                    "{}: {id} still rings after every timeout",
                    self.sim.devices[d].name
                ));
            }
        }
        for d in 0..devices {
            for id in self.sim.live_calls(d) {
                self.sim.hang_up_id(d, &id).ok();
            }
            if self.sim.devices[d]
                .engine
                .status()
                .is_some_and(|(s, _)| s == Status::Dnd)
            {
                self.sim.set_status(d, Status::Available).ok();
            }
        }
        self.sim.run(secs(60));
        for d in 0..devices {
            for id in self.sim.live_calls(d) {
                problems.push(format!(
                    "{}: call {id} still live after hang-up",
                    self.sim.devices[d].name
                ));
            }
        }
        for user in USERS.iter().take(self.parties) {
            let presence = self.sim.switchboard().presence(&uid(user));
            if presence != Presence::Online {
                problems.push(format!("the server still shows {user} as {presence:?}"));
            }
        }
        self.sim.check_settled();
        problems.extend(self.sim.track.violations.iter().cloned());
        problems
    }
}

/// Runs one case; returns every broken invariant.
fn run_case(topology: &[usize], acts: &[Act]) -> Vec<String> {
    let mut run = Run::new(topology);
    for act in acts {
        run.apply(act);
    }
    run.settle()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 128,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "simulation/proptest-regressions/props.txt",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_interleavings_keep_every_invariant(
        topology in topology(),
        acts in prop::collection::vec(act(), 1..40),
    ) {
        let problems = run_case(&topology, &acts);
        prop_assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

#[test]
fn a_long_busy_run_keeps_every_invariant() {
    // A fixed, dense script: every kind of act, across four parties, with overlapping calls.
    let mut acts = Vec::new();
    for i in 0..60usize {
        acts.push(Act::Send {
            from: i % 6,
            to: i % 3,
            reuse: None,
        });
        acts.push(Act::Delays {
            dev: i % 6,
            up: (i as u64 * 37) % 400,
            down: (i as u64 * 11) % 100,
        });
        acts.push(Act::Advance(3));
        acts.push(Act::Accept {
            dev: (i + 1) % 6,
            own: true,
            pick: i,
        });
        acts.push(Act::Cancel {
            dev: i % 6,
            own: true,
            pick: i / 2,
        });
        match i % 7 {
            0 => acts.push(Act::Drop(i % 6)),
            1 => acts.push(Act::Outage {
                dev: (i + 2) % 6,
                secs: 10,
            }),
            2 => acts.push(Act::Cut((i + 3) % 6)),
            3 => acts.push(Act::Refuse {
                dev: (i + 4) % 6,
                own: true,
                pick: i,
                busy: false,
            }),
            4 => acts.push(Act::HangUp {
                dev: (i + 5) % 6,
                own: true,
                pick: i,
            }),
            _ => acts.push(Act::Advance(6_000)),
        }
        acts.push(Act::Advance(500));
    }
    let problems = run_case(&[2, 2, 1, 1], &acts);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
