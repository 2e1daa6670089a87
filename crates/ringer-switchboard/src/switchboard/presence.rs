//! Presence: computing it, answering queries and subscriptions, and pushing changes.

use std::collections::BTreeSet;

use ringer_proto::limits::{MAX_PRESENCE_QUERY, MAX_SUBSCRIPTIONS};
use ringer_proto::{ErrorCode, Presence, PresenceEntry, ReqId, ServerFrame, Status, Uid};

use super::Switchboard;
use crate::HashMap;
use crate::io::ConnId;

/// Who is subscribed to whom, what each subscribed uid's presence was last pushed as, and
/// which subscribed uids may have changed since.
///
/// Only subscribed uids are tracked: most presence changes (every call starts and ends two)
/// have no subscriber, and computing them after every input was 5–7 % of the server's
/// instructions per call outside SQLite (docs/performance.md, ninth round).
#[derive(Debug, Default)]
pub(crate) struct PresenceBook {
    subscribers: HashMap<Uid, BTreeSet<ConnId>>,
    /// For subscribed uids only, set when the first subscription starts; absent means offline.
    last: HashMap<Uid, Presence>,
    touched: BTreeSet<Uid>,
}

impl PresenceBook {
    /// Notes that `uid`'s presence may have changed.
    pub(crate) fn touch(&mut self, uid: &Uid) {
        if self.subscribers.contains_key(uid) && !self.touched.contains(uid) {
            self.touched.insert(uid.clone());
        }
    }

    /// Notes that `uid`'s subscribers have just been told its presence is `presence`. When a new
    /// subscriber is told, the others were last told the same: presence is pushed at the end of
    /// every input, and subscribing changes nobody's presence.
    fn told(&mut self, uid: &Uid, presence: Presence) {
        match presence {
            Presence::Offline => self.last.remove(uid),
            Presence::Online | Presence::Dnd | Presence::InCall => {
                self.last.insert(uid.clone(), presence)
            }
        };
    }

    /// Removes every subscription of a connection that is going away.
    pub(crate) fn unsubscribe_all(&mut self, conn: ConnId, uids: &BTreeSet<Uid>) {
        for uid in uids {
            self.unsubscribe(conn, uid);
        }
    }

    fn unsubscribe(&mut self, conn: ConnId, uid: &Uid) {
        if let Some(conns) = self.subscribers.get_mut(uid) {
            conns.remove(&conn);
            if conns.is_empty() {
                self.subscribers.remove(uid);
                self.last.remove(uid);
            }
        }
    }

    /// Forgets everything.
    pub(crate) fn clear(&mut self) {
        self.subscribers.clear();
        self.last.clear();
        self.touched.clear();
    }
}

impl Switchboard {
    pub(super) fn presence_of(&self, uid: &Uid) -> Presence {
        if self.enabled_account(uid).is_none() || self.devices.count(uid) == 0 {
            return Presence::Offline;
        }
        if self.in_call(uid) {
            return Presence::InCall;
        }
        match self.prefs_of(uid).status {
            Status::Dnd => Presence::Dnd,
            Status::Available => Presence::Online,
        }
    }

    /// True while `uid` is party to an accepted call (accepting or confirmed).
    pub(super) fn in_call(&self, uid: &Uid) -> bool {
        self.invitations
            .iter_live_uid(uid)
            .any(|inv| inv.phase().is_call())
    }

    pub(super) fn query_presence(&mut self, conn: ConnId, req: ReqId, uids: Vec<Uid>) {
        if uids.len() > MAX_PRESENCE_QUERY {
            let message = format!("at most {MAX_PRESENCE_QUERY} uids per query");
            self.reply_error(conn, Some(req), ErrorCode::TooLarge, &message);
            return;
        }
        let entries = self.entries(uids);
        self.send(conn, ServerFrame::PresenceResult { req, entries });
    }

    pub(super) fn subscribe(&mut self, conn: ConnId, req: ReqId, uids: Vec<Uid>) {
        let Some(current) = self.devices.conn(conn) else {
            return;
        };
        let mut wanted = current.subscriptions.clone();
        wanted.extend(uids.iter().cloned());
        if wanted.len() > MAX_SUBSCRIPTIONS {
            let message = format!("at most {MAX_SUBSCRIPTIONS} subscriptions per device");
            self.reply_error(conn, Some(req), ErrorCode::TooLarge, &message);
            return;
        }
        for uid in &uids {
            self.presence_book
                .subscribers
                .entry(uid.clone())
                .or_default()
                .insert(conn);
        }
        if let Some(current) = self.devices.conn_mut(conn) {
            current.subscriptions = wanted;
        }
        let entries = self.entries(uids);
        for entry in &entries {
            self.presence_book.told(&entry.uid, entry.presence);
        }
        self.send(conn, ServerFrame::PresenceResult { req, entries });
    }

    pub(super) fn unsubscribe(&mut self, conn: ConnId, req: ReqId, uids: Vec<Uid>) {
        if let Some(current) = self.devices.conn_mut(conn) {
            for uid in &uids {
                current.subscriptions.remove(uid);
            }
        }
        for uid in &uids {
            self.presence_book.unsubscribe(conn, uid);
        }
        self.reply_ok(conn, req);
    }

    /// Pushes `presence` to the subscribers of every uid whose presence changed since it was
    /// last pushed. Runs at the end of every input, so a push follows the frames that caused it.
    pub(super) fn flush_presence(&mut self) {
        let touched = std::mem::take(&mut self.presence_book.touched);
        for uid in touched {
            // Its last subscriber may have left since it was touched.
            if !self.presence_book.subscribers.contains_key(&uid) {
                continue;
            }
            let now = self.presence_of(&uid);
            let before = self
                .presence_book
                .last
                .get(&uid)
                .copied()
                .unwrap_or(Presence::Offline);
            if now == before {
                continue;
            }
            tracing::debug!(%uid, "presence {before:?} -> {now:?}");
            self.presence_book.told(&uid, now);
            let subscribers: Vec<ConnId> = self
                .presence_book
                .subscribers
                .get(&uid)
                .map_or_else(Vec::new, |conns| conns.iter().copied().collect());
            for conn in subscribers {
                self.send(
                    conn,
                    ServerFrame::Presence {
                        uid: uid.clone(),
                        presence: now,
                    },
                );
            }
        }
    }

    fn entries(&self, uids: Vec<Uid>) -> Vec<PresenceEntry> {
        uids.into_iter()
            .map(|uid| PresenceEntry {
                presence: self.presence_of(&uid),
                uid,
            })
            .collect()
    }
}
