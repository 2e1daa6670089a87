//! Races the server decides: two devices of the callee answering at the same moment (exactly one
//! wins, and the winner, the loser and the caller agree on which), and glare.

use ringer_client::{ApiError, ClientError, Event};
use ringer_proto::{CallEndReason, CancelReason, Direction, Outcome};

use crate::support::{Server, assert_record, fresh_id, invite, uid};

/// How many races to run; each is decided afresh by the order the accepts reach the server.
const ROUNDS: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_accepting_at_once_exactly_one_wins_and_everyone_agrees() {
    let server = Server::start(&["alice", "bob"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut phone = server.party("bob", "bob-phone").await;
    let mut desk = server.party("bob", "bob-desk").await;

    for round in 0..ROUNDS {
        let id = fresh_id();
        alice.client.send(invite(&id, "bob")).await.expect("sent");
        phone.expect_invitation(&id).await;
        desk.expect_invitation(&id).await;
        alice
            .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
            .await;

        // Alternate who asks first, so that each device wins some of the races.
        let (from_phone, from_desk) = if round % 2 == 0 {
            tokio::join!(
                phone.client.accept(id.clone(), None),
                desk.client.accept(id.clone(), None),
            )
        } else {
            let (desk_first, phone_second) = tokio::join!(
                desk.client.accept(id.clone(), None),
                phone.client.accept(id.clone(), None),
            );
            (phone_second, desk_first)
        };

        alice
            .expect(Event::LocalInvitationAccepted {
                id: id.clone(),
                response: None,
            })
            .await;
        let (_, on_phone) = phone.next_call_event().await;
        let (_, on_desk) = desk.next_call_event().await;
        let accepted = Event::RemoteInvitationAccepted { id: id.clone() };
        let lost = Event::RemoteInvitationCanceled {
            id: id.clone(),
            reason: CancelReason::AnsweredElsewhere,
        };
        let (winner, loser, winner_said, loser_said) = if on_phone == accepted {
            assert_eq!(on_desk, lost, "the phone won, so the desk lost");
            (&mut phone, &mut desk, from_phone, from_desk)
        } else {
            assert_eq!(on_phone, lost, "the phone did not win: {on_phone:?}");
            assert_eq!(on_desk, accepted, "so the desk won");
            (&mut desk, &mut phone, from_desk, from_phone)
        };
        winner_said.expect("the winner's engine took the accept");
        // The loser's accept normally reaches the server and loses there (already_end, then
        // answered_elsewhere). Only if the other device's win reached it first does its own
        // engine refuse the call, with already_end.
        if let Err(error) = loser_said {
            assert!(
                matches!(error, ClientError::Api(ApiError::AlreadyEnd)),
                "{error:?}"
            );
        }

        // The call is the winner's: it ends there and at the caller, and the loser can do
        // nothing more with it.
        assert!(loser.client.hang_up(id.clone()).await.is_err());
        alice.client.hang_up(id.clone()).await.expect("hung up");
        let ended = Event::CallEnded {
            id: id.clone(),
            reason: CallEndReason::Hangup,
            by: Some(uid("alice")),
        };
        winner.expect(ended.clone()).await;
        alice.expect(ended).await;

        let record = winner.record(&id).await;
        assert_record(
            &record,
            "alice",
            Direction::Incoming,
            Outcome::Answered,
            Some("hangup"),
            false,
        );
        let record = alice.record(&id).await;
        assert_record(
            &record,
            "bob",
            Direction::Outgoing,
            Outcome::Answered,
            Some("hangup"),
            false,
        );
    }
    // One record per race for bob, not one per device.
    assert_eq!(server.history_in_store("bob").len(), ROUNDS);
    // Nothing about the races leaked: the next thing both devices report is a new invitation.
    let last = fresh_id();
    alice.client.send(invite(&last, "bob")).await.expect("sent");
    phone.expect_invitation(&last).await;
    desk.expect_invitation(&last).await;
}

#[tokio::test]
async fn glare_puts_both_users_in_one_call_on_the_earlier_invitation() {
    let server = Server::start(&["alice", "bob"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut bob = server.party("bob", "bob-desk").await;

    let earlier = fresh_id();
    alice
        .client
        .send(invite(&earlier, "bob"))
        .await
        .expect("sent");
    bob.expect_invitation(&earlier).await;
    alice
        .expect(Event::LocalInvitationReceivedByPeer {
            id: earlier.clone(),
        })
        .await;

    // Bob calls alice back while her call still rings on his desk.
    let later = fresh_id();
    bob.client
        .send(invite(&later, "alice"))
        .await
        .expect("sent");
    bob.expect(Event::LocalInvitationFailure {
        id: later,
        reason: ringer_proto::FailureReason::Glare,
    })
    .await;
    bob.expect(Event::RemoteInvitationAccepted {
        id: earlier.clone(),
    })
    .await;
    alice
        .expect(Event::LocalInvitationAccepted {
            id: earlier.clone(),
            response: None,
        })
        .await;

    bob.client.hang_up(earlier.clone()).await.expect("hung up");
    let ended = Event::CallEnded {
        id: earlier,
        reason: CallEndReason::Hangup,
        by: Some(uid("bob")),
    };
    bob.expect(ended.clone()).await;
    alice.expect(ended).await;
}
