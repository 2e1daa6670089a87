//! The invariants, watched on every input of every engine:
//!
//! - a terminal state (an invitation's, a call's) never changes;
//! - each invitation gets at most one terminal event per device, and `call_ended` at most once,
//!   only after an accept; a callee's terminal event only for an invitation it received;
//! - nothing is sent for an invitation once it is over on that device;
//!
//! and, once the world has settled, [`Tracker::check_settled`]: exactly one terminal event per
//! invitation per device that knew it, and caller and callee devices agree on the outcome.

use std::collections::BTreeMap;
use std::time::Duration;

use ringer_engine::{CallState, Engine, Event};
use ringer_proto::{
    CallEndReason, CancelReason, ClientFrame, FailureReason, InvitationId, RefuseReason, Role, Uid,
};

use super::summary;

/// How an invitation ended for one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It became a call; `call` is how the call ended, `None` while it is live.
    Accepted {
        call: Option<(CallEndReason, Option<Uid>)>,
    },
    /// Refused: the caller learns why; the refusing callee device has no reason.
    Refused(Option<RefuseReason>),
    /// Canceled, or answered or declined on another device of the callee.
    Canceled(CancelReason),
    /// Failed.
    Failed(FailureReason),
}

/// What one device has shown about one invitation.
#[derive(Debug, Default, Clone)]
pub struct InvTrack {
    pub role: Option<Role>,
    /// `remote_invitation_received` events.
    pub received: usize,
    /// Terminal events, in order (exactly one, once settled).
    pub terminal: Vec<Event>,
    /// `call_ended` events.
    pub call_ended: Vec<(CallEndReason, Option<Uid>)>,
    /// Over on this device: ended, and not a live call. Nothing may be sent for it.
    pub over: bool,
    inv_terminal: Option<String>,
    call_terminal: Option<String>,
}

impl InvTrack {
    /// The outcome its events tell, if it has ended.
    pub fn outcome(&self) -> Option<Outcome> {
        let call = self.call_ended.first().cloned();
        match self.terminal.first()? {
            Event::LocalInvitationAccepted { .. } | Event::RemoteInvitationAccepted { .. } => {
                Some(Outcome::Accepted { call })
            }
            Event::LocalInvitationRefused { reason, .. } => Some(Outcome::Refused(Some(*reason))),
            Event::RemoteInvitationRefused { .. } => Some(Outcome::Refused(None)),
            Event::LocalInvitationCanceled { .. } => {
                Some(Outcome::Canceled(CancelReason::Canceled))
            }
            Event::RemoteInvitationCanceled { reason, .. } => Some(Outcome::Canceled(*reason)),
            Event::LocalInvitationFailure { reason, .. }
            | Event::RemoteInvitationFailure { reason, .. } => Some(Outcome::Failed(*reason)),
            Event::LocalInvitationReceivedByPeer { .. }
            | Event::RemoteInvitationReceived { .. }
            | Event::CallEnded { .. }
            | Event::ConnectionStateChanged { .. }
            | Event::LoggedIn { .. }
            | Event::PresenceChanged { .. }
            | Event::StatusChanged { .. }
            | Event::Reply { .. }
            | Event::RequestFailed { .. } => None,
        }
    }

    /// True when this device knew the invitation: it sent it, or it rang here.
    pub fn knew(&self) -> bool {
        match self.role {
            Some(Role::Caller) => true,
            Some(Role::Callee) => self.received > 0,
            None => false,
        }
    }
}

/// Watches every device; violations are collected, not panicked on, so a run can report all.
#[derive(Debug, Default)]
pub struct Tracker {
    pub violations: Vec<String>,
    devices: Vec<BTreeMap<InvitationId, InvTrack>>,
    names: Vec<String>,
}

fn is_terminal_event(event: &Event) -> bool {
    match event {
        Event::LocalInvitationAccepted { .. }
        | Event::LocalInvitationRefused { .. }
        | Event::LocalInvitationCanceled { .. }
        | Event::LocalInvitationFailure { .. }
        | Event::RemoteInvitationAccepted { .. }
        | Event::RemoteInvitationRefused { .. }
        | Event::RemoteInvitationCanceled { .. }
        | Event::RemoteInvitationFailure { .. } => true,
        Event::LocalInvitationReceivedByPeer { .. }
        | Event::RemoteInvitationReceived { .. }
        | Event::CallEnded { .. }
        | Event::ConnectionStateChanged { .. }
        | Event::LoggedIn { .. }
        | Event::PresenceChanged { .. }
        | Event::StatusChanged { .. }
        | Event::Reply { .. }
        | Event::RequestFailed { .. } => false,
    }
}

impl Tracker {
    pub fn add_device(&mut self, name: String) {
        self.devices.push(BTreeMap::new());
        self.names.push(name);
    }

    /// What device `d` has shown about `id`.
    pub fn get(&self, d: usize, id: &InvitationId) -> Option<&InvTrack> {
        self.devices.get(d).and_then(|m| m.get(id))
    }

    fn entry(&mut self, d: usize, id: &InvitationId) -> &mut InvTrack {
        self.devices[d].entry(id.clone()).or_default()
    }

    fn violation(&mut self, t: Duration, d: usize, what: String) {
        let line = format!("t={}ms {}: {what}", t.as_millis(), self.names[d]);
        self.violations.push(line);
    }

    /// Device `d` sent invitation `id` (its `send` succeeded).
    pub fn sent_invitation(&mut self, d: usize, id: &InvitationId) {
        self.entry(d, id).role = Some(Role::Caller);
    }

    /// Device `d` put `frame` on the wire.
    pub fn frame_sent(&mut self, t: Duration, d: usize, frame: &ClientFrame) {
        let Some(id) = summary::client_frame_id(frame) else {
            return;
        };
        if self.get(d, id).is_some_and(|inv| inv.over) {
            let what = format!(
                "sent {} for an invitation already over",
                summary::client_frame(frame)
            );
            self.violation(t, d, what);
        }
    }

    /// Device `d` emitted `event`.
    pub fn event(&mut self, t: Duration, d: usize, event: &Event) {
        let Some(id) = summary::event_id(event).cloned() else {
            return;
        };
        let shown = summary::event(event);
        let mut problems = Vec::new();
        let inv = self.entry(d, &id);
        match event {
            Event::RemoteInvitationReceived { .. } => {
                inv.role = Some(Role::Callee);
                inv.received += 1;
                if inv.received > 1 {
                    problems.push(format!("{shown} a second time"));
                }
            }
            Event::CallEnded { reason, by, .. } => {
                let accepted = matches!(
                    inv.terminal.first(),
                    Some(
                        Event::LocalInvitationAccepted { .. }
                            | Event::RemoteInvitationAccepted { .. }
                    )
                );
                if !accepted {
                    problems.push(format!("{shown} without an accept before it"));
                }
                inv.call_ended.push((*reason, by.clone()));
                if inv.call_ended.len() > 1 {
                    problems.push(format!("{shown}: a second call_ended"));
                }
            }
            Event::LocalInvitationReceivedByPeer { .. } => {
                if !inv.terminal.is_empty() {
                    problems.push(format!("{shown} after the end"));
                }
            }
            Event::LocalInvitationAccepted { .. }
            | Event::LocalInvitationRefused { .. }
            | Event::LocalInvitationCanceled { .. }
            | Event::LocalInvitationFailure { .. }
            | Event::RemoteInvitationAccepted { .. }
            | Event::RemoteInvitationRefused { .. }
            | Event::RemoteInvitationCanceled { .. }
            | Event::RemoteInvitationFailure { .. }
            | Event::ConnectionStateChanged { .. }
            | Event::LoggedIn { .. }
            | Event::PresenceChanged { .. }
            | Event::StatusChanged { .. }
            | Event::Reply { .. }
            | Event::RequestFailed { .. } => {}
        }
        if is_terminal_event(event) {
            let remote = matches!(
                event,
                Event::RemoteInvitationAccepted { .. }
                    | Event::RemoteInvitationRefused { .. }
                    | Event::RemoteInvitationCanceled { .. }
                    | Event::RemoteInvitationFailure { .. }
            );
            if remote && inv.received == 0 {
                problems.push(format!("{shown} for an invitation it never received"));
            }
            if !inv.terminal.is_empty() {
                let first = summary::event(&inv.terminal[0]);
                problems.push(format!("{shown} after the terminal {first}"));
            }
            inv.terminal.push(event.clone());
        }
        for problem in problems {
            self.violation(t, d, problem);
        }
    }

    /// After an input to device `d`: terminal states stay put; `over` is sticky.
    pub fn states(&mut self, t: Duration, d: usize, engine: &Engine) {
        let ids: Vec<InvitationId> = engine
            .local_invitation_ids()
            .chain(engine.remote_invitation_ids())
            .cloned()
            .collect();
        let mut problems = Vec::new();
        for id in ids {
            let (inv_state, terminal, remote) =
                match (engine.local_invitation(&id), engine.remote_invitation(&id)) {
                    (Some(s), _) => (format!("local {s}"), s.is_terminal(), false),
                    (None, Some(s)) => (format!("remote {s}"), s.is_terminal(), true),
                    (None, None) => continue,
                };
            let call = engine.call_state(&id);
            let track = self.entry(d, &id);
            // Its events are checked as they are drained (a remote terminal event or call_ended
            // without the announcing events before it is a violation there).
            if remote && track.role.is_none() {
                track.role = Some(Role::Callee);
            }
            if let Some(was) = &track.inv_terminal
                && *was != inv_state
            {
                problems.push(format!("{id}: terminal state {was} became {inv_state}"));
            }
            if terminal {
                track.inv_terminal = Some(inv_state);
            }
            let call_live = match &call {
                Some(CallState::Live) => {
                    if let Some(was) = &track.call_terminal {
                        problems.push(format!("{id}: ended call ({was}) is live again"));
                    }
                    true
                }
                Some(ended @ CallState::Ended { .. }) => {
                    let shown = format!("{ended:?}");
                    if let Some(was) = &track.call_terminal
                        && *was != shown
                    {
                        problems.push(format!("{id}: ended call {was} became {shown}"));
                    }
                    track.call_terminal = Some(shown);
                    false
                }
                None => false,
            };
            if terminal && !call_live {
                track.over = true;
            }
        }
        for problem in problems {
            self.violation(t, d, problem);
        }
    }

    /// Once everything has settled: every device that knew an invitation has exactly one
    /// terminal event for it, and the caller's outcome agrees with every callee device's.
    pub fn check_settled(&mut self, t: Duration) {
        // Per id: its caller devices (more than one when a device reused another's id; the
        // server refuses all but the first to arrive) and its callee devices.
        type Sides = (Vec<(usize, Outcome)>, Vec<(usize, Outcome)>);
        let mut by_id: BTreeMap<InvitationId, Sides> = BTreeMap::new();
        let mut problems = Vec::new();
        for (d, invs) in self.devices.iter().enumerate() {
            for (id, inv) in invs {
                if !inv.knew() {
                    continue;
                }
                if inv.terminal.len() != 1 {
                    problems.push((d, format!("{id}: {} terminal events", inv.terminal.len())));
                }
                let Some(outcome) = inv.outcome() else {
                    continue;
                };
                let sides = by_id.entry(id.clone()).or_default();
                match inv.role {
                    Some(Role::Caller) => sides.0.push((d, outcome)),
                    Some(Role::Callee) => sides.1.push((d, outcome)),
                    None => {}
                }
            }
        }
        for (id, (callers, callees)) in by_id {
            // A duplicate id fails `peer_unknown` when the server refuses it, or `not_logged_in`
            // when sent offline; a real invitation ends neither way here (every party has an
            // account, and nobody logs out).
            let mut real = callers.into_iter().filter(|(_, o)| {
                !matches!(
                    o,
                    Outcome::Failed(FailureReason::PeerUnknown | FailureReason::NotLoggedIn)
                )
            });
            let (Some((cd, caller)), None) = (real.next(), real.next()) else {
                if !callees.is_empty() {
                    let (d, _) = callees[0];
                    problems.push((d, format!("{id}: rang without exactly one caller")));
                }
                continue;
            };
            if let Some(problem) = disagreement(&caller, &callees) {
                let callees: Vec<String> = callees
                    .iter()
                    .map(|(d, o)| format!("{}={o:?}", self.names[*d]))
                    .collect();
                problems.push((
                    cd,
                    format!(
                        "{id}: caller {caller:?} vs callees [{}]: {problem}",
                        callees.join(", ")
                    ),
                ));
            }
        }
        for (d, problem) in problems {
            self.violation(t, d, problem);
        }
    }
}

/// Why the caller's outcome and its callee devices' outcomes do not fit together, if they don't.
fn disagreement(caller: &Outcome, callees: &[(usize, Outcome)]) -> Option<String> {
    let others_all = |skip: Option<usize>, want: &Outcome| {
        callees
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != skip)
            .all(|(_, (_, o))| o == want)
    };
    match caller {
        Outcome::Accepted { call } => {
            // The acceptor saw the accept confirmed, or (never confirmed, or the server went
            // away first) failed while the caller's call ended for the same cause.
            let acceptors: Vec<usize> = callees
                .iter()
                .enumerate()
                .filter(|(_, (_, o))| {
                    matches!(
                        o,
                        Outcome::Accepted { .. }
                            | Outcome::Failed(
                                FailureReason::AcceptFailure | FailureReason::ServerRestart
                            )
                    )
                })
                .map(|(i, _)| i)
                .collect();
            let [acceptor] = acceptors[..] else {
                return Some(format!("{} acceptors", acceptors.len()));
            };
            let fits = match &callees[acceptor].1 {
                Outcome::Accepted { call: theirs } => theirs == call,
                Outcome::Failed(FailureReason::AcceptFailure) => {
                    *call == Some((CallEndReason::ConnectionLost, None))
                }
                Outcome::Failed(FailureReason::ServerRestart) => {
                    *call == Some((CallEndReason::ServerRestart, None))
                }
                Outcome::Refused(_) | Outcome::Canceled(_) | Outcome::Failed(_) => false,
            };
            if !fits {
                return Some("the acceptor's call differs".into());
            }
            let elsewhere = Outcome::Canceled(CancelReason::AnsweredElsewhere);
            (!others_all(Some(acceptor), &elsewhere))
                .then(|| "another callee device did not see answered_elsewhere".into())
        }
        Outcome::Refused(reason) => {
            let refusers: Vec<usize> = callees
                .iter()
                .enumerate()
                .filter(|(_, (_, o))| *o == Outcome::Refused(None))
                .map(|(i, _)| i)
                .collect();
            match refusers[..] {
                [] => {
                    let by_server = matches!(reason, Some(RefuseReason::Busy | RefuseReason::Dnd));
                    (!by_server || !callees.is_empty())
                        .then(|| "refused, but by no callee device".into())
                }
                [refuser] => {
                    let elsewhere = Outcome::Canceled(CancelReason::DeclinedElsewhere);
                    (!others_all(Some(refuser), &elsewhere))
                        .then(|| "another callee device did not see declined_elsewhere".into())
                }
                _ => Some("more than one refuser".into()),
            }
        }
        Outcome::Canceled(_) => (!others_all(None, &Outcome::Canceled(CancelReason::Canceled)))
            .then(|| "a callee device did not see canceled".into()),
        Outcome::Failed(reason) => (!others_all(None, &Outcome::Failed(*reason)))
            .then(|| "a callee device failed differently".into()),
    }
}
