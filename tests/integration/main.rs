//! Cross-component tests over real sockets on loopback: a real server (in-process, with a real
//! SQLite data directory in a temporary directory) and real `ringer_client::Client`s; a raw
//! WebSocket client only where a test must send frames no real client would. One module per
//! area.

mod bad_input;
mod credentials;
mod flows;
mod races;
mod reconnect;
mod restart;
mod support;
