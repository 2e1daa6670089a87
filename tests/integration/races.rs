//! Races the server decides: two devices of the callee answering at the same moment (exactly one
//! wins, and the winner, the loser and the caller agree on which), and glare.

use ringer_client::{ApiError, ClientError, Event};
use ringer_proto::{CancelReason, FailureReason, Outcome};

use crate::support::Server;
use crate::support::scenario::{assert_records, hang_up, ring, ring_devices};

/// How many races to run; each is decided afresh by the order the accepts reach the server.
const ROUNDS: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_accepting_at_once_exactly_one_wins_and_everyone_agrees() {
    let server = Server::start(&["alice", "bob"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut phone = server.party("bob", "bob-phone").await;
    let mut desk = server.party("bob", "bob-desk").await;

    for round in 0..ROUNDS {
        let id = ring_devices(&mut alice, &mut [&mut phone, &mut desk]).await;

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
        hang_up(&mut alice, winner, &id).await;
        assert_records(
            &alice,
            winner,
            &id,
            Outcome::Answered,
            Some("hangup"),
            false,
        )
        .await;
    }
    // One record per race for bob, not one per device.
    assert_eq!(server.history_in_store("bob").len(), ROUNDS);
    // Nothing about the races leaked: the next thing both devices report is a new invitation.
    let last = alice.send_invite("bob").await;
    phone.expect_invitation(&last).await;
    desk.expect_invitation(&last).await;
}

#[tokio::test]
async fn glare_puts_both_users_in_one_call_on_the_earlier_invitation() {
    let server = Server::start(&["alice", "bob"]).await;
    let mut alice = server.party("alice", "alice-laptop").await;
    let mut bob = server.party("bob", "bob-desk").await;

    let earlier = ring(&mut alice, &mut bob).await;

    // Bob calls alice back while her call still rings on his desk.
    let later = bob.send_invite("alice").await;
    bob.expect_failure(&later, FailureReason::Glare).await;
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

    hang_up(&mut bob, &mut alice, &earlier).await;
}
