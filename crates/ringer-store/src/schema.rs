//! Opening the database file: connection settings, the file's identity, and schema migrations.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{DbResult, StoreError};

/// Written to the SQLite header (`PRAGMA application_id`) so that the store recognises its own
/// files and refuses another application's database. "RNGR" in ASCII.
pub(crate) const APPLICATION_ID: i64 = 0x524e_4752;

/// How long a statement waits for another process's lock before failing with
/// [`StoreError::Busy`]. The admin CLI and the running server share the file.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// WAL pages (4 KiB each) written before SQLite copies them back into the database file.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 10_000;

/// Schema migrations; `MIGRATIONS[n]` takes the file from `user_version` n to n + 1. Append
/// only: a released migration never changes.
const MIGRATIONS: &[&str] = &[
    // 0 -> 1
    "
    CREATE TABLE users (
        uid            TEXT    NOT NULL PRIMARY KEY,
        display_name   TEXT    NOT NULL,
        password_hash  TEXT    NOT NULL,
        enabled        INTEGER NOT NULL DEFAULT 1,
        created_at     INTEGER NOT NULL,
        last_login_at  INTEGER,
        sessions_epoch INTEGER NOT NULL DEFAULT 0
    ) STRICT;

    CREATE TABLE sessions (
        token_hash   BLOB    NOT NULL PRIMARY KEY,
        uid          TEXT    NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        device_id    TEXT    NOT NULL,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL,
        revoked_at   INTEGER
    ) STRICT;
    CREATE INDEX sessions_by_uid ON sessions(uid);

    CREATE TABLE history (
        uid         TEXT    NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        id          TEXT    NOT NULL,
        peer        TEXT    NOT NULL,
        direction   TEXT    NOT NULL,
        outcome     TEXT    NOT NULL,
        reason      TEXT,
        missed      INTEGER NOT NULL,
        started_at  INTEGER NOT NULL,
        answered_at INTEGER,
        ended_at    INTEGER NOT NULL,
        PRIMARY KEY (uid, id)
    ) STRICT;
    CREATE INDEX history_by_uid_newest ON history(uid, started_at DESC);
    ",
    // 1 -> 2: one index on history instead of two. A record is identified by (uid, started_at,
    // id): an invitation's start time never changes, so this is as unique as (uid, id) was,
    // and the same index serves the newest-first reads and trims. Each record appended now
    // touches one of the uid's index pages instead of two, which halves the pages a batch of
    // records writes to the WAL.
    "
    CREATE TABLE history_v2 (
        uid         TEXT    NOT NULL REFERENCES users(uid) ON DELETE CASCADE,
        id          TEXT    NOT NULL,
        peer        TEXT    NOT NULL,
        direction   TEXT    NOT NULL,
        outcome     TEXT    NOT NULL,
        reason      TEXT,
        missed      INTEGER NOT NULL,
        started_at  INTEGER NOT NULL,
        answered_at INTEGER,
        ended_at    INTEGER NOT NULL
    ) STRICT;
    INSERT INTO history_v2 (uid, id, peer, direction, outcome, reason, missed,
                            started_at, answered_at, ended_at)
        SELECT uid, id, peer, direction, outcome, reason, missed,
               started_at, answered_at, ended_at
        FROM history ORDER BY rowid;
    DROP TABLE history;
    ALTER TABLE history_v2 RENAME TO history;
    CREATE UNIQUE INDEX history_by_uid_newest ON history(uid, started_at DESC, id DESC);
    ",
];

/// The schema version this build writes.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens `path` (creating it if missing), configures the connection, checks that the file is a
/// Ringer database and brings its schema up to date.
pub(crate) fn open(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).db()?;
    configure(&conn).map_err(|e| on_open_error(e, path))?;
    migrate(conn, path).map_err(|e| on_open_error(e, path))
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT).db()?;
    // The first statement that reads the header: a file that is not SQLite fails here.
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .db()?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "database did not switch to WAL mode");
    }
    // NORMAL is safe in WAL mode (no corruption; an OS crash or power loss may roll back the
    // last commits, an application crash loses nothing) and spares every commit an fsync. See
    // the crate documentation.
    conn.pragma_update(None, "synchronous", "NORMAL").db()?;
    conn.pragma_update(None, "foreign_keys", true).db()?;
    // Checkpoint every ~40 MiB of WAL instead of ~4 MiB: call records touch pages all over the
    // history index, and a page written many times between two checkpoints is copied back
    // once. Costs disk space for the WAL only, not durability.
    conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
        .db()?;
    Ok(())
}

fn migrate(mut conn: Connection, path: &Path) -> Result<Connection, StoreError> {
    // The common case, an up-to-date file, needs no write lock: the admin CLI opens the file
    // for every command while the server writes to it.
    if check(&inspect(&conn)?, path)? {
        return Ok(conn);
    }
    // IMMEDIATE: when the server and an admin command open a new file at the same moment, one
    // migrates and the other waits, then finds the work done.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .db()?;
    let header = inspect(&tx)?;
    if !check(&header, path)? {
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .db()?;
        let from = usize::try_from(header.version).unwrap_or(0);
        for (step, sql) in MIGRATIONS.iter().enumerate().skip(from) {
            tracing::info!(from = step, to = step + 1, path = %path.display(), "migrating store schema");
            tx.execute_batch(sql).db()?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .db()?;
    }
    tx.commit().db()?;
    Ok(conn)
}

/// What the file says about itself.
struct Header {
    application_id: i64,
    version: i64,
    tables: i64,
}

fn inspect(conn: &Connection) -> Result<Header, StoreError> {
    Ok(Header {
        application_id: conn
            .pragma_query_value(None, "application_id", |row| row.get(0))
            .db()?,
        version: conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .db()?,
        tables: conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
            .db()?,
    })
}

/// True when the file is an up-to-date Ringer store, false when it needs migrating (or is
/// new); an error when it is not ours or too new.
fn check(header: &Header, path: &Path) -> Result<bool, StoreError> {
    let fresh = header.application_id == 0 && header.version == 0 && header.tables == 0;
    if !fresh && header.application_id != APPLICATION_ID {
        return Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
        });
    }
    if header.version > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: header.version,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(header.version == SCHEMA_VERSION)
}

fn on_open_error(e: StoreError, path: &Path) -> StoreError {
    let not_a_database = matches!(&e, StoreError::Database(inner) if inner.is_not_a_database());
    if not_a_database {
        return StoreError::NotADatabase {
            path: path.to_path_buf(),
        };
    }
    e
}
