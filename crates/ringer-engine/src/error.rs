//! The error an API call returns when it changed nothing.

/// Errors returned by API calls (state unchanged), SPEC §3.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// An argument breaks a rule: an unknown invitation, too many uids, a bad limit.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Cancel of an invitation that was never sent, or hang-up of one that is not a call yet.
    #[error("the invitation was not sent yet")]
    NotStarted,
    /// The invitation (or its call) has already ended, or a terminal action is already pending.
    #[error("the invitation has already ended")]
    AlreadyEnd,
    /// This device already accepted the invitation.
    #[error("the invitation was already accepted")]
    AlreadyAccept,
    /// An invitation with this id is already known to this device.
    #[error("an invitation with this id was already sent")]
    AlreadySent,
    /// The request needs a connected session.
    #[error("not logged in")]
    NotLoggedIn,
}
