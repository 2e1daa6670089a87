//! The controller against a recorder and a real server.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ringer_client::{Event, Invite};
use ringer_proto::{
    CallEndReason, ChannelId, Content, ErrorCode, FailureReason, InvitationId, RefuseReason, Uid,
};
use ringer_server::rate_limit::Rate;

use super::recorder::{Record, Recorder};
use super::server::{App, PASSWORD, TestServer};
use crate::error::AppError;
use crate::integration::{Notice, actions};
use crate::keyring_store;
use crate::payload::{
    CallState, EndReason, IncomingState, OutgoingState, SessionState, SettingsPatch, UiEvent,
};

fn invite(id: &str, callee: &str, content: Option<&str>, channel: Option<&str>) -> Invite {
    Invite {
        id: InvitationId::new(id).expect("valid id"),
        callee: Uid::new(callee).expect("valid uid"),
        content: content.map(|c| Content::new(c).expect("valid content")),
        channel_id: channel.map(|c| ChannelId::new(c).expect("valid channel")),
    }
}

/// Waits until the controller rings invitation `id`: the incoming notification.
async fn wait_ringing(app: &App, id: &str) -> Notice {
    app.rec
        .wait_for("the incoming notification", |r| {
            if let Record::Notify(notice @ Notice::Incoming { id: shown, .. }) = r
                && shown == id
            {
                Some(notice.clone())
            } else {
                None
            }
        })
        .await
}

fn missed_notices(rec: &Recorder) -> Vec<String> {
    rec.records()
        .into_iter()
        .filter_map(|r| {
            if let Record::Notify(Notice::Missed { id, .. }) = r {
                Some(id)
            } else {
                None
            }
        })
        .collect()
}

#[tokio::test]
async fn sign_in_keeps_only_the_token_and_the_next_start_signs_in_by_itself() {
    let server = TestServer::start().await;
    let app = server.controller();
    app.sign_in(&server.url, "bob").await;

    let state = app.ctl.app_state();
    assert_eq!(state.session.state, SessionState::SignedIn);
    assert_eq!(state.session.display_name.as_deref(), Some("Bob Stone"));

    let secrets = app.rec.secrets();
    let account = keyring_store::account("bob", &server.url);
    let token = secrets
        .get(&account)
        .expect("the token is in the credential store");
    assert_ne!(token, PASSWORD);
    assert_eq!(secrets.len(), 1);
    assert!(
        secrets.values().all(|secret| !secret.contains(PASSWORD)),
        "the password is never stored"
    );
    for entry in std::fs::read_dir(app.dir.path()).expect("config dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            !text.contains(PASSWORD),
            "{} holds the password",
            path.display()
        );
        assert!(
            !text.contains(token.as_str()),
            "{} holds the token",
            path.display()
        );
    }

    // The directory arrives with presence.
    app.rec
        .wait_for_event(
            "the directory",
            |e| matches!(e, UiEvent::Directory(d) if d.iter().any(|u| u.uid == "alice")),
        )
        .await;

    // Next start: same config dir and credential store, no password.
    let again = App::new(
        Arc::new(Recorder::with_secrets(secrets)),
        tempfile::tempdir().expect("temp dir"),
    );
    std::fs::copy(
        app.dir.path().join("account.json"),
        again.dir.path().join("account.json"),
    )
    .expect("copy the account file");
    assert_eq!(again.ctl.app_state().session.state, SessionState::Starting);
    again.ctl.start().await;
    let state = again.ctl.app_state();
    assert_eq!(state.session.state, SessionState::SignedIn);
    assert_eq!(state.session.uid.as_deref(), Some("bob"));
}

#[tokio::test]
async fn sign_in_errors_end_in_the_sign_in_view_with_a_reason() {
    let server = TestServer::start().await;
    let app = server.controller();

    let wrong = app
        .ctl
        .sign_in(server.url.clone(), "bob".into(), "wrong password".into())
        .await
        .expect_err("a wrong password fails");
    assert_eq!(wrong.code(), "bad_credentials");
    let session = app.ctl.app_state().session;
    assert_eq!(session.state, SessionState::SignedOut);
    assert_eq!(
        session.error.as_ref().map(|e| e.code()),
        Some("bad_credentials")
    );
    assert!(app.rec.secrets().is_empty());

    // A port nobody listens on.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let unreachable = app
        .ctl
        .sign_in(
            format!("ws://127.0.0.1:{port}"),
            "bob".into(),
            PASSWORD.into(),
        )
        .await
        .expect_err("nobody listens");
    assert_eq!(unreachable.code(), "unreachable");
    assert_eq!(app.ctl.app_state().session.state, SessionState::SignedOut);

    let bad_url = app
        .ctl
        .sign_in("http://example.org".into(), "bob".into(), PASSWORD.into())
        .await
        .expect_err("not a websocket url");
    assert_eq!(bad_url.code(), "invalid_url");

    let bad_uid = app
        .ctl
        .sign_in(server.url.clone(), " ".into(), PASSWORD.into())
        .await
        .expect_err("not a uid");
    assert_eq!(bad_uid.code(), "invalid_argument");

    // Every failure emitted signing_in, then signed_out with the error.
    let outcomes: Vec<_> = app
        .rec
        .records()
        .into_iter()
        .filter_map(|r| {
            if let Record::Emit(UiEvent::Session(s)) = r
                && s.state == SessionState::SignedOut
            {
                s.error.map(|e| e.code().to_owned())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            "bad_credentials",
            "unreachable",
            "invalid_url",
            "invalid_argument"
        ]
    );
}

#[tokio::test]
async fn sign_out_revokes_the_token_and_deletes_it() {
    let server = TestServer::start().await;
    let app = server.controller();
    app.sign_in(&server.url, "bob").await;
    let secrets = app.rec.secrets();
    assert_eq!(secrets.len(), 1);

    app.ctl.sign_out().await.expect("signs out");
    assert!(app.rec.secrets().is_empty(), "the token left the keyring");
    let session = app.ctl.app_state().session;
    assert_eq!(session.state, SessionState::SignedOut);
    assert_eq!(session.error, None);
    assert_eq!(
        session.uid.as_deref(),
        Some("bob"),
        "the form stays prefilled"
    );

    // The old token is dead on the server: a start with it lands in the sign-in view.
    let again = App::new(
        Arc::new(Recorder::with_secrets(secrets.clone())),
        tempfile::tempdir().expect("temp dir"),
    );
    std::fs::copy(
        app.dir.path().join("account.json"),
        again.dir.path().join("account.json"),
    )
    .expect("copy the account file");
    again.ctl.start().await;
    let session = again.ctl.app_state().session;
    assert_eq!(session.state, SessionState::SignedOut);
    assert_eq!(
        session.error.as_ref().map(|e| e.code()),
        Some("token_revoked")
    );
    assert!(
        again.rec.secrets().is_empty(),
        "the dead token is forgotten"
    );
}

#[tokio::test]
async fn a_start_without_a_stored_token_shows_the_sign_in_view() {
    let app = App::new(
        Arc::new(Recorder::with_secrets(HashMap::new())),
        tempfile::tempdir().expect("temp dir"),
    );
    app.ctl.start().await;
    let session = app.ctl.app_state().session;
    assert_eq!(session.state, SessionState::SignedOut);
    assert_eq!(session.error, None);
}

#[tokio::test]
async fn an_incoming_call_rings_and_a_cancel_withdraws_it_as_missed() {
    let server = TestServer::start().await;
    let bob = server.controller();
    bob.sign_in(&server.url, "bob").await;
    let alice = server.client("alice", "alice-laptop").await;

    alice
        .client
        .send(invite("inv-1", "bob", Some("Quarterly numbers"), None))
        .await
        .expect("sent");
    let notice = wait_ringing(&bob, "inv-1").await;
    assert_eq!(notice.title(), "Incoming call from Alice Martin");
    assert_eq!(notice.body(), Some("Quarterly numbers"));
    assert!(matches!(notice, Notice::Incoming { quiet: false, .. }));
    bob.rec
        .wait_for("the incoming window", |r| {
            (r == &Record::OpenWindow("inv-1".into())).then_some(())
        })
        .await;
    let ringing = bob.ctl.app_state().incoming;
    assert_eq!(ringing.len(), 1);
    assert_eq!(ringing[0].caller, "alice");
    assert_eq!(ringing[0].state, IncomingState::Ringing);
    assert!(ringing[0].popup);

    alice
        .client
        .cancel(InvitationId::new("inv-1").expect("valid id"))
        .await
        .expect("canceled");
    bob.rec
        .wait_for("the missed notification", |r| {
            matches!(r, Record::Notify(Notice::Missed { id, .. }) if id == "inv-1").then_some(())
        })
        .await;
    let records = bob.rec.records();
    assert!(records.contains(&Record::Withdraw("inv-1".into())));
    assert!(records.contains(&Record::CloseWindow("inv-1".into())));
    assert!(records.contains(&Record::Badge(1)));
    let state = bob.ctl.app_state();
    assert!(state.incoming.is_empty());
    assert_eq!(state.missed.count, 1);

    bob.ctl.mark_missed_seen();
    assert_eq!(bob.ctl.app_state().missed.count, 0);
}

#[tokio::test]
async fn answered_elsewhere_withdraws_without_a_missed_call() {
    let server = TestServer::start().await;
    let bob = server.controller();
    bob.sign_in(&server.url, "bob").await;
    let mut bob_phone = server.client("bob", "bob-phone").await;
    let alice = server.client("alice", "alice-laptop").await;

    alice
        .client
        .send(invite("inv-2", "bob", None, None))
        .await
        .expect("sent");
    wait_ringing(&bob, "inv-2").await;
    bob_phone
        .wait_for("the invitation on the phone", |e| {
            matches!(e, Event::RemoteInvitationReceived { .. }).then_some(())
        })
        .await;
    bob_phone
        .client
        .accept(InvitationId::new("inv-2").expect("valid id"), None)
        .await
        .expect("accepted on the phone");

    bob.rec
        .wait_for("the withdrawal", |r| {
            (r == &Record::Withdraw("inv-2".into())).then_some(())
        })
        .await;
    bob.settle();
    assert!(
        bob.rec
            .records()
            .contains(&Record::CloseWindow("inv-2".into()))
    );
    assert!(
        missed_notices(&bob.rec).is_empty(),
        "answered elsewhere is not missed"
    );
    let state = bob.ctl.app_state();
    assert!(state.incoming.is_empty());
    assert_eq!(state.missed.count, 0);
    assert!(state.calls.is_empty(), "the call is on the other device");
}

#[tokio::test]
async fn accept_from_the_notification_starts_the_call_and_opens_the_meeting_link() {
    let server = TestServer::start().await;
    let bob = server.controller();
    bob.sign_in(&server.url, "bob").await;
    bob.ctl
        .update_settings(SettingsPatch {
            meeting_link_template: Some("https://meet.example.org/{channel}".into()),
            ..SettingsPatch::default()
        })
        .await
        .expect("template accepted");
    let mut alice = server.client("alice", "alice-laptop").await;

    alice
        .client
        .send(invite("inv-3", "bob", None, Some("standup")))
        .await
        .expect("sent");
    wait_ringing(&bob, "inv-3").await;

    bob.ctl.notification_action(actions::ACCEPT, "inv-3").await;
    alice
        .wait_for("the accept", |e| {
            matches!(e, Event::LocalInvitationAccepted { id, .. } if id.as_str() == "inv-3")
                .then_some(())
        })
        .await;
    bob.rec
        .wait_for("the meeting link", |r| {
            (r == &Record::OpenUrl("https://meet.example.org/standup".into())).then_some(())
        })
        .await;
    let state = bob.ctl.app_state();
    assert!(state.incoming.is_empty());
    assert_eq!(state.calls.len(), 1);
    assert_eq!(state.calls[0].state, CallState::Active);
    assert_eq!(state.calls[0].peer, "alice");
    assert_eq!(
        state.calls[0].meeting_url.as_deref(),
        Some("https://meet.example.org/standup")
    );
    let records = bob.rec.records();
    assert!(records.contains(&Record::Withdraw("inv-3".into())));
    assert!(records.contains(&Record::CloseWindow("inv-3".into())));

    // The other side hangs up: the call ends here too.
    alice
        .client
        .hang_up(InvitationId::new("inv-3").expect("valid id"))
        .await
        .expect("hung up");
    bob.rec
        .wait_for_event(
            "the ended call",
            |e| matches!(e, UiEvent::Calls(c) if c.iter().any(|c| c.state == CallState::Ended)),
        )
        .await;
    let call = bob.ctl.app_state().calls.remove(0);
    assert_eq!(call.end_reason, Some(CallEndReason::Hangup));
    assert_eq!(call.ended_by.as_deref(), Some("alice"));
    assert!(missed_notices(&bob.rec).is_empty());
}

#[tokio::test]
async fn decline_from_the_notification_refuses_the_caller() {
    let server = TestServer::start().await;
    let bob = server.controller();
    bob.sign_in(&server.url, "bob").await;
    let mut alice = server.client("alice", "alice-laptop").await;
    alice
        .client
        .send(invite("inv-4", "bob", None, None))
        .await
        .expect("sent");
    wait_ringing(&bob, "inv-4").await;

    bob.ctl.notification_action(actions::DECLINE, "inv-4").await;
    let reason = alice
        .wait_for("the refusal", |e| {
            if let Event::LocalInvitationRefused { reason, .. } = e {
                Some(*reason)
            } else {
                None
            }
        })
        .await;
    assert_eq!(reason, RefuseReason::Declined);
    bob.rec
        .wait_for_event(
            "the empty incoming list",
            |e| matches!(e, UiEvent::Incoming(list) if list.is_empty()),
        )
        .await;
    bob.settle();
    assert!(
        bob.rec
            .records()
            .contains(&Record::CloseWindow("inv-4".into()))
    );
    assert!(
        missed_notices(&bob.rec).is_empty(),
        "declined is not missed"
    );
}

#[tokio::test]
async fn invitations_during_a_call_are_busy_unless_call_waiting_is_on() {
    let server = TestServer::start().await;
    let bob = server.controller();
    bob.sign_in(&server.url, "bob").await;
    let mut alice = server.client("alice", "alice-laptop").await;
    let mut carol = server.client("carol", "carol-laptop").await;

    // Bob calls Alice from the app; she accepts.
    let outgoing = bob
        .ctl
        .send_invitation("alice".into(), Some("got a minute?".into()))
        .await
        .expect("sent");
    assert_eq!(outgoing.state, OutgoingState::Calling);
    assert_eq!(outgoing.peer_name, "Alice Martin");
    let id = alice
        .wait_for("bob's invitation", |e| {
            if let Event::RemoteInvitationReceived { invitation } = e {
                Some(invitation.id.clone())
            } else {
                None
            }
        })
        .await;
    assert_eq!(id.as_str(), outgoing.id);
    bob.rec
        .wait_for_event("ringing at the peer", |e| {
            matches!(e, UiEvent::Outgoing(o) if o.iter().any(|c| c.state == OutgoingState::Ringing))
        })
        .await;
    alice.client.accept(id, None).await.expect("accepted");
    bob.rec
        .wait_for_event(
            "the call",
            |e| matches!(e, UiEvent::Calls(c) if c.iter().any(|c| c.state == CallState::Active)),
        )
        .await;
    assert!(bob.ctl.app_state().outgoing.is_empty());

    // Carol calls Bob during the call: refused as busy, nothing rings.
    carol
        .client
        .send(invite("inv-busy", "bob", None, None))
        .await
        .expect("sent");
    let reason = carol
        .wait_for("the refusal", |e| {
            if let Event::LocalInvitationRefused { reason, .. } = e {
                Some(*reason)
            } else {
                None
            }
        })
        .await;
    assert_eq!(reason, RefuseReason::Busy);
    bob.settle();
    assert!(
        !bob.rec
            .records()
            .iter()
            .any(|r| matches!(r, Record::Notify(n) if n.id() == "inv-busy")),
        "a busy refusal never rings"
    );

    // With call waiting on, the next one rings quietly.
    bob.ctl
        .update_settings(SettingsPatch {
            call_waiting: Some(true),
            ..SettingsPatch::default()
        })
        .await
        .expect("call waiting on");
    carol
        .client
        .send(invite("inv-wait", "bob", None, None))
        .await
        .expect("sent");
    let notice = wait_ringing(&bob, "inv-wait").await;
    assert!(matches!(notice, Notice::Incoming { quiet: true, .. }));
    let incoming = bob.ctl.app_state().incoming;
    assert_eq!(incoming.len(), 1);
    assert!(incoming[0].silenced, "a call-waiting ring has no ringtone");
}

#[tokio::test]
async fn an_outgoing_call_can_be_canceled_and_failures_carry_their_reason() {
    let server = TestServer::start().await;
    let bob = server.controller();
    bob.sign_in(&server.url, "bob").await;
    let mut alice = server.client("alice", "alice-laptop").await;

    let outgoing = bob
        .ctl
        .send_invitation("alice".into(), None)
        .await
        .expect("sent");
    alice
        .wait_for("bob's invitation", |e| {
            matches!(e, Event::RemoteInvitationReceived { .. }).then_some(())
        })
        .await;
    bob.ctl
        .cancel_invitation(outgoing.id.clone())
        .await
        .expect("canceled");
    alice
        .wait_for("the cancel", |e| {
            matches!(e, Event::RemoteInvitationCanceled { .. }).then_some(())
        })
        .await;
    bob.rec
        .wait_for_event("the canceled state", |e| {
            matches!(e, UiEvent::Outgoing(o) if o.iter().any(|c| c.state == OutgoingState::Canceled))
        })
        .await;
    bob.ctl.dismiss(&outgoing.id);
    assert!(bob.ctl.app_state().outgoing.is_empty());

    // An unknown uid fails at once.
    bob.ctl
        .send_invitation("nobody".into(), None)
        .await
        .expect("sent");
    bob.rec
        .wait_for_event("the failure", |e| {
            matches!(e, UiEvent::Outgoing(o) if o.iter().any(|c| {
                c.state == OutgoingState::Failed
                    && c.reason == Some(EndReason::Failed(FailureReason::PeerUnknown))
                    && c.error.is_none()
            }))
        })
        .await;

    let own = bob
        .ctl
        .send_invitation("bob".into(), None)
        .await
        .expect_err("cannot call oneself");
    assert_eq!(own.code(), "invalid_argument");
}

/// bob signed in to a server that allows 8 frames an hour, after a burst of invitations to the
/// offline carol that ran out of them: the first got through and wait for her (`calling`), the
/// later ones were refused. The server is returned to keep it running.
async fn bob_out_of_frames() -> (TestServer, App) {
    let server = TestServer::start_with(|config| {
        config.limits.frame_rate = Rate::new(8, Duration::from_secs(3600));
    })
    .await;
    let bob = server.controller();
    bob.sign_in(&server.url, "bob").await;
    // The sign-in's own requests are answered before the burst.
    bob.rec
        .wait_for_event("the history", |e| matches!(e, UiEvent::History(_)))
        .await;
    for _ in 0..10 {
        bob.ctl
            .send_invitation("carol".into(), None)
            .await
            .expect("sent");
    }
    bob.rec
        .wait_for_event("a refused invitation", |e| {
            matches!(e, UiEvent::Outgoing(o) if o.iter().any(|c| c.state == OutgoingState::Failed))
        })
        .await;
    bob.settle();
    (server, bob)
}

/// The server refusing an `invite` fails it with the wire reason `peer_unknown`, though the
/// callee has an account: the card carries the server's error to word instead, and no error
/// toast repeats it.
#[tokio::test]
async fn an_invitation_the_server_refuses_ends_with_the_servers_error() {
    let (_server, bob) = bob_out_of_frames().await;

    let outgoing = bob.ctl.app_state().outgoing;
    assert!(
        outgoing.iter().any(|c| c.state == OutgoingState::Calling),
        "the first invitations got through: {outgoing:#?}"
    );
    let failed: Vec<_> = outgoing
        .iter()
        .filter(|c| c.state == OutgoingState::Failed)
        .collect();
    assert!(!failed.is_empty());
    for call in failed {
        assert_eq!(
            call.reason,
            Some(EndReason::Failed(FailureReason::PeerUnknown))
        );
        assert!(
            matches!(
                &call.error,
                Some(AppError::Code {
                    code: ErrorCode::RateLimited,
                    ..
                })
            ),
            "{call:#?}"
        );
    }
    let toasts: Vec<_> = bob
        .rec
        .records()
        .into_iter()
        .filter(|r| matches!(r, Record::Emit(UiEvent::Error(_))))
        .collect();
    assert!(toasts.is_empty(), "{toasts:#?}");
}

/// A `cancel` the server refuses leaves the call ringing, and the user is told why: the error
/// reaches the app through the client's event stream (it was dropped there before).
#[tokio::test]
async fn a_cancel_the_server_refuses_shows_its_error_and_the_call_still_rings() {
    let (_server, bob) = bob_out_of_frames().await;
    let ringing = bob
        .ctl
        .app_state()
        .outgoing
        .into_iter()
        .find(|c| c.state == OutgoingState::Calling)
        .expect("the first invitations got through");

    bob.ctl
        .cancel_invitation(ringing.id.clone())
        .await
        .expect("asked");
    bob.rec
        .wait_for_event("the cancel's error", |e| {
            matches!(
                e,
                UiEvent::Error(AppError::Code {
                    code: ErrorCode::RateLimited,
                    ..
                })
            )
        })
        .await;
    bob.settle();
    let still = bob
        .ctl
        .app_state()
        .outgoing
        .into_iter()
        .find(|c| c.id == ringing.id)
        .expect("the call is still listed");
    assert_eq!(still.state, OutgoingState::Calling);
}

#[tokio::test]
async fn the_caller_side_opens_the_meeting_link_too_and_a_deep_link_calls() {
    let server = TestServer::start().await;
    let bob = server.controller();
    bob.sign_in(&server.url, "bob").await;
    bob.ctl
        .update_settings(SettingsPatch {
            meeting_link_template: Some("https://meet.example.org/{channel}".into()),
            ..SettingsPatch::default()
        })
        .await
        .expect("template accepted");
    let mut alice = server.client("alice", "alice-laptop").await;

    bob.ctl.open_deep_link("ringer://call/alice").await;
    assert!(bob.rec.records().contains(&Record::ShowMain));
    let invitation = alice
        .wait_for("bob's invitation", |e| {
            if let Event::RemoteInvitationReceived { invitation } = e {
                Some(invitation.clone())
            } else {
                None
            }
        })
        .await;
    let channel = invitation
        .channel_id
        .clone()
        .expect("the app picks a channel");
    alice
        .client
        .accept(invitation.id.clone(), None)
        .await
        .expect("accepted");
    let expected = format!("https://meet.example.org/{channel}");
    bob.rec
        .wait_for("the caller's meeting link", |r| {
            (r == &Record::OpenUrl(expected.clone())).then_some(())
        })
        .await;

    // Hang up from the app.
    bob.ctl
        .hang_up(invitation.id.as_str().to_owned())
        .await
        .expect("hung up");
    bob.rec
        .wait_for_event(
            "the ended call",
            |e| matches!(e, UiEvent::Calls(c) if c.iter().any(|c| c.state == CallState::Ended)),
        )
        .await;
    let call = bob.ctl.app_state().calls.remove(0);
    assert_eq!(call.ended_by.as_deref(), Some("bob"));
}

#[tokio::test]
async fn settings_are_validated_and_persisted() {
    let app = App::new(
        Arc::new(Recorder::new()),
        tempfile::tempdir().expect("temp dir"),
    );
    let bad = app
        .ctl
        .update_settings(SettingsPatch {
            meeting_link_template: Some("javascript:alert(1)".into()),
            ..SettingsPatch::default()
        })
        .await
        .expect_err("not an http link");
    assert_eq!(bad.code(), "invalid_argument");

    let settings = app
        .ctl
        .update_settings(SettingsPatch {
            sounds: Some(false),
            start_at_login: Some(true),
            ..SettingsPatch::default()
        })
        .await
        .expect("stored");
    assert!(!settings.sounds);
    assert!(app.rec.records().contains(&Record::Autostart(true)));
    app.ctl.set_favourite("alice", true).expect("starred");

    // A restart: a new controller over a config dir holding the stored file.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        app.dir.path().join("settings.json"),
        dir.path().join("settings.json"),
    )
    .expect("copy");
    let again = App::new(Arc::new(Recorder::new()), dir);
    let stored = again.ctl.app_state().settings;
    assert!(!stored.sounds);
    assert!(stored.start_at_login);
    assert_eq!(stored.favourites, ["alice"]);
}

#[tokio::test]
async fn an_unanswered_invitation_stops_ringing_at_expiry_and_counts_as_missed() {
    let server = TestServer::start_with(|config| {
        config.switchboard.ring_timeout = std::time::Duration::from_millis(300);
    })
    .await;
    let bob = server.controller();
    bob.sign_in(&server.url, "bob").await;
    let mut alice = server.client("alice", "alice-laptop").await;

    alice
        .client
        .send(invite("inv-expire", "bob", Some("ping"), None))
        .await
        .expect("sent");
    wait_ringing(&bob, "inv-expire").await;
    let reason = alice
        .wait_for("the caller's failure", |e| {
            if let Event::LocalInvitationFailure { reason, .. } = e {
                Some(*reason)
            } else {
                None
            }
        })
        .await;
    assert_eq!(reason, FailureReason::InvitationExpire);
    bob.rec
        .wait_for("the missed notification", |r| {
            matches!(r, Record::Notify(Notice::Missed { id, .. }) if id == "inv-expire")
                .then_some(())
        })
        .await;
    let records = bob.rec.records();
    assert!(records.contains(&Record::Withdraw("inv-expire".into())));
    assert!(records.contains(&Record::CloseWindow("inv-expire".into())));
    assert_eq!(bob.ctl.app_state().missed.count, 1);
    assert!(bob.ctl.app_state().incoming.is_empty());
}
