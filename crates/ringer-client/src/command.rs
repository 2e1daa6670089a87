//! What a [`crate::Client`] handle asks the driver task to do.

use ringer_engine::{Credentials, Invite, Reply};
use ringer_proto::{InvitationId, RefuseReason, Response, Status, Uid};
use tokio::sync::oneshot;

use crate::error::ClientError;

/// One message on the command channel.
pub(crate) enum Command {
    /// An invitation verb; its result is known as soon as the engine has taken it.
    Call(CallOp, oneshot::Sender<Result<(), ClientError>>),
    /// A request whose result is the server's reply.
    Request(RequestOp, oneshot::Sender<Result<Reply, ClientError>>),
    /// Replace the credentials and, if the engine had given up, connect again; answered once
    /// the driver has taken them.
    SetCredentials(Credentials, oneshot::Sender<()>),
}

/// The invitation verbs of SPEC §3, §4 and §6.
pub(crate) enum CallOp {
    Send(Invite),
    Cancel(InvitationId),
    Accept(InvitationId, Option<Response>),
    Refuse(InvitationId, Option<Response>, Option<RefuseReason>),
    HangUp(InvitationId),
}

/// The requests the server answers with a reply.
pub(crate) enum RequestOp {
    SetStatus(Status, Option<bool>),
    QueryPresence(Vec<Uid>),
    Subscribe(Vec<Uid>),
    Unsubscribe(Vec<Uid>),
    History(Option<u32>),
    Directory,
    RenewToken,
    Logout,
}
