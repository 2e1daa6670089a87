//! Properties over random sequences of user actions, server frames (duplicates, contradictions,
//! outcomes for unknown ids), disconnects, reconnects with random snapshots, and time jumps.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use proptest::prelude::*;
use ringer_engine::{Event, Invite, Transmit};
use ringer_proto::{
    CallEndReason, CancelReason, ClientFrame, ErrorCode, FailureReason, InvitationId,
    InvitationState, RefuseReason, Role, ServerFrame, SnapshotEntry,
};

use crate::harness::{Harness, PEER, entry, iid, incoming, outgoing, uid, welcome};

const IDS: [&str; 4] = ["a", "b", "c", "d"];

#[derive(Debug, Clone)]
enum Op {
    Send(usize),
    Cancel(usize),
    Accept(usize),
    Refuse(usize),
    HangUp(usize),
    Frame(usize, FrameKind),
    /// A reply to one of the last requests the engine sent.
    Reply(usize, Option<ErrorCode>),
    Disconnect,
    Reconnect(bool, Vec<(usize, Role, u8)>),
    Advance(u64),
}

#[derive(Debug, Clone)]
enum FrameKind {
    Invitation,
    ReceivedByPeer,
    Accepted,
    Refused(RefuseReason),
    Canceled(CancelReason),
    Failed(FailureReason),
    AcceptConfirmed,
    CallEnded(CallEndReason),
}

fn failure() -> impl Strategy<Value = FailureReason> {
    prop_oneof![
        Just(FailureReason::PeerOffline),
        Just(FailureReason::PeerNoResponse),
        Just(FailureReason::InvitationExpire),
        Just(FailureReason::PeerUnknown),
        Just(FailureReason::AcceptFailure),
        Just(FailureReason::Glare),
        Just(FailureReason::ServerRestart),
    ]
}

fn frame_kind() -> impl Strategy<Value = FrameKind> {
    prop_oneof![
        3 => Just(FrameKind::Invitation),
        2 => Just(FrameKind::ReceivedByPeer),
        2 => Just(FrameKind::Accepted),
        1 => prop_oneof![Just(RefuseReason::Declined), Just(RefuseReason::Busy), Just(RefuseReason::Dnd)]
            .prop_map(FrameKind::Refused),
        1 => prop_oneof![
            Just(CancelReason::Canceled),
            Just(CancelReason::AnsweredElsewhere),
            Just(CancelReason::DeclinedElsewhere)
        ]
        .prop_map(FrameKind::Canceled),
        1 => failure().prop_map(FrameKind::Failed),
        2 => Just(FrameKind::AcceptConfirmed),
        1 => prop_oneof![
            Just(CallEndReason::Hangup),
            Just(CallEndReason::ConnectionLost),
            Just(CallEndReason::ServerRestart)
        ]
        .prop_map(FrameKind::CallEnded),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let idx = 0..IDS.len();
    prop_oneof![
        3 => idx.clone().prop_map(Op::Send),
        1 => idx.clone().prop_map(Op::Cancel),
        2 => idx.clone().prop_map(Op::Accept),
        1 => idx.clone().prop_map(Op::Refuse),
        1 => idx.clone().prop_map(Op::HangUp),
        8 => (idx.clone(), frame_kind()).prop_map(|(i, k)| Op::Frame(i, k)),
        2 => (0..3usize, prop::option::of(prop_oneof![
            Just(ErrorCode::AlreadyEnd),
            Just(ErrorCode::RateLimited),
            Just(ErrorCode::Forbidden),
            Just(ErrorCode::AlreadyAccept),
        ]))
        .prop_map(|(n, e)| Op::Reply(n, e)),
        1 => Just(Op::Disconnect),
        1 => (
            any::<bool>(),
            prop::collection::vec(
                (idx, prop_oneof![Just(Role::Caller), Just(Role::Callee)], 0u8..8),
                0..4
            )
        )
            .prop_map(|(restart, entries)| Op::Reconnect(restart, entries)),
        // Long enough to fire every timer, short enough that nothing ended is forgotten.
        1 => (0u64..9_000).prop_map(Op::Advance),
    ]
}

fn snapshot_state(n: u8) -> InvitationState {
    match n {
        0 => InvitationState::Pending,
        1 => InvitationState::Ringing,
        2 => InvitationState::Accepting { response: None },
        3 => InvitationState::InCall { response: None },
        4 => InvitationState::Refused {
            response: None,
            reason: RefuseReason::Declined,
        },
        5 => InvitationState::Canceled {
            reason: CancelReason::Canceled,
        },
        6 => InvitationState::Failed {
            reason: FailureReason::InvitationExpire,
        },
        _ => InvitationState::CallEnded {
            response: None,
            reason: CallEndReason::Hangup,
            by: None,
        },
    }
}

fn server_frame(id: &str, kind: &FrameKind) -> ServerFrame {
    let id_ = iid(id);
    match kind {
        FrameKind::Invitation => ServerFrame::Invitation {
            invitation: incoming(id),
        },
        FrameKind::ReceivedByPeer => ServerFrame::ReceivedByPeer { id: id_ },
        FrameKind::Accepted => ServerFrame::Accepted {
            id: id_,
            response: None,
        },
        FrameKind::Refused(reason) => ServerFrame::Refused {
            id: id_,
            response: None,
            reason: *reason,
        },
        FrameKind::Canceled(reason) => ServerFrame::Canceled {
            id: id_,
            reason: *reason,
        },
        FrameKind::Failed(reason) => ServerFrame::Failed {
            id: id_,
            reason: *reason,
        },
        FrameKind::AcceptConfirmed => ServerFrame::AcceptConfirmed { id: id_ },
        FrameKind::CallEnded(reason) => ServerFrame::CallEnded {
            id: id_,
            reason: *reason,
            by: None,
        },
    }
}

/// The invitation a client frame acts on, if any.
fn frame_id(frame: &ClientFrame) -> Option<&InvitationId> {
    match frame {
        ClientFrame::Invite { id, .. }
        | ClientFrame::Received { id }
        | ClientFrame::Cancel { id, .. }
        | ClientFrame::Accept { id, .. }
        | ClientFrame::Refuse { id, .. }
        | ClientFrame::Confirm { id }
        | ClientFrame::HangUp { id, .. } => Some(id),
        ClientFrame::Login { .. }
        | ClientFrame::Authenticate { .. }
        | ClientFrame::Logout { .. }
        | ClientFrame::RenewToken { .. }
        | ClientFrame::SetStatus { .. }
        | ClientFrame::QueryPresence { .. }
        | ClientFrame::Subscribe { .. }
        | ClientFrame::Unsubscribe { .. }
        | ClientFrame::History { .. }
        | ClientFrame::Directory { .. }
        | ClientFrame::Ping {} => None,
    }
}

/// Which invitation a terminal event ends, and on which side (`true`: caller).
fn terminal_of(event: &Event) -> Option<(InvitationId, &'static str)> {
    match event {
        Event::LocalInvitationAccepted { id, .. }
        | Event::LocalInvitationRefused { id, .. }
        | Event::LocalInvitationCanceled { id }
        | Event::LocalInvitationFailure { id, .. } => Some((id.clone(), "local")),
        Event::RemoteInvitationAccepted { id }
        | Event::RemoteInvitationRefused { id }
        | Event::RemoteInvitationCanceled { id, .. }
        | Event::RemoteInvitationFailure { id, .. } => Some((id.clone(), "remote")),
        Event::CallEnded { id, .. } => Some((id.clone(), "call")),
        Event::LocalInvitationReceivedByPeer { .. }
        | Event::RemoteInvitationReceived { .. }
        | Event::ConnectionStateChanged { .. }
        | Event::LoggedIn { .. }
        | Event::PresenceChanged { .. }
        | Event::StatusChanged { .. }
        | Event::Reply { .. }
        | Event::RequestFailed { .. } => None,
    }
}

/// Whether the engine is done with an invitation: terminal and no live call.
fn is_over(h: &Harness, id: &InvitationId) -> bool {
    let call_live = matches!(
        h.engine.call_state(id),
        Some(ringer_engine::CallState::Live)
    );
    let terminal = h
        .engine
        .local_invitation(id)
        .map(|s| s.is_terminal())
        .or_else(|| h.engine.remote_invitation(id).map(|s| s.is_terminal()))
        .unwrap_or(false);
    terminal && !call_live
}

fn apply(h: &mut Harness, op: &Op, sent_reqs: &[u64]) {
    let now = h.now;
    match op {
        Op::Send(i) => {
            let _ = h.engine.send(
                Invite {
                    id: iid(IDS[*i]),
                    callee: uid(PEER),
                    content: None,
                    channel_id: None,
                },
                now,
            );
        }
        Op::Cancel(i) => {
            let _ = h.engine.cancel(&iid(IDS[*i]), now);
        }
        Op::Accept(i) => {
            let _ = h.engine.accept(&iid(IDS[*i]), None, now);
        }
        Op::Refuse(i) => {
            let _ = h.engine.refuse(&iid(IDS[*i]), None, None, now);
        }
        Op::HangUp(i) => {
            let _ = h.engine.hang_up(&iid(IDS[*i]), now);
        }
        Op::Frame(i, kind) => h.engine.handle_frame(server_frame(IDS[*i], kind), now),
        Op::Reply(n, code) => {
            if let Some(req) = sent_reqs.iter().rev().nth(*n) {
                let frame = match code {
                    None => ServerFrame::Ok { req: *req },
                    Some(code) => ServerFrame::Error {
                        req: Some(*req),
                        code: *code,
                        message: "test".into(),
                    },
                };
                h.engine.handle_frame(frame, now);
            }
        }
        Op::Disconnect => h.engine.handle_disconnected(now),
        Op::Reconnect(restart, entries) => {
            h.engine.handle_disconnected(now);
            h.engine.handle_connecting(now);
            h.engine.handle_connected(now);
            let mut req = None;
            while let Some(t) = h.engine.poll_transmit() {
                if let Transmit::Frame(f) = &t
                    && matches!(
                        f,
                        ClientFrame::Login { .. } | ClientFrame::Authenticate { .. }
                    )
                {
                    req = f.req();
                }
                h.transmits.push(t);
            }
            let snapshot: Vec<SnapshotEntry> = entries
                .iter()
                .map(|(i, role, s)| {
                    let info = match role {
                        Role::Caller => outgoing(IDS[*i]),
                        Role::Callee => incoming(IDS[*i]),
                    };
                    entry(info, *role, snapshot_state(*s))
                })
                .collect();
            let server = if *restart {
                "server-2"
            } else {
                crate::harness::SERVER
            };
            if let Some(req) = req {
                h.engine.handle_frame(welcome(req, server, snapshot), now);
            }
        }
        Op::Advance(ms) => {
            h.now += Duration::from_millis(*ms);
            h.engine.handle_timeout(h.now);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn invariants_hold_over_random_sequences(ops in prop::collection::vec(op(), 1..60)) {
        let mut h = Harness::connected();
        let mut terminal_states: BTreeMap<InvitationId, String> = BTreeMap::new();
        let mut terminal_events: BTreeMap<(InvitationId, &'static str), usize> = BTreeMap::new();
        let mut sent_reqs: Vec<u64> = Vec::new();
        let mut adopted: BTreeSet<InvitationId> = BTreeSet::new();
        for op in &ops {
            let known_before: BTreeSet<InvitationId> = IDS
                .iter()
                .map(|s| iid(s))
                .filter(|id| {
                    h.engine.local_invitation(id).is_some() || h.engine.remote_invitation(id).is_some()
                })
                .collect();
            let over_before: BTreeSet<InvitationId> =
                IDS.iter().map(|s| iid(s)).filter(|id| is_over(&h, id)).collect();
            apply(&mut h, op, &sent_reqs);
            h.pump();
            // Nothing is sent for an invitation after its end.
            for t in h.transmits.drain(..) {
                if let Transmit::Frame(f) = t {
                    if let Some(req) = f.req() {
                        sent_reqs.push(req);
                    }
                    if let Some(id) = frame_id(&f) {
                        prop_assert!(!over_before.contains(id), "{f:?} sent after the end by {op:?}");
                    }
                }
            }
            // At most one terminal event per invitation per side, and one call end.
            for e in h.events.drain(..) {
                if let Some(key) = terminal_of(&e) {
                    let n = terminal_events.entry(key.clone()).or_default();
                    *n += 1;
                    prop_assert_eq!(*n, 1, "second terminal event {:?} after {:?}", e, op);
                }
            }
            // A terminal state never changes.
            for id in IDS.iter().map(|s| iid(s)) {
                let state = h.engine.local_invitation(&id).map(|s| format!("local {s:?}"))
                    .or_else(|| h.engine.remote_invitation(&id).map(|s| format!("remote {s:?}")));
                let terminal = h.engine.local_invitation(&id).is_some_and(|s| s.is_terminal())
                    || h.engine.remote_invitation(&id).is_some_and(|s| s.is_terminal());
                match (terminal_states.get(&id), state) {
                    (Some(before), Some(now)) => prop_assert_eq!(before, &now, "after {:?}", op),
                    (Some(before), None) => prop_assert!(false, "{before} forgotten after {op:?}"),
                    (None, Some(now)) if terminal => {
                        // A call adopted silently from a snapshot is terminal without an event.
                        if !known_before.contains(&id) && now.contains("ccepted") {
                            adopted.insert(id.clone());
                        }
                        terminal_states.insert(id.clone(), now);
                    }
                    (None, Some(_) | None) => {}
                }
            }
            // Every ended invitation had its one terminal event.
            for (id, state) in terminal_states.iter().filter(|(id, _)| !adopted.contains(*id)) {
                let side = if state.starts_with("local") { "local" } else { "remote" };
                prop_assert_eq!(terminal_events.get(&(id.clone(), side)), Some(&1), "{} {}", id, state);
            }
            // The timer is never in the past.
            if let Some(at) = h.engine.poll_timeout() {
                prop_assert!(at >= h.now, "poll_timeout in the past after {op:?}");
            }
        }
    }
}
