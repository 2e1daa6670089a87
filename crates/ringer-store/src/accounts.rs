//! Accounts: what the admin CLI manages and what a login checks.

use ringer_proto::{DisplayName, Password, Uid, UnixMillis};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::error::{DbResult, LoginError, StoreError};
use crate::{Account, Store, UserRow, field, password, sql_time, system_now_ms};

const ACCOUNT_COLUMNS: &str = "uid, display_name, enabled, sessions_epoch";

impl Store {
    /// Adds an account. `display_name` defaults to the uid. Fails with
    /// [`StoreError::UserExists`] if the uid already has one.
    pub fn add_user(
        &self,
        uid: &Uid,
        display_name: Option<&DisplayName>,
        password: &Password,
    ) -> Result<(), StoreError> {
        let display_name = match display_name {
            Some(name) => name.clone(),
            None => field("uid as display_name", uid.to_string(), DisplayName::new)?,
        };
        let hash = password::hash(password, self.options.password_cost)?;
        let added = self
            .conn_durable()?
            .execute(
                "INSERT INTO users (uid, display_name, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (uid) DO NOTHING",
                params![
                    uid.as_str(),
                    display_name.as_str(),
                    hash,
                    sql_time(system_now_ms())
                ],
            )
            .db()?;
        if added == 0 {
            return Err(StoreError::UserExists(uid.clone()));
        }
        tracing::info!(%uid, "user added");
        Ok(())
    }

    /// Every account, sorted by uid.
    pub fn list_users(&self) -> Result<Vec<UserRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT uid, display_name, enabled, created_at, last_login_at
                 FROM users ORDER BY uid",
            )
            .db()?;
        let rows = stmt
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, bool>(2)?,
                    row.get::<_, UnixMillis>(3)?,
                    row.get::<_, Option<UnixMillis>>(4)?,
                ))
            })
            .db()?;
        let mut users = Vec::new();
        for row in rows {
            let (uid, display_name, enabled, created_at, last_login_at) = row.db()?;
            users.push(UserRow {
                uid: field("users.uid", uid, Uid::new)?,
                display_name: field("users.display_name", display_name, DisplayName::new)?,
                enabled,
                created_at,
                last_login_at,
            });
        }
        Ok(users)
    }

    /// The account of `uid`, if it has one.
    pub fn account(&self, uid: &Uid) -> Result<Option<Account>, StoreError> {
        let row = self
            .conn()
            .query_row(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM users WHERE uid = ?1"),
                [uid.as_str()],
                account_row,
            )
            .optional()
            .db()?;
        row.map(account_from_row).transpose()
    }

    /// Every account, enabled or not, sorted by uid: what a server keeps in memory to route
    /// calls, answer the directory, and notice disabled accounts and revoked sessions after
    /// [`Store::data_version`] changed.
    pub fn load_accounts(&self) -> Result<Vec<Account>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("SELECT {ACCOUNT_COLUMNS} FROM users ORDER BY uid"))
            .db()?;
        let rows = stmt.query_map([], account_row).db()?;
        let mut accounts = Vec::new();
        for row in rows {
            accounts.push(account_from_row(row.db()?)?);
        }
        Ok(accounts)
    }

    /// Disables an account and revokes all of its sessions. Disabling a disabled account is not
    /// an error.
    pub fn disable_user(&self, uid: &Uid) -> Result<(), StoreError> {
        let mut conn = self.conn_durable()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let changed = tx
            .execute(
                "UPDATE users SET enabled = 0 WHERE uid = ?1",
                [uid.as_str()],
            )
            .db()?;
        if changed == 0 {
            return Err(StoreError::UnknownUser(uid.clone()));
        }
        crate::sessions::revoke_all_in(&tx, uid, system_now_ms())?;
        tx.commit().db()?;
        tracing::info!(%uid, "user disabled");
        Ok(())
    }

    /// Enables a disabled account. Its old sessions stay revoked: it must log in again.
    pub fn enable_user(&self, uid: &Uid) -> Result<(), StoreError> {
        let changed = self
            .conn_durable()?
            .execute(
                "UPDATE users SET enabled = 1 WHERE uid = ?1",
                [uid.as_str()],
            )
            .db()?;
        if changed == 0 {
            return Err(StoreError::UnknownUser(uid.clone()));
        }
        tracing::info!(%uid, "user enabled");
        Ok(())
    }

    /// Deletes an account with its sessions and its call history. Other uids' records of calls
    /// with it stay.
    pub fn remove_user(&self, uid: &Uid) -> Result<(), StoreError> {
        let mut conn = self.conn_durable()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        // Explicit rather than only ON DELETE CASCADE, which depends on a per-connection pragma.
        tx.execute("DELETE FROM sessions WHERE uid = ?1", [uid.as_str()])
            .db()?;
        tx.execute("DELETE FROM history WHERE uid = ?1", [uid.as_str()])
            .db()?;
        let removed = tx
            .execute("DELETE FROM users WHERE uid = ?1", [uid.as_str()])
            .db()?;
        if removed == 0 {
            return Err(StoreError::UnknownUser(uid.clone()));
        }
        tx.commit().db()?;
        tracing::info!(%uid, "user removed");
        Ok(())
    }

    /// Replaces an account's password and revokes all of its sessions.
    pub fn set_password(&self, uid: &Uid, password: &Password) -> Result<(), StoreError> {
        let hash = password::hash(password, self.options.password_cost)?;
        let mut conn = self.conn_durable()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let changed = tx
            .execute(
                "UPDATE users SET password_hash = ?2 WHERE uid = ?1",
                params![uid.as_str(), hash],
            )
            .db()?;
        if changed == 0 {
            return Err(StoreError::UnknownUser(uid.clone()));
        }
        crate::sessions::revoke_all_in(&tx, uid, system_now_ms())?;
        tx.commit().db()?;
        tracing::info!(%uid, "password changed");
        Ok(())
    }

    /// Replaces an account's display name.
    pub fn set_display_name(
        &self,
        uid: &Uid,
        display_name: &DisplayName,
    ) -> Result<(), StoreError> {
        let changed = self
            .conn_durable()?
            .execute(
                "UPDATE users SET display_name = ?2 WHERE uid = ?1",
                params![uid.as_str(), display_name.as_str()],
            )
            .db()?;
        if changed == 0 {
            return Err(StoreError::UnknownUser(uid.clone()));
        }
        Ok(())
    }

    /// Checks a uid and password. An unknown uid and a wrong password are the same
    /// [`LoginError::BadCredentials`], and take as long: an unknown uid is verified against a
    /// dummy hash. A disabled account is reported only to someone who knows its password.
    /// Success records `now_ms` as the last login; the caller then creates a session with
    /// [`Store::create_session`].
    pub fn verify_login(
        &self,
        uid: &Uid,
        password: &Password,
        now_ms: UnixMillis,
    ) -> Result<Account, LoginError> {
        let row = self
            .conn()
            .query_row(
                &format!("SELECT {ACCOUNT_COLUMNS}, password_hash FROM users WHERE uid = ?1"),
                [uid.as_str()],
                |row| Ok((account_row(row)?, row.get::<_, String>(4)?)),
            )
            .optional()
            .db()?;
        // Argon2 runs with the connection unlocked: it is the slow part of a login.
        let Some((account, hash)) = row else {
            let dummy = self.dummy_hash()?;
            let _ = password::verify(password, dummy);
            return Err(LoginError::BadCredentials);
        };
        if !password::verify(password, &hash) {
            return Err(LoginError::BadCredentials);
        }
        let account = account_from_row(account)?;
        if !account.enabled {
            return Err(LoginError::AccountDisabled);
        }
        self.conn()
            .execute(
                "UPDATE users SET last_login_at = ?2 WHERE uid = ?1",
                params![uid.as_str(), sql_time(now_ms)],
            )
            .db()?;
        Ok(account)
    }

    fn dummy_hash(&self) -> Result<&str, StoreError> {
        if let Some(hash) = self.dummy_hash.get() {
            return Ok(hash);
        }
        let hash = password::hash("ringer dummy password", self.options.password_cost)?;
        Ok(self.dummy_hash.get_or_init(|| hash))
    }
}

type RawAccount = (String, String, bool, u64);

fn account_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawAccount> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

fn account_from_row(
    (uid, display_name, enabled, sessions_epoch): RawAccount,
) -> Result<Account, StoreError> {
    Ok(Account {
        uid: field("users.uid", uid, Uid::new)?,
        display_name: field("users.display_name", display_name, DisplayName::new)?,
        enabled,
        sessions_epoch,
    })
}
