//! The engine's tests, in one binary: a module per area. Everything runs on virtual time: the
//! harness passes `now` in and jumps it to the engine's next timeout.

mod backoff;
mod callee;
mod caller;
mod connection;
mod harness;
mod heartbeat;
mod props;
mod reconcile;
mod requests;
