//! The timer table: at most one deadline per owner (an invitation or a device), ordered by time.

use std::collections::BTreeMap;
use std::time::Instant;

use ringer_proto::InvitationId;

use crate::HashMap;
use crate::devices::DeviceKey;
use crate::invitation::Expiry;

/// What a timer belongs to; setting a new timer for an owner replaces its old one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Owner {
    /// An invitation: its current expiry, or its purge after it ended.
    Invitation(InvitationId),
    /// A disconnected device's grace period.
    Device(DeviceKey),
}

/// What happens when a timer fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimerKind {
    /// A live invitation's deadline (offline wait, ack, ring, accept confirmation).
    Expiry(Expiry),
    /// An ended invitation is forgotten.
    Purge,
    /// A disconnected device's grace period is over.
    Grace,
}

/// The table. Deadlines are keyed by `(Instant, seq)` so that timers due at the same instant fire
/// in the order they were set, which keeps every run deterministic.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    by_deadline: BTreeMap<(Instant, u64), (Owner, TimerKind)>,
    by_owner: HashMap<Owner, (Instant, u64)>,
    seq: u64,
}

impl Timers {
    /// Sets `owner`'s timer, replacing any it had.
    pub(crate) fn set(&mut self, owner: Owner, kind: TimerKind, at: Instant) {
        self.cancel(&owner);
        self.seq += 1;
        let key = (at, self.seq);
        self.by_owner.insert(owner.clone(), key);
        self.by_deadline.insert(key, (owner, kind));
    }

    /// Removes `owner`'s timer, if any.
    pub(crate) fn cancel(&mut self, owner: &Owner) {
        if let Some(key) = self.by_owner.remove(owner) {
            self.by_deadline.remove(&key);
        }
    }

    /// The earliest deadline.
    pub(crate) fn next(&self) -> Option<Instant> {
        self.by_deadline.keys().next().map(|(at, _)| *at)
    }

    /// Removes and returns the earliest timer due at or before `now`, with its deadline.
    pub(crate) fn pop_due(&mut self, now: Instant) -> Option<(Instant, Owner, TimerKind)> {
        let (&key, _) = self.by_deadline.iter().next()?;
        if key.0 > now {
            return None;
        }
        let (owner, kind) = self.by_deadline.remove(&key)?;
        self.by_owner.remove(&owner);
        Some((key.0, owner, kind))
    }

    /// Forgets every timer.
    pub(crate) fn clear(&mut self) {
        self.by_deadline.clear();
        self.by_owner.clear();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn id(s: &str) -> Owner {
        Owner::Invitation(InvitationId::new(s).expect("valid id"))
    }

    #[test]
    fn fires_in_deadline_order_and_replaces_per_owner() {
        let t0 = Instant::now();
        let mut timers = Timers::default();
        timers.set(id("a"), TimerKind::Purge, t0 + Duration::from_secs(5));
        timers.set(id("b"), TimerKind::Purge, t0 + Duration::from_secs(3));
        timers.set(id("a"), TimerKind::Purge, t0 + Duration::from_secs(1));
        assert_eq!(timers.next(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(timers.pop_due(t0), None);
        let due: Vec<Owner> = std::iter::from_fn(|| timers.pop_due(t0 + Duration::from_secs(10)))
            .map(|(_, owner, _)| owner)
            .collect();
        assert_eq!(due, vec![id("a"), id("b")]);
        assert_eq!(timers.next(), None);
    }

    #[test]
    fn same_instant_fires_in_the_order_set_and_cancel_removes() {
        let t0 = Instant::now();
        let mut timers = Timers::default();
        timers.set(id("z"), TimerKind::Purge, t0);
        timers.set(id("y"), TimerKind::Purge, t0);
        timers.set(id("x"), TimerKind::Purge, t0);
        timers.cancel(&id("y"));
        assert_eq!(timers.pop_due(t0).map(|(_, o, _)| o), Some(id("z")));
        assert_eq!(timers.pop_due(t0).map(|(_, o, _)| o), Some(id("x")));
        assert_eq!(timers.pop_due(t0), None);
    }
}
