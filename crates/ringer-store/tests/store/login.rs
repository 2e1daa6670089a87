use ringer_store::{LoginError, StoreError};

use crate::{T0, name, pw, store, uid};

#[test]
fn right_password_returns_the_account_and_records_the_login() -> Result<(), StoreError> {
    let (_dir, store) = store();
    store.add_user(&uid("alice"), Some(&name("Alice")), &pw("s3cret"))?;
    let account = store
        .verify_login(&uid("alice"), &pw("s3cret"), T0)
        .expect("right password logs in");
    assert_eq!(account.uid, uid("alice"));
    assert_eq!(account.display_name, name("Alice"));
    assert!(account.enabled);
    assert_eq!(store.list_users()?[0].last_login_at, Some(T0));
    Ok(())
}

#[test]
fn wrong_password_and_unknown_uid_are_the_same_error() -> Result<(), StoreError> {
    let (_dir, store) = store();
    store.add_user(&uid("alice"), None, &pw("s3cret"))?;
    let wrong = store.verify_login(&uid("alice"), &pw("S3cret"), T0);
    let unknown = store.verify_login(&uid("mallory"), &pw("s3cret"), T0);
    let unknown_again = store.verify_login(&uid("mallory"), &pw("s3cret"), T0);
    assert!(matches!(wrong, Err(LoginError::BadCredentials)));
    assert!(matches!(unknown, Err(LoginError::BadCredentials)));
    assert!(matches!(unknown_again, Err(LoginError::BadCredentials)));
    assert_eq!(
        wrong.err().map(|e| e.to_string()),
        unknown.err().map(|e| e.to_string())
    );
    assert_eq!(store.list_users()?[0].last_login_at, None);
    Ok(())
}

#[test]
fn disabled_account_is_told_only_with_the_right_password() -> Result<(), StoreError> {
    let (_dir, store) = store();
    store.add_user(&uid("alice"), None, &pw("s3cret"))?;
    store.disable_user(&uid("alice"))?;
    assert!(matches!(
        store.verify_login(&uid("alice"), &pw("s3cret"), T0),
        Err(LoginError::AccountDisabled)
    ));
    assert!(matches!(
        store.verify_login(&uid("alice"), &pw("wrong"), T0),
        Err(LoginError::BadCredentials)
    ));
    store.enable_user(&uid("alice"))?;
    assert!(store.verify_login(&uid("alice"), &pw("s3cret"), T0).is_ok());
    Ok(())
}

#[test]
fn production_cost_hashes_verify() -> Result<(), StoreError> {
    // One real OWASP-cost hash, so that the production setting is exercised end to end.
    let dir = tempfile::tempdir().expect("temp dir");
    let store = ringer_store::Store::open(dir.path())?;
    store.add_user(&uid("alice"), None, &pw("s3cret"))?;
    assert!(store.verify_login(&uid("alice"), &pw("s3cret"), T0).is_ok());
    let phc: String = rusqlite::Connection::open(crate::db_path(&dir))
        .and_then(|c| c.query_row("SELECT password_hash FROM users", [], |r| r.get(0)))
        .expect("read hash");
    assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    Ok(())
}

#[test]
fn a_hash_made_with_another_cost_still_verifies() -> Result<(), StoreError> {
    // Changing the configured cost must never lock existing users out.
    let dir = tempfile::tempdir().expect("temp dir");
    let cheap = ringer_store::Store::open_with(
        dir.path(),
        ringer_store::StoreOptions::insecure_for_tests(),
    )?;
    cheap.add_user(&uid("alice"), None, &pw("s3cret"))?;
    drop(cheap);
    let other = ringer_store::Store::open_with(
        dir.path(),
        ringer_store::StoreOptions {
            password_cost: ringer_store::PasswordCost {
                memory_kib: 64,
                iterations: 1,
                parallelism: 1,
            },
            ..ringer_store::StoreOptions::default()
        },
    )?;
    assert!(other.verify_login(&uid("alice"), &pw("s3cret"), T0).is_ok());
    assert!(matches!(
        other.verify_login(&uid("nobody"), &pw("s3cret"), T0),
        Err(LoginError::BadCredentials)
    ));
    Ok(())
}
