//! Tests of the `ringer` CLI: argument parsing and output formats in-process, and end to end
//! with `ringer` processes against a `ringer-server` process.

mod args;
mod devices;
mod e2e;
mod glare;
mod interrupt;
mod keyring;
mod output;
mod terminal;
mod tls;
mod util;
