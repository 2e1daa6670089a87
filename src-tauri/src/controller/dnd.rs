//! Calls the server refused as do-not-disturb: they never rang here, so the app learns of them
//! only from the history, and tells the user once, in one summary, when DND is over.
//!
//! The rule (also in `docs/app-contract.md`): a *DND miss* is an incoming, missed record with
//! outcome `refused` and reason `dnd` (a refusal by a callee device is never missed, so this is
//! exactly the server's DND refusal). After every history fetch, while the status is
//! `available`, the DND misses this sign-in has not accounted for yet raise `missed.count` and
//! get one notification. What is accounted for is tracked by record id, so no clock is compared
//! with the server's. The first history of a sign-in sets the baseline: every DND miss in it
//! counts as already known, except, when the user signs in while in DND, the ones newer than
//! every other record (missed in the DND stretch that is still on). Nothing is stored on disk,
//! so an app started after DND ended elsewhere does not announce that stretch's calls (History
//! still shows them as missed); announcing them would repeat them at every start.

use std::collections::HashSet;

use ringer_proto::{Outcome, Status};

use super::{Effect, Effects, State};
use crate::integration::Notice;
use crate::payload::{CallDirection, CallRecord, Missed, UiEvent};

/// Which DND misses of this sign-in are already accounted for.
#[derive(Debug, Default)]
pub(super) struct DndMisses {
    /// Ids of the DND misses counted or taken as the baseline; `None` until the sign-in's first
    /// history arrived.
    known: Option<HashSet<String>>,
}

impl DndMisses {
    /// Forgets everything, for a new sign-in.
    pub(super) fn reset(&mut self) {
        self.known = None;
    }

    /// The DND misses in `history` (newest first) to announce now, marked as accounted for.
    fn take_new<'a>(&mut self, history: &'a [CallRecord], status: Status) -> Vec<&'a CallRecord> {
        let misses: Vec<&CallRecord> = history.iter().filter(|r| is_dnd_miss(r)).collect();
        let known = self.known.get_or_insert_with(|| {
            // Newer than every other record: missed in the DND stretch the user is still in.
            let pending = match status {
                Status::Dnd => history.iter().take_while(|r| is_dnd_miss(r)).count(),
                Status::Available => 0,
            };
            misses.iter().skip(pending).map(|r| r.id.clone()).collect()
        });
        let fresh = match status {
            Status::Available => misses
                .iter()
                .copied()
                .filter(|r| !known.contains(&r.id))
                .collect(),
            Status::Dnd => Vec::new(),
        };
        known.extend(fresh.iter().map(|r| r.id.clone()));
        // A record that left the fetched window never comes back into it.
        known.retain(|id| misses.iter().any(|r| &r.id == id));
        fresh
    }
}

/// After a history fetch: counts the DND misses not accounted for yet, with one notification.
pub(super) fn announce(st: &mut State, fx: &mut Effects) {
    let Some(status) = st.session.status else {
        return;
    };
    let fresh = st.dnd_misses.take_new(&st.history, status);
    let Some(newest) = fresh.first() else {
        return;
    };
    let count = u32::try_from(fresh.len()).unwrap_or(u32::MAX);
    let notice = Notice::Missed {
        id: format!("dnd-{}", newest.id),
        caller_name: callers(&fresh),
        calls: count,
        content: Some(summary(count)),
    };
    tracing::info!(count, "missed calls while do not disturb");
    st.missed = st.missed.saturating_add(count);
    fx.push(Effect::Notify(notice));
    fx.emit(UiEvent::Missed(Missed { count: st.missed }));
    fx.push(Effect::Badge(st.missed));
}

/// True for a call the server refused because the user was in do-not-disturb.
fn is_dnd_miss(record: &CallRecord) -> bool {
    record.direction == CallDirection::Incoming
        && record.missed
        && record.outcome == Outcome::Refused
        && record.reason.as_deref() == Some("dnd")
}

/// "2 missed calls while Do not disturb".
fn summary(count: u32) -> String {
    match count {
        1 => "1 missed call while Do not disturb".to_owned(),
        n => format!("{n} missed calls while Do not disturb"),
    }
}

/// Who called, newest first, each once: "Alice", "Alice and Bob", "Alice, Bob and 2 others".
fn callers(records: &[&CallRecord]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for record in records {
        let name = record.peer_name.as_deref().unwrap_or(&record.peer);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [first, second] => format!("{first} and {second}"),
        [first, second, rest @ ..] => {
            let others = match rest.len() {
                1 => "1 other".to_owned(),
                n => format!("{n} others"),
            };
            format!("{first}, {second} and {others}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, peer: &str, direction: CallDirection, reason: Option<&str>) -> CallRecord {
        let missed = direction == CallDirection::Incoming && reason.is_some();
        CallRecord {
            id: id.to_owned(),
            peer: peer.to_owned(),
            peer_name: None,
            direction,
            outcome: if reason.is_some() {
                Outcome::Refused
            } else {
                Outcome::Answered
            },
            reason: reason.map(str::to_owned),
            missed,
            started_at: 0,
            answered_at: None,
            ended_at: 0,
        }
    }

    fn dnd(id: &str, peer: &str) -> CallRecord {
        record(id, peer, CallDirection::Incoming, Some("dnd"))
    }

    fn answered(id: &str) -> CallRecord {
        record(id, "someone", CallDirection::Incoming, None)
    }

    fn ids(records: &[&CallRecord]) -> Vec<String> {
        records.iter().map(|r| r.id.clone()).collect()
    }

    #[test]
    fn a_sign_in_while_available_announces_nothing_it_already_finds() {
        let mut misses = DndMisses::default();
        let history = [dnd("d2", "alice"), dnd("d1", "alice"), answered("a")];
        assert!(misses.take_new(&history, Status::Available).is_empty());
        // New ones later are announced, once.
        let history = [dnd("d3", "carol"), dnd("d2", "alice"), dnd("d1", "alice")];
        assert_eq!(ids(&misses.take_new(&history, Status::Available)), ["d3"]);
        assert!(misses.take_new(&history, Status::Available).is_empty());
    }

    #[test]
    fn a_sign_in_during_dnd_keeps_the_current_stretch_for_when_it_ends() {
        let mut misses = DndMisses::default();
        let history = [
            dnd("d3", "bob"),
            dnd("d2", "alice"),
            answered("a"),
            dnd("d1", "x"),
        ];
        assert!(misses.take_new(&history, Status::Dnd).is_empty());
        let later = [dnd("d4", "carol")]
            .into_iter()
            .chain(history.iter().cloned())
            .collect::<Vec<_>>();
        assert!(
            misses.take_new(&later, Status::Dnd).is_empty(),
            "quiet in DND"
        );
        assert_eq!(
            ids(&misses.take_new(&later, Status::Available)),
            ["d4", "d3", "d2"]
        );
        assert!(misses.take_new(&later, Status::Available).is_empty());
    }

    #[test]
    fn other_missed_calls_and_device_refusals_are_not_dnd_misses() {
        let canceled = CallRecord {
            outcome: Outcome::Canceled,
            reason: None,
            ..dnd("c", "alice")
        };
        let busy = record("b", "alice", CallDirection::Incoming, Some("busy"));
        let declined_as_dnd = CallRecord {
            missed: false,
            ..dnd("x", "alice")
        };
        let outgoing = record("o", "alice", CallDirection::Outgoing, Some("dnd"));
        for r in [&canceled, &busy, &declined_as_dnd, &outgoing] {
            assert!(!is_dnd_miss(r), "{r:?}");
        }
        assert!(is_dnd_miss(&dnd("d", "alice")));
    }

    #[test]
    fn the_summary_names_each_caller_once() {
        let a = dnd("1", "alice");
        let b = CallRecord {
            peer_name: Some("Bob Stone".into()),
            ..dnd("2", "bob")
        };
        let c = dnd("3", "carol");
        let d = dnd("4", "dan");
        assert_eq!(callers(&[&a, &a]), "alice");
        assert_eq!(callers(&[&b, &a, &b]), "Bob Stone and alice");
        assert_eq!(callers(&[&a, &b, &c]), "alice, Bob Stone and 1 other");
        assert_eq!(callers(&[&a, &b, &c, &d]), "alice, Bob Stone and 2 others");
        assert_eq!(summary(1), "1 missed call while Do not disturb");
        assert_eq!(summary(2), "2 missed calls while Do not disturb");
    }
}
