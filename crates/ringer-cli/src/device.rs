//! The device id this installation uses: stored once, so the server sees the same device across
//! runs (SPEC §1).

use std::fs;
use std::path::{Path, PathBuf};

use ringer_proto::DeviceId;

use crate::error::CliError;

/// Which of the installation's devices a command signs in as.
///
/// A uid may have only a few devices online (5 by default), and a device that has gone stays
/// counted for the server's reconnect grace (30 s). Commands that must run side by side (a
/// long `listen` and a `call`) are distinct devices; the short one-shot commands share one, so
/// that each run resumes the previous run's lingering device instead of adding one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `listen`.
    Listen,
    /// `call`.
    Call,
    /// `login`, `logout`, `status`, `presence`, `history`, `directory`.
    OneShot,
}

impl Role {
    /// What is appended to the stored id.
    pub fn suffix(self) -> &'static str {
        match self {
            Role::Listen => "listen",
            Role::Call => "call",
            Role::OneShot => "cmd",
        }
    }
}

/// The device id for a command: `explicit` as given, or the installation's stored id with the
/// role's suffix appended (`cli-<32 hex>:listen`, `cli-<32 hex>:call`, `cli-<32 hex>:cmd`).
pub fn device_id(explicit: Option<&str>, role: Role) -> Result<DeviceId, CliError> {
    if let Some(id) = explicit {
        return DeviceId::new(id).map_err(|e| CliError::Usage(format!("--device-id: {e}")));
    }
    let base = match stored_id_path() {
        Some(path) => load_or_create(&path),
        None => None,
    }
    .unwrap_or_else(new_id);
    DeviceId::new(format!("{base}:{}", role.suffix()))
        .map_err(|e| CliError::Usage(format!("stored device id is invalid: {e}")))
}

/// Where the installation's id lives: `<config dir>/ringer/device-id`
/// (`~/.config/ringer/device-id` on Linux).
pub fn stored_id_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ringer").map(|dirs| dirs.config_dir().join("device-id"))
}

/// Reads the stored id, creating it when missing. `None` when it can be neither read nor
/// written (the caller then uses a fresh id for this run).
fn load_or_create(path: &Path) -> Option<String> {
    if let Ok(text) = fs::read_to_string(path) {
        let id = text.trim();
        if DeviceId::new(id).is_ok() && !id.is_empty() {
            return Some(id.to_owned());
        }
    }
    let id = new_id();
    let written = path
        .parent()
        .map_or(Ok(()), fs::create_dir_all)
        .and_then(|()| fs::write(path, format!("{id}\n")));
    match written {
        Ok(()) => Some(id),
        Err(error) => {
            tracing::warn!(%error, path = %path.display(), "cannot store the device id");
            None
        }
    }
}

fn new_id() -> String {
    format!("cli-{}", uuid::Uuid::new_v4().simple())
}
