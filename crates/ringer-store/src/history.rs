//! Call history: each uid's records of the invitations it took part in (SPEC §7).

use ringer_proto::limits::MAX_HISTORY_LIMIT;
use ringer_proto::{CallRecord, Direction, InvitationId, Outcome, Uid, UnixMillis};
use std::collections::HashMap;

use rusqlite::{Transaction, TransactionBehavior, params};

use crate::error::{DbResult, StoreError};
use crate::{Store, field, sql_time};

impl Store {
    /// Records a call in `uid`'s history. Recording the same invitation (id and start time) for
    /// the same uid again replaces the record, so recording twice is harmless. If the uid then has more than
    /// [`crate::StoreOptions::history_per_uid`] records, the oldest (by start time) are dropped.
    /// Fails with [`StoreError::UnknownUser`] if the uid has no account (e.g. it was removed
    /// during the call).
    pub fn record_call(&self, uid: &Uid, record: &CallRecord) -> Result<(), StoreError> {
        let skipped = self.record_calls(std::slice::from_ref(&(uid.clone(), record.clone())))?;
        if skipped.is_empty() {
            Ok(())
        } else {
            Err(StoreError::UnknownUser(uid.clone()))
        }
    }

    /// Records a batch of calls in one transaction (one commit instead of one per record), each
    /// exactly as [`Store::record_call`] would: recording an invitation again for the same uid
    /// replaces its record, and each uid keeps at most
    /// [`crate::StoreOptions::history_per_uid`] records, the newest by start time. A record
    /// whose uid has no account is skipped, not an error, so that one removed account does not
    /// lose the rest of the batch; the indices (into `records`) of the skipped records are
    /// returned. On an error nothing of the batch is written.
    pub fn record_calls(&self, records: &[(Uid, CallRecord)]) -> Result<Vec<usize>, StoreError> {
        let mut skipped = Vec::new();
        if records.is_empty() {
            return Ok(skipped);
        }
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        // uid → records inserted by this batch, or None for a uid without an account.
        let mut inserted: HashMap<&Uid, Option<u32>> = HashMap::new();
        for (index, (uid, record)) in records.iter().enumerate() {
            let count = match inserted.get_mut(uid) {
                Some(count) => count,
                None => inserted
                    .entry(uid)
                    .or_insert(user_exists(&tx, uid)?.then_some(0)),
            };
            match count {
                Some(count) => {
                    upsert_record(&tx, uid, record)?;
                    *count += 1;
                }
                None => skipped.push(index),
            }
        }
        // Trimming once per uid after all inserts keeps the same records as trimming after each:
        // both keep the newest of everything recorded.
        let keep = self.options.history_per_uid;
        let mut bounds = self.history_bounds();
        let mut updated = Vec::with_capacity(inserted.len());
        let mut counts_left = COUNTS_PER_TRANSACTION;
        for (uid, count) in inserted {
            let Some(count) = count else { continue };
            let bound = match bounds.get(uid) {
                Some(bound) => bound.saturating_add(count),
                None if counts_left > 0 => {
                    counts_left -= 1;
                    count_history(&tx, uid)?
                }
                // Counted in a later transaction, with the records added until then.
                None => continue,
            };
            let bound = if bound > keep.saturating_add(trim_slack(keep)) {
                trim_history(&tx, uid, keep)?;
                keep
            } else {
                bound
            };
            updated.push((uid, bound));
        }
        tx.commit().db()?;
        for (uid, bound) in updated {
            bounds.insert(uid.clone(), bound);
        }
        Ok(skipped)
    }

    /// Up to `limit` (at most [`MAX_HISTORY_LIMIT`]) of `uid`'s records, newest first by start
    /// time (then by id). A uid without an account has no history.
    pub fn history(&self, uid: &Uid, limit: u32) -> Result<Vec<CallRecord>, StoreError> {
        // Between trims a uid may hold a few more than `history_per_uid` (see [`trim_slack`]).
        let limit = limit
            .min(MAX_HISTORY_LIMIT)
            .min(self.options.history_per_uid);
        let conn = self.conn();
        let mut stmt = conn
            .prepare(
                "SELECT id, peer, direction, outcome, reason, missed,
                        started_at, answered_at, ended_at
                 FROM history WHERE uid = ?1
                 ORDER BY started_at DESC, id DESC LIMIT ?2",
            )
            .db()?;
        let rows = stmt
            .query_map(params![uid.as_str(), i64::from(limit)], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, Option<String>>(4)?,
                    row.get::<_, bool>(5)?,
                    row.get::<_, UnixMillis>(6)?,
                    row.get::<_, Option<UnixMillis>>(7)?,
                    row.get::<_, UnixMillis>(8)?,
                ))
            })
            .db()?;
        let mut records = Vec::new();
        for row in rows {
            let (id, peer, direction, outcome, reason, missed, started_at, answered_at, ended_at) =
                row.db()?;
            records.push(CallRecord {
                id: field("history.id", id, InvitationId::new)?,
                peer: field("history.peer", peer, Uid::new)?,
                direction: parse_direction(&direction)?,
                outcome: parse_outcome(&outcome)?,
                reason,
                missed,
                started_at,
                answered_at,
                ended_at,
            });
        }
        Ok(records)
    }
}

fn user_exists(tx: &Transaction<'_>, uid: &Uid) -> Result<bool, StoreError> {
    tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM users WHERE uid = ?1)")
        .db()?
        .query_row([uid.as_str()], |row| row.get(0))
        .db()
}

fn count_history(tx: &Transaction<'_>, uid: &Uid) -> Result<u32, StoreError> {
    let count: i64 = tx
        .prepare_cached("SELECT COUNT(*) FROM history WHERE uid = ?1")
        .db()?
        .query_row([uid.as_str()], |row| row.get(0))
        .db()?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// Uids whose records are counted per transaction when this store has not counted them yet.
/// A count walks all of a uid's records (10,000 by default, ~160 index pages): after a
/// restart, counting every uid of the first batches read most of the history index before the
/// first commit, which with a cold disk cache stalled the writer, and with it all signalling,
/// for seconds. The other uids' records are written meanwhile and trimmed once counted.
const COUNTS_PER_TRANSACTION: usize = 4;

/// How far past `keep` a uid's history may grow before it is trimmed back to `keep`. Trimming
/// sorts the uid's records: doing it once per `keep / 16` records instead of on every record
/// keeps a full history (10,000 by default) cheap to append to. Never visible: a history
/// request returns at most `keep` records.
fn trim_slack(keep: u32) -> u32 {
    keep / 16
}

fn upsert_record(tx: &Transaction<'_>, uid: &Uid, record: &CallRecord) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO history (uid, id, peer, direction, outcome, reason, missed,
                                  started_at, answered_at, ended_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (uid, started_at, id) DO UPDATE SET
                 peer = excluded.peer, direction = excluded.direction,
                 outcome = excluded.outcome, reason = excluded.reason,
                 missed = excluded.missed,
                 answered_at = excluded.answered_at, ended_at = excluded.ended_at",
        )
        .db()?;
    stmt.execute(params![
        uid.as_str(),
        record.id.as_str(),
        record.peer.as_str(),
        direction_str(record.direction),
        outcome_str(record.outcome),
        record.reason.as_deref(),
        record.missed,
        sql_time(record.started_at),
        record.answered_at.map(sql_time),
        sql_time(record.ended_at),
    ])
    .db()?;
    Ok(())
}

/// Drops `uid`'s records beyond the newest `keep` (by start time).
fn trim_history(tx: &Transaction<'_>, uid: &Uid, keep: u32) -> Result<(), StoreError> {
    tx.prepare_cached(
        "DELETE FROM history WHERE rowid IN (
             SELECT rowid FROM history WHERE uid = ?1
             ORDER BY started_at DESC, id DESC
             LIMIT -1 OFFSET ?2)",
    )
    .db()?
    .execute(params![uid.as_str(), i64::from(keep)])
    .db()?;
    Ok(())
}

fn direction_str(direction: Direction) -> &'static str {
    match direction {
        Direction::Outgoing => "outgoing",
        Direction::Incoming => "incoming",
    }
}

fn parse_direction(s: &str) -> Result<Direction, StoreError> {
    [Direction::Outgoing, Direction::Incoming]
        .into_iter()
        .find(|d| direction_str(*d) == s)
        .ok_or_else(|| StoreError::InvalidData(format!("history.direction {s:?}")))
}

fn outcome_str(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Answered => "answered",
        Outcome::Refused => "refused",
        Outcome::Canceled => "canceled",
        Outcome::Failed => "failed",
    }
}

fn parse_outcome(s: &str) -> Result<Outcome, StoreError> {
    [
        Outcome::Answered,
        Outcome::Refused,
        Outcome::Canceled,
        Outcome::Failed,
    ]
    .into_iter()
    .find(|o| outcome_str(*o) == s)
    .ok_or_else(|| StoreError::InvalidData(format!("history.outcome {s:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_round_trips() -> Result<(), StoreError> {
        for d in [Direction::Outgoing, Direction::Incoming] {
            assert_eq!(parse_direction(direction_str(d))?, d);
        }
        for o in [
            Outcome::Answered,
            Outcome::Refused,
            Outcome::Canceled,
            Outcome::Failed,
        ] {
            assert_eq!(parse_outcome(outcome_str(o))?, o);
        }
        assert!(parse_outcome("won").is_err());
        assert!(parse_direction("").is_err());
        Ok(())
    }
}
