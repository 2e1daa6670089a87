//! The switchboard's timers and limits.

use std::time::Duration;

/// Every timer and limit of the switchboard (SPEC §3–§8); all configurable.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long an invitation waits for the callee to have any connected device before it fails
    /// with `peer_offline`.
    pub offline_wait: Duration,
    /// How long the callee's connected devices have to acknowledge an invitation before it fails
    /// with `peer_no_response`.
    pub ack_timeout: Duration,
    /// How long an acknowledged invitation rings before it fails with `invitation_expire`.
    pub ring_timeout: Duration,
    /// How long the caller's device has to confirm an accept before the accept fails with
    /// `accept_failure`.
    pub accept_confirm_timeout: Duration,
    /// How long a disconnected device keeps its presence and its invitations.
    pub reconnect_grace: Duration,
    /// How long an ended invitation stays visible in snapshots (and blocks its id).
    pub ended_retention: Duration,
    /// Most devices (connected or within their grace period) one uid may have.
    pub max_devices_per_uid: usize,
    /// How often a client should ping when otherwise idle; told to it in `welcome`.
    pub heartbeat_interval: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            offline_wait: Duration::from_secs(30),
            ack_timeout: Duration::from_secs(30),
            ring_timeout: Duration::from_secs(60),
            accept_confirm_timeout: Duration::from_secs(5),
            reconnect_grace: Duration::from_secs(30),
            ended_retention: Duration::from_secs(300),
            max_devices_per_uid: 5,
            heartbeat_interval: Duration::from_secs(10),
        }
    }
}
