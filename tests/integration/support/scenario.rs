//! The steps call scenarios are made of (ring, answer, refuse, cancel, hang up, agree on the
//! records), each waiting for the events every side involved must see, so that a test reads as
//! its story and only spells out the steps it is about.

use ringer_client::Event;
use ringer_proto::{
    CallEndReason, CallRecord, CancelReason, Direction, FailureReason, InvitationId, Outcome,
    RefuseReason, Response,
};

use super::{Party, assert_record};

/// Invites `callee`'s uid and waits until it rings there and the caller knows it does.
pub async fn ring(caller: &mut Party, callee: &mut Party) -> InvitationId {
    ring_devices(caller, &mut [callee]).await
}

/// Like [`ring`], waiting until it rings on every one of `devices`, all of one callee uid.
pub async fn ring_devices(caller: &mut Party, devices: &mut [&mut Party]) -> InvitationId {
    let callee = devices.first().expect("at least one device").uid.clone();
    let id = caller.send_invite(&callee).await;
    for device in devices.iter_mut() {
        device.expect_invitation(&id).await;
    }
    caller
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;
    id
}

/// `callee` accepts the ringing invitation `id` with no response; see [`answer_with`].
pub async fn answer(caller: &mut Party, callee: &mut Party, id: &InvitationId) {
    answer_with(caller, callee, id, None).await;
}

/// `callee` accepts with `response`; returns the sequence numbers of the caller's accept and
/// the callee's confirmation.
pub async fn answer_with(
    caller: &mut Party,
    callee: &mut Party,
    id: &InvitationId,
    response: Option<Response>,
) -> (u64, u64) {
    callee
        .client
        .accept(id.clone(), response.clone())
        .await
        .expect("accepted");
    let accepted_at = caller
        .expect(Event::LocalInvitationAccepted {
            id: id.clone(),
            response,
        })
        .await;
    let confirmed_at = callee
        .expect(Event::RemoteInvitationAccepted { id: id.clone() })
        .await;
    (accepted_at, confirmed_at)
}

/// Invites `callee`'s uid and has it accept as soon as it rings; the caller's events are left
/// unread, so that a test can break something before the caller has looked.
pub async fn answered_at_once(caller: &Party, callee: &mut Party) -> InvitationId {
    let id = caller.send_invite(&callee.uid).await;
    callee.expect_invitation(&id).await;
    callee
        .client
        .accept(id.clone(), None)
        .await
        .expect("accepted");
    callee
        .expect(Event::RemoteInvitationAccepted { id: id.clone() })
        .await;
    id
}

/// The caller's side of a call [`answered_at_once`]: it rang, then it was accepted.
pub async fn caller_sees_answered(caller: &mut Party, id: &InvitationId) {
    caller
        .expect(Event::LocalInvitationReceivedByPeer { id: id.clone() })
        .await;
    caller
        .expect(Event::LocalInvitationAccepted {
            id: id.clone(),
            response: None,
        })
        .await;
}

/// `callee` refuses the ringing invitation `id`; both sides see the refusal, the caller with
/// its response and reason.
pub async fn refuse(
    caller: &mut Party,
    callee: &mut Party,
    id: &InvitationId,
    response: Option<Response>,
    reason: RefuseReason,
) {
    callee
        .client
        .refuse(id.clone(), response.clone(), Some(reason))
        .await
        .expect("refused");
    callee
        .expect(Event::RemoteInvitationRefused { id: id.clone() })
        .await;
    caller
        .expect(Event::LocalInvitationRefused {
            id: id.clone(),
            response,
            reason,
        })
        .await;
}

/// Invites `callee`'s uid, which the server refuses with `reason` without ringing; checks that
/// the callee's history has it as a missed call with the `recorded` reason.
pub async fn refused_without_ringing(
    caller: &mut Party,
    callee: &Party,
    reason: RefuseReason,
    recorded: &str,
) {
    let id = caller.send_invite(&callee.uid).await;
    caller
        .expect(Event::LocalInvitationRefused {
            id: id.clone(),
            response: None,
            reason,
        })
        .await;
    let record = callee.record(&id).await;
    assert_record(
        &record,
        &caller.uid,
        Direction::Incoming,
        Outcome::Refused,
        Some(recorded),
        true,
    );
}

/// `caller` cancels the invitation `id` ringing on `devices`; each of them and the caller see it.
pub async fn cancel(caller: &mut Party, devices: &mut [&mut Party], id: &InvitationId) {
    caller.client.cancel(id.clone()).await.expect("canceled");
    for device in devices.iter_mut() {
        device
            .expect(Event::RemoteInvitationCanceled {
                id: id.clone(),
                reason: CancelReason::Canceled,
            })
            .await;
    }
    caller
        .expect(Event::LocalInvitationCanceled { id: id.clone() })
        .await;
}

/// Waits until the ringing invitation `id` has failed with `reason` at the callee, then at the
/// caller.
pub async fn both_see_failure(
    caller: &mut Party,
    callee: &mut Party,
    id: &InvitationId,
    reason: FailureReason,
) {
    callee
        .expect(Event::RemoteInvitationFailure {
            id: id.clone(),
            reason,
        })
        .await;
    caller.expect_failure(id, reason).await;
}

/// `by` hangs up the live call `id`; both it and `other` see the call end by that uid.
pub async fn hang_up(by: &mut Party, other: &mut Party, id: &InvitationId) {
    by.client
        .hang_up(id.clone())
        .await
        .expect("the call is still live");
    let ended = Event::CallEnded {
        id: id.clone(),
        reason: CallEndReason::Hangup,
        by: Some(by.uid.clone()),
    };
    by.expect(ended.clone()).await;
    other.expect(ended).await;
}

/// Checks that the caller's outgoing and the callee's incoming record of `id` tell the same end,
/// and that only the callee's may count as missed; returns them (the caller's first).
pub async fn assert_records(
    caller: &Party,
    callee: &Party,
    id: &InvitationId,
    outcome: Outcome,
    reason: Option<&str>,
    callee_missed: bool,
) -> (CallRecord, CallRecord) {
    let outgoing = caller.record(id).await;
    assert_record(
        &outgoing,
        &callee.uid,
        Direction::Outgoing,
        outcome,
        reason,
        false,
    );
    let incoming = callee.record(id).await;
    assert_record(
        &incoming,
        &caller.uid,
        Direction::Incoming,
        outcome,
        reason,
        callee_missed,
    );
    (outgoing, incoming)
}
