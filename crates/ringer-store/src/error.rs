//! The store's errors: [`StoreError`] for everything, and [`LoginError`] / [`TokenError`] for the
//! two checks whose refusals a server turns into protocol error codes.

use std::fmt;
use std::path::PathBuf;

use ringer_proto::Uid;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `add_user` was asked for a uid that already has an account.
    #[error("user {0} already exists")]
    UserExists(Uid),
    /// The uid has no account.
    #[error("no such user: {0}")]
    UnknownUser(Uid),
    /// The account is disabled, so no session can be created for it.
    #[error("account {0} is disabled")]
    AccountDisabled(Uid),
    /// The data directory could not be created, or the database file could not be created in it.
    #[error("cannot create {path}")]
    Create {
        /// The directory or file that could not be created.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file exists but is not a Ringer database: not SQLite at all, encrypted, or an SQLite
    /// database of another application.
    #[error("{path} is not a ringer database")]
    NotADatabase {
        /// The database file.
        path: PathBuf,
    },
    /// The database was written by a newer Ringer whose schema this build does not know.
    #[error(
        "database schema version {found} is newer than this build supports ({supported}); upgrade ringer"
    )]
    SchemaTooNew {
        /// The file's schema version.
        found: i64,
        /// The newest schema version this build knows.
        supported: i64,
    },
    /// SQLite reports the file as damaged.
    #[error("database is corrupt: {0}")]
    Corrupt(DatabaseError),
    /// Another process (the server or an admin command) held the database locked for longer than
    /// the busy timeout.
    #[error("database is busy: another process kept it locked for too long")]
    Busy(#[source] DatabaseError),
    /// A row read back from the database breaks a rule the store wrote it with (e.g. a uid that
    /// is not a valid uid); the file was edited by hand or damaged.
    #[error("invalid data in database: {0}")]
    InvalidData(String),
    /// The backup target already exists; the store never overwrites a file with a backup.
    #[error("backup target {0} already exists")]
    BackupTargetExists(PathBuf),
    /// Argon2 refused to hash: the configured [`crate::PasswordCost`] is out of its range.
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    /// Any other SQLite failure (disk full, I/O error, permissions, …).
    #[error("database error: {0}")]
    Database(DatabaseError),
}

/// Why `verify_login` refused a login.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The uid has no account, or the password is wrong; one error for both, so that uids cannot
    /// be probed.
    #[error("wrong uid or password")]
    BadCredentials,
    /// The password is right but the account is disabled.
    #[error("account is disabled")]
    AccountDisabled,
    /// The store failed; the login neither succeeded nor failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a session token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The token was valid but its lifetime is over; the client must log in again.
    #[error("session token has expired")]
    Expired,
    /// The token was revoked (logout, password reset, account disabled), never existed, was
    /// purged, or belongs to another uid.
    #[error("session token was revoked")]
    Revoked,
    /// The token belongs to the uid, but the account is disabled.
    #[error("account is disabled")]
    AccountDisabled,
    /// The store failed; the token was neither accepted nor refused.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An SQLite error, kept opaque so that the store's API does not depend on the SQLite binding.
pub struct DatabaseError(rusqlite::Error);

impl DatabaseError {
    /// True when SQLite found that the file is not a database (or is encrypted).
    pub(crate) fn is_not_a_database(&self) -> bool {
        self.0.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase)
    }
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Without a source: SQLite's message is all of it, and the error rusqlite keeps behind it is
/// the same message again (with its code), which a printed error chain would repeat.
impl std::error::Error for DatabaseError {}

/// Classifies an SQLite error into the variant a caller can act on.
pub(crate) fn db_error(e: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    // rusqlite's ErrorCode is non-exhaustive; comparisons avoid a wildcard arm.
    let code = e.sqlite_error_code();
    if code == Some(ErrorCode::DatabaseCorrupt) {
        StoreError::Corrupt(DatabaseError(e))
    } else if code == Some(ErrorCode::DatabaseBusy) || code == Some(ErrorCode::DatabaseLocked) {
        StoreError::Busy(DatabaseError(e))
    } else {
        StoreError::Database(DatabaseError(e))
    }
}

/// Shorthand for `.map_err(db_error)` on SQLite results.
pub(crate) trait DbResult<T> {
    /// Converts the SQLite error, if any, into a [`StoreError`].
    fn db(self) -> Result<T, StoreError>;
}

impl<T> DbResult<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T, StoreError> {
        self.map_err(db_error)
    }
}
