//! Integration tests of the server shell: a real server on 127.0.0.1:0, a real SQLite data
//! directory, raw WebSocket clients. One binary, one module per area.

mod admin;
mod admin_terminal;
mod auth;
mod bad_input;
mod calls;
mod http;
mod shutdown;
mod slow_consumer;
mod tls;
mod util;
