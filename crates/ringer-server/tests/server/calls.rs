//! A whole call over real sockets, and its record in the history.

use std::time::Duration;

use ringer_proto::{CallEndReason, ClientFrame, Direction, InvitationId, Outcome, ServerFrame};

use crate::util::{PATIENCE, TestServer, uid};

fn invitation_id(s: &str) -> InvitationId {
    InvitationId::new(s).expect("valid invitation id")
}

#[tokio::test]
async fn invite_accept_confirm_hang_up() {
    let server = TestServer::start(&["alice", "bob"]).await;
    let (mut alice, _) = server.login("alice", "alice-laptop").await;
    let (mut bob, _) = server.login("bob", "bob-phone").await;
    let id = invitation_id("6f1c1a4e-7f0b-4a38-9a53-1d0c3e9b8a11");

    alice
        .send(&ClientFrame::Invite {
            req: 1,
            id: id.clone(),
            callee: uid("bob"),
            content: None,
            channel_id: None,
        })
        .await;
    let invitation = bob
        .recv_until(|f| matches!(f, ServerFrame::Invitation { .. }))
        .await;
    let ServerFrame::Invitation { invitation } = invitation else {
        panic!("expected an invitation");
    };
    assert_eq!(invitation.id, id);
    assert_eq!(
        invitation.caller,
        uid("alice"),
        "the server stamps the caller"
    );
    assert_eq!(invitation.callee, uid("bob"));

    bob.send(&ClientFrame::Received { id: id.clone() }).await;
    let received = alice
        .recv_until(|f| matches!(f, ServerFrame::ReceivedByPeer { .. }))
        .await;
    assert_eq!(received, ServerFrame::ReceivedByPeer { id: id.clone() });

    bob.send(&ClientFrame::Accept {
        req: 2,
        id: id.clone(),
        response: None,
    })
    .await;
    let accepted = alice
        .recv_until(|f| matches!(f, ServerFrame::Accepted { .. }))
        .await;
    assert_eq!(
        accepted,
        ServerFrame::Accepted {
            id: id.clone(),
            response: None
        }
    );

    alice.send(&ClientFrame::Confirm { id: id.clone() }).await;
    let confirmed = bob
        .recv_until(|f| matches!(f, ServerFrame::AcceptConfirmed { .. }))
        .await;
    assert_eq!(confirmed, ServerFrame::AcceptConfirmed { id: id.clone() });

    alice
        .send(&ClientFrame::HangUp {
            req: 3,
            id: id.clone(),
        })
        .await;
    for client in [&mut alice, &mut bob] {
        let ended = client
            .recv_until(|f| matches!(f, ServerFrame::CallEnded { .. }))
            .await;
        assert_eq!(
            ended,
            ServerFrame::CallEnded {
                id: id.clone(),
                reason: CallEndReason::Hangup,
                by: Some(uid("alice")),
            }
        );
    }

    // The records are written off the switchboard's task; poll until they are there.
    let records = tokio::time::timeout(PATIENCE, async {
        let mut req = 10;
        loop {
            req += 1;
            bob.send(&ClientFrame::History { req, limit: None }).await;
            let reply = bob
                .recv_until(|f| matches!(f, ServerFrame::HistoryResult { req: r, .. } if *r == req))
                .await;
            if let ServerFrame::HistoryResult { records, .. } = reply
                && !records.is_empty()
            {
                return records;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("bob's call record is stored");
    assert_eq!(records.len(), 1, "{records:?}");
    let record = &records[0];
    assert_eq!(record.id, id);
    assert_eq!(record.peer, uid("alice"));
    assert_eq!(record.direction, Direction::Incoming);
    assert_eq!(record.outcome, Outcome::Answered);
    assert!(!record.missed);
    assert!(record.answered_at.is_some());
}
