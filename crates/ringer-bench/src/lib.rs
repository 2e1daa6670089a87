//! `ringer-bench`: a load generator for a running `ringer-server`.
//!
//! Simulated devices speak the wire protocol directly over real WebSockets (raw JSON frames, no
//! client engine), so that one process can drive thousands of them.
//!
//! - [`cli`]: the command line and its value parsers ([`cli::Mix`], [`cli::Rate`]).
//! - [`users`]: the `bench-NNNN` accounts (created with [`users::setup`] straight in the server's
//!   SQLite store) and the token file that lets later runs sign in with tokens.
//! - [`frames`]: the few frames a simulated device sends, and a light reader for what it gets.
//! - [`device`]: one connection: dial (from a chosen source address), sign in, send, receive.
//! - [`flows`]: complete invitation flows at a rate, with latency histograms.
//! - [`idle`]: many signed-in idle devices; sign-in time and server memory per device.
//! - [`echo`]: the machine's floor for a relayed message, a plain WebSocket echo's round trip.
//! - [`echo_server`]: the echo server `echo` starts, direct or shaped like `ringer-server`.
//! - [`procfs`]: a process's resident memory and CPU time, and the host's steal, from `/proc`.
//! - [`report`]: percentiles, rates, and the table and JSON output.

pub mod cli;
pub mod device;
pub mod echo;
pub mod echo_server;
pub mod flows;
pub mod frames;
pub mod idle;
pub mod procfs;
pub mod report;
pub mod users;
