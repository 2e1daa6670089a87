//! Requests in flight, keyed by the request id the engine chose, and the status of a user action
//! on an invitation.

use std::collections::BTreeMap;

use ringer_proto::{InvitationId, ReqId, Status, Uid};

/// Where a user action on an invitation (cancel, accept, refuse, hang up) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pending {
    /// Not requested.
    No,
    /// Requested while not connected, or in flight when the connection dropped: sent after the
    /// next welcome's reconciliation if it still applies.
    Queued,
    /// Sent; waiting for `ok` or `error`.
    InFlight(ReqId),
    /// The server took it (`ok`, `already_end`, or the snapshot shows it): the outcome follows as
    /// its own frame.
    Acked,
}

impl Pending {
    /// True once the user asked for it.
    pub fn requested(self) -> bool {
        match self {
            Pending::No => false,
            Pending::Queued | Pending::InFlight(_) | Pending::Acked => true,
        }
    }

    /// After a lost connection, an unanswered request must go again.
    pub fn requeue(&mut self) {
        match self {
            Pending::InFlight(_) => *self = Pending::Queued,
            Pending::No | Pending::Queued | Pending::Acked => {}
        }
    }
}

/// What a request in flight was, so its reply can be routed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RequestKind {
    Login,
    Logout,
    RenewToken,
    /// `user` is false for the engine's own re-apply after a server restart.
    SetStatus {
        status: Status,
        call_waiting: Option<bool>,
        user: bool,
    },
    QueryPresence,
    /// `user` is false for the engine's own re-subscribe after a reconnect.
    Subscribe {
        uids: Vec<Uid>,
        user: bool,
    },
    Unsubscribe {
        uids: Vec<Uid>,
    },
    History,
    Directory,
    Invite(InvitationId),
    Cancel(InvitationId),
    Accept(InvitationId),
    Refuse(InvitationId),
    HangUp(InvitationId),
}

/// Request ids and the requests waiting for a reply.
#[derive(Debug, Default)]
pub(crate) struct Requests {
    next: ReqId,
    in_flight: BTreeMap<ReqId, RequestKind>,
}

impl Requests {
    /// Allocates a request id and remembers what it is for.
    pub fn start(&mut self, kind: RequestKind) -> ReqId {
        self.next = self.next.wrapping_add(1);
        self.in_flight.insert(self.next, kind);
        self.next
    }

    /// The request a reply answers, forgetting it.
    pub fn finish(&mut self, req: ReqId) -> Option<RequestKind> {
        self.in_flight.remove(&req)
    }

    /// Every request in flight, forgetting them (the connection is gone).
    pub fn drain(&mut self) -> Vec<(ReqId, RequestKind)> {
        std::mem::take(&mut self.in_flight).into_iter().collect()
    }
}
