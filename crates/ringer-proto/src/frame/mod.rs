//! The frames of the protocol, one enum per direction.

pub mod client;
pub mod server;
