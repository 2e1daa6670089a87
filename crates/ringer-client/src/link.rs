//! The connection's outcome as [`crate::Client::wait_connected`] sees it, published by the driver
//! on a watch channel.

use crate::error::ClientError;
use crate::handle::Session;

/// Where the driver's connection stands.
#[derive(Debug, Clone)]
pub(crate) enum Link {
    /// Dialing or logging in, and no attempt has failed since the last success.
    Connecting,
    /// The latest attempt failed; the driver retries after a backoff.
    Failed(ClientError),
    /// Logged in.
    Connected(Session),
    /// The engine gave up (credentials refused); new credentials restart it.
    Aborted(ClientError),
    /// The task has ended.
    Closed,
}
