//! The client engine and the server switchboard simulated together, in virtual time.
//!
//! One [`sim::Sim`] holds a switchboard (behind a minimal shell that authenticates), several
//! engines (devices of 2–4 parties), a network of per-connection FIFO pipes with delays, drops,
//! half-open cuts and server restarts, and one clock jumped to the earliest deadline of all
//! parts. Scenarios assert exact event sequences on both sides; the property tests run random
//! interleavings and check the invariants of `sim::track`.

mod sim;

mod flows;
mod props;
mod races;
mod recovery;
