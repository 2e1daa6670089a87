//! Graceful shutdown: live invitations and calls end with `server_restart` on both sides, and
//! every connection gets a close frame.

use ringer_proto::{CallEndReason, ClientFrame, FailureReason, InvitationId, Outcome, ServerFrame};

use crate::util::{TestServer, close_code, uid};

#[tokio::test]
async fn shutdown_ends_ringing_invitations_and_calls_on_both_sides() {
    let mut server = TestServer::start(&["alice", "bob", "carol", "dave"]).await;
    let (mut alice, _) = server.login("alice", "a").await;
    let (mut bob, _) = server.login("bob", "b").await;
    let (mut carol, _) = server.login("carol", "c").await;
    let (mut dave, _) = server.login("dave", "d").await;
    let mut idle = server.connect().await;

    // alice → bob: still ringing at shutdown.
    let ringing = InvitationId::new("ring-1").expect("valid id");
    alice
        .send(&ClientFrame::Invite {
            req: 1,
            id: ringing.clone(),
            callee: uid("bob"),
            content: None,
            channel_id: None,
        })
        .await;
    bob.recv_until(|f| matches!(f, ServerFrame::Invitation { .. }))
        .await;
    bob.send(&ClientFrame::Received {
        id: ringing.clone(),
    })
    .await;
    alice
        .recv_until(|f| matches!(f, ServerFrame::ReceivedByPeer { .. }))
        .await;

    // carol → dave: a live call at shutdown.
    let call = InvitationId::new("call-1").expect("valid id");
    carol
        .send(&ClientFrame::Invite {
            req: 1,
            id: call.clone(),
            callee: uid("dave"),
            content: None,
            channel_id: None,
        })
        .await;
    dave.recv_until(|f| matches!(f, ServerFrame::Invitation { .. }))
        .await;
    dave.send(&ClientFrame::Received { id: call.clone() }).await;
    dave.send(&ClientFrame::Accept {
        req: 2,
        id: call.clone(),
        response: None,
    })
    .await;
    carol
        .recv_until(|f| matches!(f, ServerFrame::Accepted { .. }))
        .await;
    carol.send(&ClientFrame::Confirm { id: call.clone() }).await;
    dave.recv_until(|f| matches!(f, ServerFrame::AcceptConfirmed { .. }))
        .await;

    server.stop().await;

    for client in [&mut alice, &mut bob] {
        let (frames, ended) = client.drain_until_end().await;
        assert!(
            frames.contains(&ServerFrame::Failed {
                id: ringing.clone(),
                reason: FailureReason::ServerRestart
            }),
            "{frames:?}"
        );
        assert_eq!(close_code(&ended), 1001);
    }
    for client in [&mut carol, &mut dave] {
        let (frames, ended) = client.drain_until_end().await;
        assert!(
            frames.iter().any(|f| matches!(
                f,
                ServerFrame::CallEnded { id, reason: CallEndReason::ServerRestart, .. } if *id == call
            )),
            "{frames:?}"
        );
        assert_eq!(close_code(&ended), 1001);
    }
    let ended = idle.expect_end().await;
    assert_eq!(close_code(&ended), 1001);

    // The records the shutdown produced were written before the server reported stopped.
    let store = crate::util::open_store(server.dir.path());
    let records = store.history(&uid("bob"), 10).expect("read bob's history");
    assert!(
        records
            .iter()
            .any(|r| r.id == ringing && r.outcome == Outcome::Failed),
        "{records:?}"
    );
    let records = store
        .history(&uid("carol"), 10)
        .expect("read carol's history");
    assert!(
        records
            .iter()
            .any(|r| r.id == call && r.outcome == Outcome::Answered),
        "{records:?}"
    );
}
