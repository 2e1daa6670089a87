//! Session tokens: 256 random bits handed to the client once; only their SHA-256 is stored.

use std::time::Duration;

use rand::RngCore;
use rand::rngs::OsRng;
use ringer_proto::{DeviceId, Token, Uid, UnixMillis};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest, Sha256};

use crate::error::{DbResult, StoreError, TokenError};
use crate::{Account, SESSION_RETENTION, Session, Store, after, field, sql_time, system_now_ms};

/// How stale a session's `last_used_at` may get before [`Store::authenticate_token`] writes
/// it again: one hour, in milliseconds.
pub const LAST_USED_STEP_MS: UnixMillis = 60 * 60 * 1000;

impl Store {
    /// Creates a session for `uid` on `device_id`, valid for `lifetime` from `now_ms`
    /// ([`crate::DEFAULT_SESSION_LIFETIME`] unless configured). Returns the token, which the
    /// store does not keep and cannot show again, and when it expires.
    ///
    /// If the uid then has more than [`crate::StoreOptions::sessions_per_uid`] live sessions,
    /// the least recently used are revoked. Fails with [`StoreError::UnknownUser`] or
    /// [`StoreError::AccountDisabled`].
    pub fn create_session(
        &self,
        uid: &Uid,
        device_id: &DeviceId,
        now_ms: UnixMillis,
        lifetime: Duration,
    ) -> Result<(Token, UnixMillis), StoreError> {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let token = field("new token", hex::encode(bytes), Token::new)?;
        let expires_at = after(now_ms, lifetime);
        let now = sql_time(now_ms);
        let cap = i64::from(self.options.sessions_per_uid);

        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let enabled: Option<bool> = tx
            .query_row(
                "SELECT enabled FROM users WHERE uid = ?1",
                [uid.as_str()],
                |row| row.get(0),
            )
            .optional()
            .db()?;
        match enabled {
            None => return Err(StoreError::UnknownUser(uid.clone())),
            Some(false) => return Err(StoreError::AccountDisabled(uid.clone())),
            Some(true) => {}
        }
        tx.execute(
            "INSERT INTO sessions (token_hash, uid, device_id, created_at, expires_at, last_used_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
            params![
                token_hash(&token),
                uid.as_str(),
                device_id.as_str(),
                now,
                sql_time(expires_at)
            ],
        )
        .db()?;
        let evicted = tx
            .execute(
                "UPDATE sessions SET revoked_at = ?2 WHERE token_hash IN (
                     SELECT token_hash FROM sessions
                     WHERE uid = ?1 AND revoked_at IS NULL AND expires_at > ?2
                     ORDER BY last_used_at DESC, created_at DESC
                     LIMIT -1 OFFSET ?3)",
                params![uid.as_str(), now, cap],
            )
            .db()?;
        tx.execute(
            "DELETE FROM sessions WHERE token_hash IN (
                 SELECT token_hash FROM sessions
                 WHERE uid = ?1 AND (revoked_at IS NOT NULL OR expires_at <= ?2)
                 ORDER BY coalesce(revoked_at, expires_at) DESC
                 LIMIT -1 OFFSET ?3)",
            params![uid.as_str(), now, cap],
        )
        .db()?;
        tx.commit().db()?;
        if evicted > 0 {
            tracing::info!(%uid, evicted, "revoked least recently used sessions over the limit");
        }
        Ok((token, expires_at))
    }

    /// Checks a session token presented by `uid` at `now_ms` and records it as used. The use
    /// is recorded only when the last recorded one is at least [`LAST_USED_STEP_MS`] (an
    /// hour) old, so that a sign-in is usually a read; "least recently used" (which session
    /// [`Store::create_session`] revokes over the limit) is therefore precise to that step. A
    /// token
    /// that is unknown, purged or another uid's is [`TokenError::Revoked`], so that tokens
    /// cannot be probed.
    pub fn authenticate_token(
        &self,
        uid: &Uid,
        token: &Token,
        now_ms: UnixMillis,
    ) -> Result<Session, TokenError> {
        let conn = self.conn();
        let live = live_session(&conn, uid, token, now_ms)?;
        // A sign-in is then a read unless the token was last marked more than LAST_USED_STEP
        // ago: a write costs a commit (and, in WAL mode, an fsync at checkpoints) under the one
        // connection mutex, and sign-in storms are all re-sign-ins of recent tokens.
        if now_ms >= live.last_used_at.saturating_add(LAST_USED_STEP_MS) {
            conn.execute(
                "UPDATE sessions SET last_used_at = max(last_used_at, ?2) WHERE token_hash = ?1",
                params![token_hash(token), sql_time(now_ms)],
            )
            .db()?;
        }
        Ok(Session {
            account: live.account,
            device_id: field("sessions.device_id", live.device_id, DeviceId::new)?,
            expires_at: live.expires_at,
        })
    }

    /// Extends a live session to `now_ms + lifetime` (never shortening it) and returns its new
    /// expiry. Refused, like [`Store::authenticate_token`], if the token is expired, revoked or
    /// its account disabled.
    pub fn renew_session(
        &self,
        token: &Token,
        now_ms: UnixMillis,
        lifetime: Duration,
    ) -> Result<UnixMillis, TokenError> {
        let conn = self.conn();
        let uid: Option<String> = conn
            .query_row(
                "SELECT uid FROM sessions WHERE token_hash = ?1",
                [token_hash(token)],
                |row| row.get(0),
            )
            .optional()
            .db()?;
        let uid = field("sessions.uid", uid.ok_or(TokenError::Revoked)?, Uid::new)?;
        let live = live_session(&conn, &uid, token, now_ms)?;
        let expires_at = after(now_ms, lifetime).max(live.expires_at);
        conn.execute(
            "UPDATE sessions SET expires_at = ?2, last_used_at = max(last_used_at, ?3)
             WHERE token_hash = ?1",
            params![token_hash(token), sql_time(expires_at), sql_time(now_ms)],
        )
        .db()?;
        Ok(expires_at)
    }

    /// Revokes one session (logout). Returns false if it was already revoked or unknown, which is
    /// not an error: logging out twice is harmless.
    pub fn revoke_session(&self, token: &Token) -> Result<bool, StoreError> {
        let changed = self
            .conn_durable()?
            .execute(
                "UPDATE sessions SET revoked_at = ?2 WHERE token_hash = ?1 AND revoked_at IS NULL",
                params![token_hash(token), sql_time(system_now_ms())],
            )
            .db()?;
        Ok(changed > 0)
    }

    /// Revokes every session of `uid` and increases its [`Account::sessions_epoch`]; returns how
    /// many were live (not yet revoked).
    pub fn revoke_all(&self, uid: &Uid) -> Result<usize, StoreError> {
        let mut conn = self.conn_durable()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let known: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM users WHERE uid = ?1)",
                [uid.as_str()],
                |row| row.get(0),
            )
            .db()?;
        if !known {
            return Err(StoreError::UnknownUser(uid.clone()));
        }
        let revoked = revoke_all_in(&tx, uid, system_now_ms())?;
        tx.commit().db()?;
        Ok(revoked)
    }

    /// Deletes sessions that expired or were revoked more than [`SESSION_RETENTION`] before
    /// `now_ms`; returns how many. A server calls it now and then (e.g. hourly).
    pub fn purge_sessions(&self, now_ms: UnixMillis) -> Result<usize, StoreError> {
        let cutoff = sql_time(
            now_ms.saturating_sub(u64::try_from(SESSION_RETENTION.as_millis()).unwrap_or(u64::MAX)),
        );
        self.conn()
            .execute(
                "DELETE FROM sessions WHERE expires_at < ?1 OR revoked_at < ?1",
                [cutoff],
            )
            .db()
    }
}

/// Revokes every unrevoked session of `uid` inside the caller's transaction and bumps its
/// sessions epoch; returns how many were revoked.
pub(crate) fn revoke_all_in(
    conn: &Connection,
    uid: &Uid,
    now_ms: UnixMillis,
) -> Result<usize, StoreError> {
    let revoked = conn
        .execute(
            "UPDATE sessions SET revoked_at = ?2 WHERE uid = ?1 AND revoked_at IS NULL",
            params![uid.as_str(), sql_time(now_ms)],
        )
        .db()?;
    conn.execute(
        "UPDATE users SET sessions_epoch = sessions_epoch + 1 WHERE uid = ?1",
        [uid.as_str()],
    )
    .db()?;
    Ok(revoked)
}

struct LiveSession {
    account: Account,
    device_id: String,
    expires_at: UnixMillis,
    last_used_at: UnixMillis,
}

/// The session of `token` if it belongs to `uid` and is usable at `now_ms`.
fn live_session(
    conn: &Connection,
    uid: &Uid,
    token: &Token,
    now_ms: UnixMillis,
) -> Result<LiveSession, TokenError> {
    let row = conn
        .query_row(
            "SELECT s.uid, s.device_id, s.expires_at, s.revoked_at IS NOT NULL,
                    u.display_name, u.enabled, u.sessions_epoch, s.last_used_at
             FROM sessions s JOIN users u ON u.uid = s.uid
             WHERE s.token_hash = ?1",
            [token_hash(token)],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, UnixMillis>(2)?,
                    row.get::<_, bool>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, bool>(5)?,
                    row.get::<_, u64>(6)?,
                    row.get::<_, UnixMillis>(7)?,
                ))
            },
        )
        .optional()
        .db()?;
    let Some((
        owner,
        device_id,
        expires_at,
        revoked,
        display_name,
        enabled,
        sessions_epoch,
        last_used_at,
    )) = row
    else {
        return Err(TokenError::Revoked);
    };
    if owner != uid.as_str() {
        return Err(TokenError::Revoked);
    }
    // Disabled first: disabling revokes every session, and "disabled" is the more useful answer.
    if !enabled {
        return Err(TokenError::AccountDisabled);
    }
    if revoked {
        return Err(TokenError::Revoked);
    }
    if expires_at <= now_ms {
        return Err(TokenError::Expired);
    }
    Ok(LiveSession {
        account: Account {
            uid: uid.clone(),
            display_name: field(
                "users.display_name",
                display_name,
                ringer_proto::DisplayName::new,
            )?,
            enabled,
            sessions_epoch,
        },
        device_id,
        expires_at,
        last_used_at,
    })
}

/// What the store keeps of a token.
fn token_hash(token: &Token) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
