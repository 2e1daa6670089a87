//! The small JSON files in the app's config directory: settings (with favourites), the last
//! account used (server URL and uid, never a secret) and this installation's device id.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::payload::Settings;

/// The last account signed in: enough to prefill the form and to find the stored token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastAccount {
    /// The server URL.
    pub server_url: String,
    /// The uid.
    pub uid: String,
}

/// The app's config directory and the files in it.
#[derive(Debug, Clone)]
pub struct ConfigFiles {
    dir: PathBuf,
}

impl ConfigFiles {
    /// Files under `dir` (created when first written).
    pub fn new(dir: PathBuf) -> Self {
        ConfigFiles { dir }
    }

    /// The stored settings; the defaults when there are none or they cannot be read.
    pub fn settings(&self) -> Settings {
        self.read("settings.json").unwrap_or_default()
    }

    /// Stores the settings.
    pub fn save_settings(&self, settings: &Settings) -> io::Result<()> {
        self.write("settings.json", settings)
    }

    /// The last account signed in.
    pub fn last_account(&self) -> Option<LastAccount> {
        self.read("account.json")
    }

    /// Remembers the last account signed in.
    pub fn save_last_account(&self, account: &LastAccount) -> io::Result<()> {
        self.write("account.json", account)
    }

    /// This installation's device id, created on first use: `app-<32 hex>`.
    pub fn device_id(&self) -> String {
        let path = self.dir.join("device-id");
        if let Ok(text) = fs::read_to_string(&path) {
            let id = text.trim();
            if ringer_proto::DeviceId::new(id).is_ok() {
                return id.to_owned();
            }
        }
        let id = format!("app-{}", uuid::Uuid::new_v4().simple());
        if let Err(error) = write_atomically(&path, format!("{id}\n").as_bytes()) {
            // A fresh id per run still works; the server merely sees a new device each time.
            tracing::warn!(%error, path = %path.display(), "cannot store the device id");
        }
        id
    }

    fn read<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        let path = self.dir.join(name);
        let text = fs::read_to_string(&path).ok()?;
        match serde_json::from_str(&text) {
            Ok(value) => Some(value),
            Err(error) => {
                tracing::warn!(%error, path = %path.display(), "ignoring an unreadable file");
                None
            }
        }
    }

    fn write<T: Serialize>(&self, name: &str, value: &T) -> io::Result<()> {
        let text = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
        write_atomically(&self.dir.join(name), &text)
    }
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_and_account_survive_a_restart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = ConfigFiles::new(dir.path().join("nested"));
        assert_eq!(files.settings(), Settings::default());
        assert_eq!(files.last_account(), None);

        let settings = Settings {
            sounds: false,
            call_waiting: true,
            meeting_link_template: "https://meet.example.org/{channel}".into(),
            start_at_login: true,
            favourites: vec!["alice".into()],
        };
        files.save_settings(&settings).expect("saved");
        let account = LastAccount {
            server_url: "ws://127.0.0.1:1".into(),
            uid: "bob".into(),
        };
        files.save_last_account(&account).expect("saved");

        let again = ConfigFiles::new(dir.path().join("nested"));
        assert_eq!(again.settings(), settings);
        assert_eq!(again.last_account(), Some(account));
    }

    #[test]
    fn device_id_is_stable() {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = ConfigFiles::new(dir.path().to_owned());
        let first = files.device_id();
        assert!(first.starts_with("app-"));
        assert_eq!(files.device_id(), first);
    }

    #[test]
    fn a_corrupt_settings_file_falls_back_to_defaults() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("settings.json"), "{not json").expect("written");
        let files = ConfigFiles::new(dir.path().to_owned());
        assert_eq!(files.settings(), Settings::default());
    }
}
