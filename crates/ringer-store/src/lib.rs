//! Ringer's embedded account store: one SQLite file, `<data_dir>/ringer.db`, holding the accounts
//! (uid, display name, Argon2id password hash, enabled flag), the session tokens (only their
//! SHA-256 hashes) and each uid's call history (SPEC §2, §7).
//!
//! - [`Store`] is the one type. It owns one SQLite connection behind a mutex, so it is `Send +
//!   Sync`: a server keeps one `Arc<Store>` and calls it from `tokio::task::spawn_blocking`, since
//!   every method blocks (disk I/O; Argon2 takes tens of milliseconds, and is run outside the
//!   mutex so that one login does not stall every other store call).
//! - Accounts: [`Store::add_user`], [`Store::list_users`], [`Store::disable_user`],
//!   [`Store::enable_user`], [`Store::remove_user`], [`Store::set_password`],
//!   [`Store::set_display_name`], [`Store::account`], [`Store::load_accounts`].
//! - Login and sessions: [`Store::verify_login`], then [`Store::create_session`]; later
//!   connections use [`Store::authenticate_token`]; [`Store::renew_session`],
//!   [`Store::revoke_session`], [`Store::revoke_all`], [`Store::purge_sessions`].
//! - History: [`Store::record_call`], [`Store::record_calls`] (a batch in one transaction),
//!   [`Store::history`].
//! - [`Store::data_version`] tells a running server cheaply that another process (the admin
//!   CLI) changed the file, so that it reloads with [`Store::load_accounts`].
//! - [`Store::backup_to`] copies a live database safely.
//!
//! Times are milliseconds since the Unix epoch ([`UnixMillis`]). Every decision (has this token
//! expired?) uses the `now` the caller passes in; the store reads the system clock only for
//! bookkeeping that no decision depends on: an account's `created_at` and a session's
//! `revoked_at`, which only decides when [`Store::purge_sessions`] drops the row.
//!
//! ```
//! use ringer_proto::{DeviceId, Password, Uid};
//! use ringer_store::{DEFAULT_SESSION_LIFETIME, Store, StoreOptions};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let data_dir = dir.path();
//! // Production code uses `Store::open(data_dir)`; tests use cheap password hashing.
//! let store = Store::open_with(data_dir, StoreOptions::insecure_for_tests())?;
//! let alice = Uid::new("alice")?;
//! store.add_user(&alice, None, &Password::new("s3cret")?)?;
//!
//! let now_ms = 1_735_689_600_000;
//! let account = store.verify_login(&alice, &Password::new("s3cret")?, now_ms)?;
//! let (token, expires_at) =
//!     store.create_session(&account.uid, &DeviceId::new("laptop")?, now_ms, DEFAULT_SESSION_LIFETIME)?;
//! let session = store.authenticate_token(&alice, &token, now_ms + 1)?;
//! assert_eq!(session.expires_at, expires_at);
//! # Ok(())
//! # }
//! ```
//!
//! The file is opened in WAL mode with a 5 s busy timeout, because the server and admin commands
//! open it at the same time.
//!
//! Durability: the connection uses `PRAGMA synchronous = NORMAL`, SQLite's recommended setting
//! for WAL mode. A committed transaction survives a crash or kill of the application (the
//! process), and the file is never corrupted; but if the **operating system** crashes or the
//! machine loses power, the transactions committed since the last WAL checkpoint's `fsync` may
//! be rolled back (the database stays consistent, at an earlier state). In exchange, a commit
//! does not wait for an `fsync`. That applies to the frequent writes only: session creation and
//! bookkeeping, and call history. Account changes (add, disable, enable, remove, password,
//! display name) and revocations (logout, revoke all) switch their transaction to
//! `synchronous = FULL`, so they survive an OS crash as before. Its schema version is `PRAGMA user_version`, migrated on open; its
//! `PRAGMA application_id` marks it as Ringer's, so that another application's file is refused.

#![warn(missing_docs)]

mod accounts;
mod backup;
mod error;
mod history;
mod password;
mod schema;
mod sessions;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ringer_proto::{DeviceId, DisplayName, Uid, UnixMillis};
use rusqlite::Connection;

pub use error::{DatabaseError, LoginError, StoreError, TokenError};
pub use password::PasswordCost;
pub use sessions::LAST_USED_STEP_MS;

/// The database file's name inside the data directory.
pub const DB_FILE_NAME: &str = "ringer.db";

/// How long a new or renewed session token lives unless the server says otherwise (SPEC §2).
pub const DEFAULT_SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// How long an expired or revoked session is kept, so that its token is still answered with
/// "expired" or "revoked" rather than forgotten, before [`Store::purge_sessions`] deletes it.
/// After that, the token is answered as revoked (unknown).
pub const SESSION_RETENTION: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Default for [`StoreOptions::history_per_uid`].
pub const DEFAULT_HISTORY_PER_UID: u32 = 10_000;

/// Default for [`StoreOptions::sessions_per_uid`].
pub const DEFAULT_SESSIONS_PER_UID: u32 = 64;

/// How a [`Store`] behaves; [`StoreOptions::default`] is the production setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Argon2id cost of new password hashes.
    pub password_cost: PasswordCost,
    /// Call records kept per uid, the newest by start time. The oldest beyond it are dropped
    /// in batches: between two trims a uid may hold up to `history_per_uid / 16` more, and
    /// after the store is opened a uid may hold more until its records have been counted (a
    /// few uids per write); never returned by [`Store::history`].
    pub history_per_uid: u32,
    /// Live sessions kept per uid; creating one more revokes the least recently used. The same
    /// number of dead (expired or revoked) sessions is kept per uid until purged, so that a
    /// client logging in in a loop cannot grow the file without bound.
    pub sessions_per_uid: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            password_cost: PasswordCost::OWASP,
            history_per_uid: DEFAULT_HISTORY_PER_UID,
            sessions_per_uid: DEFAULT_SESSIONS_PER_UID,
        }
    }
}

impl StoreOptions {
    /// The production options with the cheapest password hashing. **For tests only.**
    pub fn insecure_for_tests() -> Self {
        StoreOptions {
            password_cost: PasswordCost::INSECURE_FOR_TESTS,
            ..StoreOptions::default()
        }
    }
}

/// An account as the server needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The account's uid.
    pub uid: Uid,
    /// Its display name.
    pub display_name: DisplayName,
    /// False when an admin disabled it: it cannot log in, authenticate or be called.
    pub enabled: bool,
    /// Increases every time all of the uid's sessions are revoked ([`Store::revoke_all`], a
    /// password change, disabling). A server that sees it change after a reload closes the uid's
    /// connections: their tokens no longer work.
    pub sessions_epoch: u64,
}

/// An account as the admin CLI lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// The account's uid.
    pub uid: Uid,
    /// Its display name.
    pub display_name: DisplayName,
    /// False when disabled.
    pub enabled: bool,
    /// When it was added.
    pub created_at: UnixMillis,
    /// When it last logged in with its password, if ever.
    pub last_login_at: Option<UnixMillis>,
}

/// A session that [`Store::authenticate_token`] accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Whose session it is.
    pub account: Account,
    /// The device it was created for at login.
    pub device_id: DeviceId,
    /// When the token expires.
    pub expires_at: UnixMillis,
}

/// Ringer's account store: one SQLite file. See the [crate documentation](crate).
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
    options: StoreOptions,
    /// A hash of nothing in particular, verified against when a login names an unknown uid so
    /// that it takes as long as a wrong password. Made on first use with `options`' cost.
    dummy_hash: OnceLock<String>,
    /// An upper bound of each uid's number of call records, once this store has counted them:
    /// appending to a history needs no look at the uid's other records until the
    /// bound passes `history_per_uid`. Locked only while `conn` is held.
    history_bounds: Mutex<HashMap<Uid, u32>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens `<data_dir>/ringer.db` with the production options, creating the directory (mode
    /// 0700) and the file (mode 0600) if missing, and migrating the schema.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Store::open_with(data_dir, StoreOptions::default())
    }

    /// Like [`Store::open`], with `options`.
    pub fn open_with(data_dir: &Path, options: StoreOptions) -> Result<Store, StoreError> {
        create_private_dir(data_dir)?;
        Store::open_file(&data_dir.join(DB_FILE_NAME), options)
    }

    /// Opens the database file at `path` itself, creating it (mode 0600) if missing; its
    /// directory must exist.
    pub fn open_file(path: &Path, options: StoreOptions) -> Result<Store, StoreError> {
        create_private_file(path)?;
        let conn = schema::open(path)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
            options,
            dummy_hash: OnceLock::new(),
            history_bounds: Mutex::new(HashMap::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The options the store was opened with.
    pub fn options(&self) -> StoreOptions {
        self.options
    }

    /// A number that changes whenever **another** connection (another process, or another
    /// `Store` on the same file) commits a change; this store's own writes do not change it.
    /// Cheap (no disk read beyond a header check): a server polls it, e.g. every second, and
    /// calls [`Store::load_accounts`] when it changes.
    pub fn data_version(&self) -> Result<u64, StoreError> {
        let conn = self.conn();
        let v: i64 = conn
            .pragma_query_value(None, "data_version", |row| row.get(0))
            .map_err(error::db_error)?;
        Ok(u64::try_from(v).unwrap_or(0))
    }

    /// The connection, even if a thread panicked while holding it: SQLite rolls back an
    /// unfinished transaction when it is dropped, so the connection is never left half-written.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
    fn history_bounds(&self) -> MutexGuard<'_, HashMap<Uid, u32>> {
        self.history_bounds
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The connection with `synchronous = FULL` until the guard drops: for writes that must
    /// survive an OS crash too (accounts, passwords, revocations), which are rare, so that only
    /// the frequent writes (sessions' bookkeeping, call history) use the cheaper `NORMAL`.
    fn conn_durable(&self) -> Result<Durable<'_>, StoreError> {
        let conn = self.conn();
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(error::db_error)?;
        Ok(Durable(conn))
    }
}

/// See [`Store::conn_durable`].
struct Durable<'a>(MutexGuard<'a, Connection>);

impl std::ops::Deref for Durable<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl std::ops::DerefMut for Durable<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0
    }
}

impl Drop for Durable<'_> {
    fn drop(&mut self) {
        // Failing leaves FULL in place: slower, never less safe.
        if let Err(err) = self.0.pragma_update(None, "synchronous", "NORMAL") {
            tracing::warn!(error = %err, "cannot restore synchronous = NORMAL");
        }
    }
}

/// Milliseconds since the Unix epoch by the system clock, for bookkeeping timestamps only.
fn system_now_ms() -> UnixMillis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A time as SQLite stores it; times beyond the year 292 million saturate.
fn sql_time(t: UnixMillis) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX)
}

/// `now + lifetime`, saturating.
fn after(now: UnixMillis, lifetime: Duration) -> UnixMillis {
    now.saturating_add(u64::try_from(lifetime.as_millis()).unwrap_or(u64::MAX))
}

/// Reads back a validated field, turning a value that breaks its rules into
/// [`StoreError::InvalidData`].
fn field<T>(
    column: &str,
    value: String,
    new: impl FnOnce(String) -> Result<T, ringer_proto::FieldError>,
) -> Result<T, StoreError> {
    new(value.clone()).map_err(|e| StoreError::InvalidData(format!("{column} {value:?}: {e}")))
}

fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|source| StoreError::Create {
        path: dir.to_path_buf(),
        source,
    })
}

/// Creates an empty file with owner-only permissions, which SQLite then opens as a new database
/// and copies to its `-wal` and `-shm` files. An existing file is left alone.
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    match create_new_private_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::Create {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Creates an empty file with owner-only permissions; fails if it exists.
fn create_new_private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synchronous(conn: &Connection) -> Result<i64, StoreError> {
        conn.pragma_query_value(None, "synchronous", |row| row.get(0))
            .map_err(error::db_error)
    }

    #[test]
    fn frequent_writes_use_normal_and_account_writes_full() -> Result<(), StoreError> {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_with(dir.path(), StoreOptions::insecure_for_tests())?;
        // SQLite's numbering: 1 = NORMAL, 2 = FULL.
        assert_eq!(synchronous(&store.conn())?, 1);
        {
            let durable = store.conn_durable()?;
            assert_eq!(synchronous(&durable)?, 2);
        }
        assert_eq!(synchronous(&store.conn())?, 1);
        Ok(())
    }
}
