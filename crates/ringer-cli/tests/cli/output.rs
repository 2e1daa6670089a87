//! The JSON and text forms of what the CLI prints.

use ringer_cli::output::{Line, Printer, human_line, json_line};
use ringer_client::{ConnectionChangeReason, ConnectionState, Event, ServerError};
use ringer_proto::{
    CallEndReason, CallRecord, CancelReason, Direction, DisplayName, ErrorCode, FailureReason,
    InvitationId, InvitationInfo, Outcome, Presence, PresenceEntry, RefuseReason, Response, Status,
    Token, Uid,
};
use serde_json::json;

fn uid(s: &str) -> Uid {
    Uid::new(s).expect("valid uid")
}

fn id() -> InvitationId {
    InvitationId::new("inv-1").expect("valid id")
}

fn event_json(event: &Event, peer: Option<&Uid>) -> serde_json::Value {
    json_line(&Line::Event { event, peer })
}

#[test]
fn caller_events_use_spec_names_with_id_peer_reason_and_response() {
    let bob = uid("bob");
    let response = Response::new("later").expect("valid response");
    let cases = [
        (
            Event::LocalInvitationReceivedByPeer { id: id() },
            json!({"event": "local_invitation_received_by_peer", "id": "inv-1", "peer": "bob"}),
        ),
        (
            Event::LocalInvitationAccepted {
                id: id(),
                response: Some(response.clone()),
            },
            json!({"event": "local_invitation_accepted", "id": "inv-1", "peer": "bob",
                   "response": "later"}),
        ),
        (
            Event::LocalInvitationRefused {
                id: id(),
                response: Some(response),
                reason: RefuseReason::Busy,
            },
            json!({"event": "local_invitation_refused", "id": "inv-1", "peer": "bob",
                   "response": "later", "reason": "busy"}),
        ),
        (
            Event::LocalInvitationCanceled { id: id() },
            json!({"event": "local_invitation_canceled", "id": "inv-1", "peer": "bob"}),
        ),
        (
            Event::LocalInvitationFailure {
                id: id(),
                reason: FailureReason::PeerOffline,
                error: None,
            },
            json!({"event": "local_invitation_failure", "id": "inv-1", "peer": "bob",
                   "reason": "peer_offline", "code": null, "message": null}),
        ),
        (
            Event::LocalInvitationFailure {
                id: id(),
                reason: FailureReason::PeerUnknown,
                error: Some(ServerError {
                    code: ErrorCode::RateLimited,
                    message: "too many frames; slow down".into(),
                }),
            },
            json!({"event": "local_invitation_failure", "id": "inv-1", "peer": "bob",
                   "reason": "peer_unknown", "code": "rate_limited",
                   "message": "too many frames; slow down"}),
        ),
        (
            Event::CallEnded {
                id: id(),
                reason: CallEndReason::Hangup,
                by: Some(uid("alice")),
            },
            json!({"event": "call_ended", "id": "inv-1", "peer": "bob", "reason": "hangup",
                   "by": "alice"}),
        ),
    ];
    for (event, expected) in cases {
        assert_eq!(event_json(&event, Some(&bob)), expected, "{event:?}");
    }
}

#[test]
fn callee_events_use_spec_names() {
    let alice = uid("alice");
    let invitation = InvitationInfo {
        id: id(),
        caller: alice.clone(),
        caller_name: DisplayName::new("Alice A").expect("valid name"),
        callee: uid("bob"),
        content: Some(ringer_proto::Content::new("lunch?").expect("valid content")),
        channel_id: None,
        sent_at: 1_700_000_000_000,
    };
    assert_eq!(
        event_json(&Event::RemoteInvitationReceived { invitation }, None),
        json!({"event": "remote_invitation_received", "id": "inv-1", "peer": "alice",
               "peer_name": "Alice A", "content": "lunch?", "channel_id": null,
               "sent_at": 1_700_000_000_000u64})
    );
    let cases = [
        (
            Event::RemoteInvitationAccepted { id: id() },
            json!({"event": "remote_invitation_accepted", "id": "inv-1", "peer": "alice"}),
        ),
        (
            Event::RemoteInvitationRefused { id: id() },
            json!({"event": "remote_invitation_refused", "id": "inv-1", "peer": "alice"}),
        ),
        (
            Event::RemoteInvitationCanceled {
                id: id(),
                reason: CancelReason::AnsweredElsewhere,
            },
            json!({"event": "remote_invitation_canceled", "id": "inv-1", "peer": "alice",
                   "reason": "answered_elsewhere"}),
        ),
        (
            Event::RemoteInvitationFailure {
                id: id(),
                reason: FailureReason::InvitationExpire,
            },
            json!({"event": "remote_invitation_failure", "id": "inv-1", "peer": "alice",
                   "reason": "invitation_expire"}),
        ),
    ];
    for (event, expected) in cases {
        assert_eq!(event_json(&event, Some(&alice)), expected, "{event:?}");
    }
}

#[test]
fn connection_and_session_events_never_show_the_token() {
    assert_eq!(
        event_json(
            &Event::ConnectionStateChanged {
                state: ConnectionState::Reconnecting,
                reason: ConnectionChangeReason::Interrupted,
            },
            None
        ),
        json!({"event": "connection_state_changed", "state": "reconnecting",
               "reason": "interrupted"})
    );
    let logged_in = Event::LoggedIn {
        uid: uid("alice"),
        display_name: DisplayName::new("Alice").expect("valid name"),
        token: Some(Token::new("secret-token").expect("valid token")),
        token_expires_at: 5,
        status: Status::Dnd,
        call_waiting: true,
    };
    let value = event_json(&logged_in, None);
    assert_eq!(
        value,
        json!({"event": "logged_in", "uid": "alice", "display_name": "Alice",
               "token_expires_at": 5, "status": "dnd", "call_waiting": true})
    );
    assert!(
        !human_line(&Line::Event {
            event: &logged_in,
            peer: None
        })
        .contains("secret")
    );
}

#[test]
fn query_results_and_errors_have_their_own_event_names() {
    let entry = PresenceEntry {
        uid: uid("bob"),
        presence: Presence::InCall,
    };
    assert_eq!(
        json_line(&Line::Presence(&entry)),
        json!({"event": "presence", "uid": "bob", "presence": "in_call"})
    );
    let record = CallRecord {
        id: id(),
        peer: uid("bob"),
        direction: Direction::Incoming,
        outcome: Outcome::Canceled,
        reason: None,
        missed: true,
        started_at: 1_000,
        answered_at: None,
        ended_at: 2_000,
    };
    assert_eq!(
        json_line(&Line::HistoryRecord(&record)),
        json!({"event": "history_record", "id": "inv-1", "peer": "bob",
               "direction": "incoming", "outcome": "canceled", "reason": null, "missed": true,
               "started_at": 1_000, "answered_at": null, "ended_at": 2_000})
    );
    assert_eq!(
        human_line(&Line::HistoryRecord(&record)),
        "1970-01-01T00:00:01Z from bob canceled, missed"
    );
    assert_eq!(
        json_line(&Line::Error {
            kind: "auth",
            message: "bad credentials"
        }),
        json!({"event": "error", "kind": "auth", "message": "bad credentials"})
    );
}

#[test]
fn human_lines_name_the_peer_and_the_reason() {
    let bob = uid("bob");
    let failure = Event::LocalInvitationFailure {
        id: id(),
        reason: FailureReason::PeerUnknown,
        error: None,
    };
    assert_eq!(
        human_line(&Line::Event {
            event: &failure,
            peer: Some(&bob)
        }),
        "call to bob failed: unknown user (peer_unknown)"
    );
    // A refused invite fails with peer_unknown too; the line says the server's error instead.
    let refused_invite = Event::LocalInvitationFailure {
        id: id(),
        reason: FailureReason::PeerUnknown,
        error: Some(ServerError {
            code: ErrorCode::Internal,
            message: "the store failed".into(),
        }),
    };
    assert_eq!(
        human_line(&Line::Event {
            event: &refused_invite,
            peer: Some(&bob)
        }),
        "call to bob failed: server refused the request: internal: the store failed"
    );
    let refused = Event::LocalInvitationRefused {
        id: id(),
        response: None,
        reason: RefuseReason::Dnd,
    };
    assert_eq!(
        human_line(&Line::Event {
            event: &refused,
            peer: Some(&bob)
        }),
        "bob refused: do not disturb"
    );
}

/// A writer the test can read back.
#[derive(Clone, Default)]
struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_printer_remembers_the_caller_of_an_incoming_invitation() {
    let out = Shared::default();
    let mut printer = Printer::new(true, Box::new(out.clone()));
    let invitation = InvitationInfo {
        id: id(),
        caller: uid("alice"),
        caller_name: DisplayName::new("Alice").expect("valid name"),
        callee: uid("bob"),
        content: None,
        channel_id: None,
        sent_at: 0,
    };
    printer
        .event(&Event::RemoteInvitationReceived { invitation })
        .expect("printed");
    printer
        .event(&Event::RemoteInvitationCanceled {
            id: id(),
            reason: CancelReason::Canceled,
        })
        .expect("printed");
    let text = String::from_utf8(out.0.lock().expect("not poisoned").clone()).expect("utf-8");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["event"], "remote_invitation_canceled");
    assert_eq!(lines[1]["peer"], "alice");
    assert_eq!(lines[1]["reason"], "canceled");
}
