//! The admin commands: `user add/list/disable/enable/remove/passwd` and `backup`, as functions
//! over an open [`Store`], so that tests call them directly.
//!
//! They write the same SQLite file a running server uses; the server notices within about a
//! second (see [`crate::account_sync`]).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use ringer_proto::{DisplayName, FieldError, Password, Uid, UnixMillis};
use ringer_store::{DB_FILE_NAME, Store, StoreError, StoreOptions, UserRow};

/// Exit status: success.
pub const EXIT_OK: u8 = 0;
/// Exit status: the command failed, for any reason without a status of its own.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: bad arguments (clap's own status for a usage error).
pub const EXIT_USAGE: u8 = 2;
/// Exit status: the data directory holds no database ([`AdminError::NoData`]).
pub const EXIT_NO_DATA: u8 = 3;
/// Exit status: Ctrl-C at the password prompt; 128 + SIGINT, as a shell reports a process
/// SIGINT ended.
pub const EXIT_INTERRUPTED: u8 = 130;

/// The exit statuses of the admin commands, as `--help` shows them; docs/server-configuration.md
/// quotes it word for word (a test checks).
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0    success
  1    failed, with the reason on stderr (unknown user, duplicate uid, invalid uid,
       empty password, backup target exists, database error, ...)
  2    usage error (bad arguments)
  3    no Ringer data in the --data directory (no ringer.db); nothing was created
       (every command but `user add`, which creates the directory and the database)
  130  interrupted by Ctrl-C at the password prompt (`user add`, `user passwd`)";

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The uid breaks the uid rules.
    #[error("invalid uid {uid:?}")]
    InvalidUid {
        /// What was given.
        uid: String,
        /// Which rule it breaks.
        #[source]
        source: FieldError,
    },
    /// The display name breaks its rules.
    #[error("invalid display name")]
    InvalidName(#[source] FieldError),
    /// Stdin held no password (or an empty first line).
    #[error("empty password: type it at the prompt, or write it as the first line of stdin")]
    EmptyPassword,
    /// The password breaks its rules (e.g. too long).
    #[error("invalid password")]
    InvalidPassword(#[source] FieldError),
    /// Stdin could not be read.
    #[error("cannot read the password from stdin")]
    ReadPassword(#[source] std::io::Error),
    /// Ctrl-C at the password prompt.
    #[error("interrupted")]
    Interrupted,
    /// The data directory holds no database, so a command that reads or changes existing
    /// accounts has nothing to work on (most likely a mistyped `--data` or `RINGER_DATA`).
    #[error("no Ringer data in {} (no {DB_FILE_NAME}): check --data / RINGER_DATA", dir.display())]
    NoData {
        /// The directory that was given (or the default).
        dir: PathBuf,
    },
    /// No data directory was given and none is known.
    #[error("no --data directory given and no user data directory is known on this platform")]
    NoDataDir,
    /// The store refused or failed (unknown user, duplicate, database error, …).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The data directory: `data`, or the user's default.
pub fn data_dir(data: Option<PathBuf>) -> Result<PathBuf, AdminError> {
    data.or_else(crate::config::default_data_dir)
        .ok_or(AdminError::NoDataDir)
}

/// Opens the store in `data_dir`, creating the directory and the database if needed: for
/// `user add`, which sets up a new server's data.
pub fn open_store(data_dir: &Path) -> Result<Store, AdminError> {
    Ok(Store::open(data_dir)?)
}

/// Opens the store in `data_dir` only if its database exists: for the commands that read or
/// change existing accounts, where a missing database means a mistyped `--data`, and creating
/// an empty one would hide that behind an empty list or an empty backup.
pub fn open_existing_store(data_dir: &Path) -> Result<Store, AdminError> {
    let db = data_dir.join(DB_FILE_NAME);
    match db.try_exists() {
        Ok(false) => Err(AdminError::NoData {
            dir: data_dir.to_owned(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Err(AdminError::NoData {
            dir: data_dir.to_owned(),
        }),
        // Whatever else stands in the way (permissions, …), opening reports it.
        Ok(true) | Err(_) => Ok(Store::open_file(&db, StoreOptions::default())?),
    }
}

impl AdminError {
    /// The process exit status for this error.
    pub fn exit_status(&self) -> u8 {
        match self {
            AdminError::NoData { .. } => EXIT_NO_DATA,
            AdminError::Interrupted => EXIT_INTERRUPTED,
            AdminError::InvalidUid { .. }
            | AdminError::InvalidName(_)
            | AdminError::EmptyPassword
            | AdminError::InvalidPassword(_)
            | AdminError::ReadPassword(_)
            | AdminError::NoDataDir
            | AdminError::Store(_) => EXIT_FAILED,
        }
    }
}

/// Reads a password from the first line of `input`, without its line ending.
pub fn read_password(mut input: impl BufRead) -> Result<Password, AdminError> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(AdminError::ReadPassword)?;
    let password = line
        .strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(&line);
    if password.is_empty() {
        return Err(AdminError::EmptyPassword);
    }
    Password::new(password).map_err(AdminError::InvalidPassword)
}

/// Parses a uid given on the command line.
pub fn parse_uid(uid: &str) -> Result<Uid, AdminError> {
    Uid::new(uid).map_err(|source| AdminError::InvalidUid {
        uid: uid.to_owned(),
        source,
    })
}

/// `user add`.
pub fn add_user(
    store: &Store,
    uid: &str,
    name: Option<&str>,
    password: &Password,
) -> Result<Uid, AdminError> {
    let uid = parse_uid(uid)?;
    let name = name
        .map(DisplayName::new)
        .transpose()
        .map_err(AdminError::InvalidName)?;
    store.add_user(&uid, name.as_ref(), password)?;
    Ok(uid)
}

/// `user list`.
pub fn list_users(store: &Store) -> Result<Vec<UserRow>, AdminError> {
    Ok(store.list_users()?)
}

/// `user disable`.
pub fn disable_user(store: &Store, uid: &str) -> Result<Uid, AdminError> {
    let uid = parse_uid(uid)?;
    store.disable_user(&uid)?;
    Ok(uid)
}

/// `user enable`.
pub fn enable_user(store: &Store, uid: &str) -> Result<Uid, AdminError> {
    let uid = parse_uid(uid)?;
    store.enable_user(&uid)?;
    Ok(uid)
}

/// `user remove`.
pub fn remove_user(store: &Store, uid: &str) -> Result<Uid, AdminError> {
    let uid = parse_uid(uid)?;
    store.remove_user(&uid)?;
    Ok(uid)
}

/// `user passwd`.
pub fn set_password(store: &Store, uid: &str, password: &Password) -> Result<Uid, AdminError> {
    let uid = parse_uid(uid)?;
    store.set_password(&uid, password)?;
    Ok(uid)
}

/// `backup`.
pub fn backup(store: &Store, to: &Path) -> Result<(), AdminError> {
    Ok(store.backup_to(to)?)
}

/// The users as an aligned text table.
pub fn format_table(rows: &[UserRow]) -> String {
    let header = ["UID", "NAME", "ENABLED", "CREATED", "LAST LOGIN"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|row| {
            [
                row.uid.to_string(),
                row.display_name.to_string(),
                if row.enabled { "yes" } else { "no" }.to_owned(),
                format_time(row.created_at),
                row.last_login_at
                    .map_or_else(|| "never".to_owned(), format_time),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cols: Vec<&str>| {
        let mut text = String::new();
        for (i, (col, width)) in cols.iter().zip(widths).enumerate() {
            if i + 1 == cols.len() {
                text.push_str(col);
            } else {
                let pad = width.saturating_sub(col.chars().count());
                text.push_str(col);
                text.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header.to_vec());
    for row in &cells {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

/// The users as a JSON array.
pub fn format_json(rows: &[UserRow]) -> String {
    let users: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            serde_json::json!({
                "uid": row.uid.as_str(),
                "display_name": row.display_name.as_str(),
                "enabled": row.enabled,
                "created_at": row.created_at,
                "last_login_at": row.last_login_at,
            })
        })
        .collect();
    let mut text = serde_json::Value::Array(users).to_string();
    text.push('\n');
    text
}

fn format_time(ms: UnixMillis) -> String {
    let time = UNIX_EPOCH + Duration::from_millis(ms);
    humantime::format_rfc3339_seconds(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_the_first_line_without_its_ending() {
        let password = read_password(&b"s3cret pass\r\nignored\n"[..]).expect("a password");
        assert_eq!(password.as_str(), "s3cret pass");
        let password = read_password(&b"no newline"[..]).expect("a password");
        assert_eq!(password.as_str(), "no newline");
    }

    #[test]
    fn empty_password_is_refused() {
        assert!(matches!(
            read_password(&b"\n"[..]),
            Err(AdminError::EmptyPassword)
        ));
        assert!(matches!(
            read_password(&b""[..]),
            Err(AdminError::EmptyPassword)
        ));
    }

    #[test]
    fn invalid_uid_is_refused() {
        for uid in ["", "null", " lead", "bad\"quote", &"x".repeat(65)] {
            assert!(
                matches!(parse_uid(uid), Err(AdminError::InvalidUid { .. })),
                "{uid:?}"
            );
        }
    }
}
