use std::time::Duration;

use ringer_store::{
    DEFAULT_SESSION_LIFETIME, LAST_USED_STEP_MS, SESSION_RETENTION, Store, StoreError,
    StoreOptions, TokenError,
};

use crate::{DAY_MS, T0, device, name, pw, reopen, store, token, uid};

const HOUR: Duration = Duration::from_secs(3600);
const HOUR_MS: u64 = 3_600_000;
const DAY: Duration = Duration::from_secs(24 * 3600);

fn with_alice() -> (tempfile::TempDir, Store) {
    let (dir, store) = store();
    store
        .add_user(&uid("alice"), Some(&name("Alice")), &pw("a"))
        .expect("add alice");
    store
        .add_user(&uid("bob"), None, &pw("b"))
        .expect("add bob");
    (dir, store)
}

#[test]
fn token_is_256_random_bits_in_hex_and_authenticates() -> Result<(), TokenError> {
    let (_dir, store) = with_alice();
    let (tok, expires) = store.create_session(&uid("alice"), &device("laptop"), T0, HOUR)?;
    assert_eq!(expires, T0 + HOUR_MS);
    assert_eq!(tok.len(), 64);
    assert!(tok.bytes().all(|b| b.is_ascii_hexdigit()));
    let (other, _) = store.create_session(&uid("alice"), &device("laptop"), T0, HOUR)?;
    assert_ne!(tok, other);

    let session = store.authenticate_token(&uid("alice"), &tok, T0 + 1)?;
    assert_eq!(session.account.uid, uid("alice"));
    assert_eq!(session.account.display_name, name("Alice"));
    assert_eq!(session.device_id, device("laptop"));
    assert_eq!(session.expires_at, T0 + HOUR_MS);
    Ok(())
}

#[test]
fn default_lifetime_is_thirty_days() {
    assert_eq!(DEFAULT_SESSION_LIFETIME, Duration::from_secs(30 * 86_400));
}

#[test]
fn expired_token_is_refused_as_expired() -> Result<(), TokenError> {
    let (_dir, store) = with_alice();
    let (tok, expires) = store.create_session(&uid("alice"), &device("d"), T0, HOUR)?;
    assert!(
        store
            .authenticate_token(&uid("alice"), &tok, expires - 1)
            .is_ok()
    );
    assert!(matches!(
        store.authenticate_token(&uid("alice"), &tok, expires),
        Err(TokenError::Expired)
    ));
    Ok(())
}

#[test]
fn unknown_token_and_other_uids_token_are_revoked() -> Result<(), TokenError> {
    let (_dir, store) = with_alice();
    let (tok, _) = store.create_session(&uid("alice"), &device("d"), T0, HOUR)?;
    assert!(matches!(
        store.authenticate_token(&uid("bob"), &tok, T0),
        Err(TokenError::Revoked)
    ));
    assert!(matches!(
        store.authenticate_token(&uid("nobody"), &tok, T0),
        Err(TokenError::Revoked)
    ));
    assert!(matches!(
        store.authenticate_token(&uid("alice"), &token("0123abcd"), T0),
        Err(TokenError::Revoked)
    ));
    Ok(())
}

#[test]
fn revoke_session_is_logout() -> Result<(), TokenError> {
    let (_dir, store) = with_alice();
    let (tok, _) = store.create_session(&uid("alice"), &device("d"), T0, HOUR)?;
    let (kept, _) = store.create_session(&uid("alice"), &device("e"), T0, HOUR)?;
    assert!(store.revoke_session(&tok)?);
    assert!(!store.revoke_session(&tok)?, "second logout is a no-op");
    assert!(!store.revoke_session(&token("abc"))?);
    assert!(matches!(
        store.authenticate_token(&uid("alice"), &tok, T0),
        Err(TokenError::Revoked)
    ));
    assert!(store.authenticate_token(&uid("alice"), &kept, T0).is_ok());
    Ok(())
}

#[test]
fn renew_extends_but_never_shortens() -> Result<(), TokenError> {
    let (_dir, store) = with_alice();
    let (tok, expires) = store.create_session(&uid("alice"), &device("d"), T0, HOUR)?;
    let renewed = store.renew_session(&tok, T0 + 30 * 60_000, HOUR)?;
    assert_eq!(renewed, T0 + 90 * 60_000);
    assert!(renewed > expires);
    // Past the original expiry, before the renewed one.
    let session = store.authenticate_token(&uid("alice"), &tok, expires + 1)?;
    assert_eq!(session.expires_at, renewed);
    // A shorter lifetime does not cut it short.
    assert_eq!(
        store.renew_session(&tok, T0 + 31 * 60_000, Duration::from_secs(1))?,
        renewed
    );
    Ok(())
}

#[test]
fn renew_refuses_dead_sessions() -> Result<(), TokenError> {
    let (_dir, store) = with_alice();
    let (expired, e) = store.create_session(&uid("alice"), &device("d"), T0, HOUR)?;
    assert!(matches!(
        store.renew_session(&expired, e, HOUR),
        Err(TokenError::Expired)
    ));
    let (revoked, _) = store.create_session(&uid("alice"), &device("d"), T0, HOUR)?;
    store.revoke_session(&revoked)?;
    assert!(matches!(
        store.renew_session(&revoked, T0, HOUR),
        Err(TokenError::Revoked)
    ));
    assert!(matches!(
        store.renew_session(&token("feed"), T0, HOUR),
        Err(TokenError::Revoked)
    ));
    Ok(())
}

#[test]
fn password_change_revokes_every_session_and_bumps_the_epoch() -> Result<(), TokenError> {
    let (_dir, store) = with_alice();
    let (a, _) = store.create_session(&uid("alice"), &device("d1"), T0, HOUR)?;
    let (b, _) = store.create_session(&uid("alice"), &device("d2"), T0, HOUR)?;
    let (bobs, _) = store.create_session(&uid("bob"), &device("d1"), T0, HOUR)?;
    let epoch = store.account(&uid("alice"))?.expect("alice").sessions_epoch;
    store.set_password(&uid("alice"), &pw("new"))?;
    for tok in [&a, &b] {
        assert!(matches!(
            store.authenticate_token(&uid("alice"), tok, T0),
            Err(TokenError::Revoked)
        ));
    }
    assert!(store.authenticate_token(&uid("bob"), &bobs, T0).is_ok());
    assert!(store.account(&uid("alice"))?.expect("alice").sessions_epoch > epoch);
    Ok(())
}

#[test]
fn disable_refuses_tokens_and_new_sessions_and_enable_does_not_revive_them()
-> Result<(), TokenError> {
    let (_dir, store) = with_alice();
    let (tok, _) = store.create_session(&uid("alice"), &device("d"), T0, HOUR)?;
    store.disable_user(&uid("alice"))?;
    assert!(matches!(
        store.authenticate_token(&uid("alice"), &tok, T0),
        Err(TokenError::AccountDisabled)
    ));
    assert!(matches!(
        store.renew_session(&tok, T0, HOUR),
        Err(TokenError::AccountDisabled)
    ));
    assert!(matches!(
        store.create_session(&uid("alice"), &device("d"), T0, HOUR),
        Err(StoreError::AccountDisabled(_))
    ));
    store.enable_user(&uid("alice"))?;
    assert!(matches!(
        store.authenticate_token(&uid("alice"), &tok, T0),
        Err(TokenError::Revoked)
    ));
    Ok(())
}

#[test]
fn revoke_all_counts_live_sessions() -> Result<(), TokenError> {
    let (_dir, store) = with_alice();
    let (a, _) = store.create_session(&uid("alice"), &device("d1"), T0, HOUR)?;
    store.create_session(&uid("alice"), &device("d2"), T0, HOUR)?;
    store.revoke_session(&a)?;
    assert_eq!(store.revoke_all(&uid("alice"))?, 1);
    assert_eq!(store.revoke_all(&uid("alice"))?, 0);
    Ok(())
}

#[test]
fn session_for_unknown_uid_is_refused() {
    let (_dir, store) = with_alice();
    assert!(matches!(
        store.create_session(&uid("ghost"), &device("d"), T0, HOUR),
        Err(StoreError::UnknownUser(_))
    ));
}

#[test]
fn sessions_over_the_limit_revoke_the_least_recently_used() -> Result<(), TokenError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = StoreOptions {
        sessions_per_uid: 3,
        ..StoreOptions::insecure_for_tests()
    };
    let store = Store::open_with(dir.path(), options)?;
    store.add_user(&uid("alice"), None, &pw("a"))?;
    let mut tokens = Vec::new();
    for i in 0..3 {
        tokens.push(
            store
                .create_session(&uid("alice"), &device("d"), T0 + i, DAY)?
                .0,
        );
    }
    // The oldest is used again, more than the recording step later, so the second is now the
    // least recently used.
    let later = T0 + LAST_USED_STEP_MS;
    store.authenticate_token(&uid("alice"), &tokens[0], later)?;
    let (newest, _) = store.create_session(&uid("alice"), &device("d"), later + 20, DAY)?;
    let live: Vec<bool> = tokens
        .iter()
        .chain([&newest])
        .map(|t| {
            store
                .authenticate_token(&uid("alice"), t, later + 30)
                .is_ok()
        })
        .collect();
    assert_eq!(live, [true, false, true, true]);
    Ok(())
}

#[test]
fn dead_sessions_per_uid_are_bounded_too() -> Result<(), TokenError> {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = StoreOptions {
        sessions_per_uid: 2,
        ..StoreOptions::insecure_for_tests()
    };
    let store = Store::open_with(dir.path(), options)?;
    store.add_user(&uid("alice"), None, &pw("a"))?;
    for i in 0..20 {
        store.create_session(&uid("alice"), &device("d"), T0 + i, HOUR)?;
    }
    let rows: i64 = rusqlite::Connection::open(dir.path().join(ringer_store::DB_FILE_NAME))
        .and_then(|c| c.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0)))
        .expect("count sessions");
    assert_eq!(rows, 4, "2 live + 2 dead");
    Ok(())
}

#[test]
fn purge_drops_long_dead_sessions_only() -> Result<(), TokenError> {
    let (_dir, store) = with_alice();
    let retention_ms = u64::try_from(SESSION_RETENTION.as_millis()).expect("fits");
    let (old, old_exp) = store.create_session(&uid("alice"), &device("d"), T0, HOUR)?;
    let (young, _) = store.create_session(&uid("alice"), &device("d"), T0, 90 * DAY_MS_DURATION)?;
    assert_eq!(store.purge_sessions(old_exp + retention_ms - 1)?, 0);
    assert!(matches!(
        store.authenticate_token(&uid("alice"), &old, old_exp + 1),
        Err(TokenError::Expired)
    ));
    assert_eq!(store.purge_sessions(old_exp + retention_ms + 1)?, 1);
    // Forgotten now: an unknown token reads as revoked.
    assert!(matches!(
        store.authenticate_token(&uid("alice"), &old, old_exp + retention_ms + 2),
        Err(TokenError::Revoked)
    ));
    assert!(
        store
            .authenticate_token(&uid("alice"), &young, old_exp + retention_ms + 2)
            .is_ok()
    );
    Ok(())
}

const DAY_MS_DURATION: Duration = Duration::from_millis(DAY_MS);

#[test]
fn purge_drops_long_revoked_sessions() -> Result<(), TokenError> {
    let (_dir, store) = with_alice();
    // Revocation times come from the system clock; use a `now` far in the future of it.
    let far_future = u64::MAX / 2;
    let (tok, _) = store.create_session(
        &uid("alice"),
        &device("d"),
        T0,
        Duration::from_millis(far_future),
    )?;
    store.revoke_session(&tok)?;
    assert_eq!(store.purge_sessions(T0)?, 0);
    assert_eq!(store.purge_sessions(far_future)?, 1);
    Ok(())
}

#[test]
fn a_recent_token_signs_in_without_writing() -> Result<(), TokenError> {
    let (dir, store) = store();
    store.add_user(&uid("alice"), None, &pw("a"))?;
    let (tok, _) = store.create_session(&uid("alice"), &device("d"), T0, DAY)?;
    // Another connection on the file sees every commit of `store` as a data_version change.
    let watcher = reopen(&dir);
    let before = watcher.data_version()?;
    store.authenticate_token(&uid("alice"), &tok, T0 + 1)?;
    store.authenticate_token(&uid("alice"), &tok, T0 + LAST_USED_STEP_MS - 1)?;
    assert_eq!(
        watcher.data_version()?,
        before,
        "a sign-in within the step is a read"
    );
    store.authenticate_token(&uid("alice"), &tok, T0 + LAST_USED_STEP_MS)?;
    let marked = watcher.data_version()?;
    assert_ne!(marked, before, "a sign-in after the step records the use");
    store.authenticate_token(&uid("alice"), &tok, T0 + LAST_USED_STEP_MS + 1)?;
    assert_eq!(watcher.data_version()?, marked);
    Ok(())
}
