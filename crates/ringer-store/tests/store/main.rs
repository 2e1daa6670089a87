//! Tests of the store against real SQLite files in temporary directories, one module per area.

mod accounts;
mod files;
mod history;
mod login;
mod sessions;

use std::path::PathBuf;

use ringer_proto::{DeviceId, DisplayName, Password, Token, Uid};
use ringer_store::{Store, StoreOptions};
use tempfile::TempDir;

/// A store in a fresh temporary data directory, with cheap password hashing.
pub fn store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_with(dir.path(), StoreOptions::insecure_for_tests()).expect("open");
    (dir, store)
}

/// A second store on the same file as `dir`'s.
pub fn reopen(dir: &TempDir) -> Store {
    Store::open_with(dir.path(), StoreOptions::insecure_for_tests()).expect("reopen")
}

pub fn db_path(dir: &TempDir) -> PathBuf {
    dir.path().join(ringer_store::DB_FILE_NAME)
}

pub fn uid(s: &str) -> Uid {
    Uid::new(s).expect("valid uid")
}

pub fn pw(s: &str) -> Password {
    Password::new(s).expect("valid password")
}

pub fn name(s: &str) -> DisplayName {
    DisplayName::new(s).expect("valid display name")
}

pub fn device(s: &str) -> DeviceId {
    DeviceId::new(s).expect("valid device id")
}

pub fn token(s: &str) -> Token {
    Token::new(s).expect("valid token")
}

/// A day in milliseconds.
pub const DAY_MS: u64 = 24 * 60 * 60 * 1000;
/// An arbitrary "now" for tests: 2025-01-01.
pub const T0: u64 = 1_735_689_600_000;
