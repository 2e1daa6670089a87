//! Integration tests of the client driver over real loopback sockets: against the real server
//! where it can show the behaviour, and against a tiny scripted WebSocket server where the test
//! needs to control the socket itself (drops, silence, refusals).

mod calls;
mod connection;
mod fake;
mod tls;
mod util;
