//! Devices and the connections that carry them.
//!
//! A device is `(uid, device_id)` and outlives its connections: when its connection drops it is
//! *away* for the grace period, still counting for presence and keeping its invitations, and a
//! new connection with the same device id resumes it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use ringer_proto::{DeviceId, Uid};

use crate::HashMap;
use crate::io::ConnId;

/// One device of one uid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct DeviceKey {
    pub(crate) uid: Uid,
    pub(crate) device_id: DeviceId,
}

/// How a device is reachable now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    /// Frames for it go to this connection.
    Connected(ConnId),
    /// Its connection dropped at `since`; frames for it are not sent, its next welcome snapshot
    /// carries what it missed.
    Away {
        /// When the connection dropped.
        since: Instant,
    },
}

/// An admitted connection.
#[derive(Debug, Clone)]
pub(crate) struct Conn {
    pub(crate) device: DeviceKey,
    /// The uids whose presence changes are pushed to this connection.
    pub(crate) subscriptions: BTreeSet<Uid>,
}

/// Every device and admitted connection.
#[derive(Debug, Default)]
pub(crate) struct Devices {
    by_uid: HashMap<Uid, BTreeMap<DeviceId, Link>>,
    conns: HashMap<ConnId, Conn>,
}

impl Devices {
    /// The device's link, if the device exists.
    pub(crate) fn link(&self, key: &DeviceKey) -> Option<Link> {
        self.by_uid.get(&key.uid)?.get(&key.device_id).copied()
    }

    /// The connection a device is reachable on now.
    pub(crate) fn conn_of(&self, key: &DeviceKey) -> Option<ConnId> {
        match self.link(key)? {
            Link::Connected(conn) => Some(conn),
            Link::Away { .. } => None,
        }
    }

    /// The admitted connection `conn`.
    pub(crate) fn conn(&self, conn: ConnId) -> Option<&Conn> {
        self.conns.get(&conn)
    }

    /// The admitted connection `conn`, to change its subscriptions.
    pub(crate) fn conn_mut(&mut self, conn: ConnId) -> Option<&mut Conn> {
        self.conns.get_mut(&conn)
    }

    /// How many devices (connected or away) `uid` has.
    pub(crate) fn count(&self, uid: &Uid) -> usize {
        self.by_uid.get(uid).map_or(0, BTreeMap::len)
    }

    /// Every device id of `uid`, with its link, in device-id order.
    pub(crate) fn of_uid(&self, uid: &Uid) -> Vec<(DeviceId, Link)> {
        self.by_uid.get(uid).map_or_else(Vec::new, |devices| {
            devices.iter().map(|(d, l)| (d.clone(), *l)).collect()
        })
    }

    /// The connections of `uid`'s connected devices, in device-id order.
    pub(crate) fn conns_of_uid(&self, uid: &Uid) -> Vec<ConnId> {
        self.of_uid(uid)
            .into_iter()
            .filter_map(|(_, link)| match link {
                Link::Connected(conn) => Some(conn),
                Link::Away { .. } => None,
            })
            .collect()
    }

    /// Every admitted connection, in id order.
    pub(crate) fn all_conns(&self) -> Vec<ConnId> {
        let mut conns: Vec<ConnId> = self.conns.keys().copied().collect();
        conns.sort();
        conns
    }

    /// Makes `conn` the device's connection (creating the device if new). The device's previous
    /// connection, if any, must have been detached first.
    pub(crate) fn connect(&mut self, key: DeviceKey, conn: ConnId) {
        self.conns.insert(
            conn,
            Conn {
                device: key.clone(),
                subscriptions: BTreeSet::new(),
            },
        );
        self.by_uid
            .entry(key.uid)
            .or_default()
            .insert(key.device_id, Link::Connected(conn));
    }

    /// Forgets an admitted connection, leaving its device in place; returns it.
    pub(crate) fn detach(&mut self, conn: ConnId) -> Option<Conn> {
        self.conns.remove(&conn)
    }

    /// Marks a device away.
    pub(crate) fn set_away(&mut self, key: &DeviceKey, since: Instant) {
        if let Some(link) = self
            .by_uid
            .get_mut(&key.uid)
            .and_then(|devices| devices.get_mut(&key.device_id))
        {
            *link = Link::Away { since };
        }
    }

    /// Forgets a device (its connection, if any, must have been detached first).
    pub(crate) fn remove(&mut self, key: &DeviceKey) {
        if let Some(devices) = self.by_uid.get_mut(&key.uid) {
            devices.remove(&key.device_id);
            if devices.is_empty() {
                self.by_uid.remove(&key.uid);
            }
        }
    }

    /// Forgets every device and connection.
    pub(crate) fn clear(&mut self) {
        self.by_uid.clear();
        self.conns.clear();
    }
}
