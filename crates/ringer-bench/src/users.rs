//! The bench's accounts (`bench-0000`, `bench-0001`, …) and its token file.
//!
//! [`setup`] writes the accounts straight into the server's SQLite store, as the admin commands
//! do, with the cheapest password hashing: they are throwaway accounts, and a first password
//! login of 15,000 of them must not cost minutes of Argon2. The server picks them up within its
//! account poll interval, so setup may run before `serve` or while it runs.
//!
//! Tokens from password logins are kept in `WORK/tokens.tsv` (`uid<TAB>token` lines, mode 0600)
//! so that later runs sign in with tokens, as real clients do. A real client keeps its token in
//! the OS keyring; a plain file is acceptable only for these benchmark accounts.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ringer_proto::{Password, Uid};
use ringer_store::{PasswordCost, Store, StoreOptions};

use crate::device::Target;

/// The bench users' password unless `--password` says otherwise.
pub const DEFAULT_PASSWORD: &str = "ringer-bench-password";

/// The token file's name inside the work directory.
pub const TOKEN_FILE: &str = "tokens.tsv";

/// Whom a mode signs in, where and how: what `flows` and `idle` share.
#[derive(Debug, Clone)]
pub struct SignInOptions {
    /// The server.
    pub target: Target,
    /// Work directory (token file).
    pub work: PathBuf,
    /// Number of the first user.
    pub first_user: usize,
    /// The users' password.
    pub password: String,
    /// Source addresses to dial from, round robin.
    pub source_ips: Vec<IpAddr>,
    /// Sign-ins in flight at once.
    pub concurrency: usize,
    /// Show a progress line on stderr.
    pub progress: bool,
}

/// The uid of bench user number `n`.
pub fn uid_of(n: usize) -> String {
    format!("bench-{n:04}")
}

/// The device id bench user `uid` signs in with (stable, so that reconnects resume).
pub fn device_of(uid: &str) -> String {
    format!("{uid}-dev")
}

/// Adds the users `first .. first + count` that do not exist yet to the store in `data_dir`;
/// returns how many were added.
pub fn setup(data_dir: &Path, first: usize, count: usize, password: &str) -> anyhow::Result<usize> {
    let options = StoreOptions {
        password_cost: PasswordCost::INSECURE_FOR_TESTS,
        ..StoreOptions::default()
    };
    fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let store = Store::open_with(data_dir, options)
        .with_context(|| format!("cannot open the store in {}", data_dir.display()))?;
    let existing: HashSet<String> = store
        .list_users()?
        .into_iter()
        .map(|row| row.uid.as_str().to_owned())
        .collect();
    let password = Password::new(password).context("invalid password")?;
    let mut added = 0;
    for n in first..first.saturating_add(count) {
        let name = uid_of(n);
        if existing.contains(&name) {
            continue;
        }
        let uid = Uid::new(name.as_str()).context("bench uid")?;
        store
            .add_user(&uid, None, &password)
            .with_context(|| format!("cannot add {name}"))?;
        added += 1;
    }
    Ok(added)
}

/// Session tokens by uid, loaded from and saved to the work directory.
#[derive(Debug, Default)]
pub struct Tokens {
    path: PathBuf,
    tokens: HashMap<String, String>,
    dirty: bool,
}

impl Tokens {
    /// Loads `WORK/tokens.tsv` (an absent file is an empty set).
    pub fn load(work: &Path) -> anyhow::Result<Tokens> {
        let path = work.join(TOKEN_FILE);
        let mut tokens = HashMap::new();
        match fs::read_to_string(&path) {
            Ok(text) => {
                for line in text.lines() {
                    if let Some((uid, token)) = line.split_once('\t') {
                        tokens.insert(uid.to_owned(), token.to_owned());
                    }
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                return Err(err).with_context(|| format!("cannot read {}", path.display()));
            }
        }
        Ok(Tokens {
            path,
            tokens,
            dirty: false,
        })
    }

    /// The stored token of `uid`.
    pub fn get(&self, uid: &str) -> Option<&str> {
        self.tokens.get(uid).map(String::as_str)
    }

    /// Remembers a new token for `uid`.
    pub fn set(&mut self, uid: &str, token: String) {
        self.tokens.insert(uid.to_owned(), token);
        self.dirty = true;
    }

    /// How many tokens are known.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// True when no token is known.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Writes the file if anything changed (to a temporary file, then renamed over it).
    pub fn save(&mut self) -> anyhow::Result<()> {
        if !self.dirty {
            return Ok(());
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let mut lines: Vec<(&String, &String)> = self.tokens.iter().collect();
        lines.sort();
        let mut text = String::new();
        for (uid, token) in lines {
            text.push_str(uid);
            text.push('\t');
            text.push_str(token);
            text.push('\n');
        }
        let tmp = self.path.with_extension("tsv.tmp");
        let mut file = private_file(&tmp)?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        fs::rename(&tmp, &self.path)
            .with_context(|| format!("cannot replace {}", self.path.display()))?;
        self.dirty = false;
        Ok(())
    }
}

#[cfg(unix)]
fn private_file(path: &Path) -> anyhow::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> anyhow::Result<fs::File> {
    fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_numbered_and_valid() {
        assert_eq!(uid_of(7), "bench-0007");
        assert_eq!(uid_of(15_000), "bench-15000");
        assert!(Uid::new(uid_of(123)).is_ok());
        assert!(ringer_proto::DeviceId::new(device_of(&uid_of(1))).is_ok());
    }

    #[test]
    fn tokens_survive_a_save_and_load() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let work = dir.path().join("work");
        let mut tokens = Tokens::load(&work)?;
        assert!(tokens.is_empty());
        tokens.set("bench-0001", "abc".to_owned());
        tokens.set("bench-0000", "def".to_owned());
        tokens.save()?;
        let again = Tokens::load(&work)?;
        assert_eq!(again.len(), 2);
        assert_eq!(again.get("bench-0001"), Some("abc"));
        assert_eq!(again.get("bench-0002"), None);
        Ok(())
    }

    #[test]
    fn setup_adds_only_missing_users() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        assert_eq!(setup(dir.path(), 0, 3, DEFAULT_PASSWORD)?, 3);
        assert_eq!(setup(dir.path(), 2, 3, DEFAULT_PASSWORD)?, 2);
        let store = Store::open_with(dir.path(), StoreOptions::insecure_for_tests())?;
        assert_eq!(store.list_users()?.len(), 5);
        Ok(())
    }
}
