use ringer_store::StoreError;

use crate::{name, pw, store, uid};

#[test]
fn add_then_list_sorted_with_default_display_name() -> Result<(), StoreError> {
    let (_dir, store) = store();
    store.add_user(&uid("bob"), None, &pw("b"))?;
    store.add_user(&uid("alice"), Some(&name("Alice Example")), &pw("a"))?;
    let users = store.list_users()?;
    let summary: Vec<_> = users
        .iter()
        .map(|u| (u.uid.as_str(), u.display_name.as_str(), u.enabled))
        .collect();
    assert_eq!(
        summary,
        [("alice", "Alice Example", true), ("bob", "bob", true)]
    );
    assert!(users.iter().all(|u| u.created_at > 0));
    assert!(users.iter().all(|u| u.last_login_at.is_none()));
    Ok(())
}

#[test]
fn duplicate_uid_is_refused_and_keeps_the_first() -> Result<(), StoreError> {
    let (_dir, store) = store();
    store.add_user(&uid("alice"), Some(&name("First")), &pw("one"))?;
    let err = store.add_user(&uid("alice"), Some(&name("Second")), &pw("two"));
    assert!(matches!(err, Err(StoreError::UserExists(ref u)) if u.as_str() == "alice"));
    let users = store.list_users()?;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].display_name.as_str(), "First");
    assert!(store.verify_login(&uid("alice"), &pw("one"), 1).is_ok());
    Ok(())
}

#[test]
fn disable_and_enable() -> Result<(), StoreError> {
    let (_dir, store) = store();
    store.add_user(&uid("alice"), None, &pw("a"))?;
    store.disable_user(&uid("alice"))?;
    store.disable_user(&uid("alice"))?; // idempotent
    assert!(!store.list_users()?[0].enabled);
    let account = store.account(&uid("alice"))?.expect("account exists");
    assert!(!account.enabled);
    store.enable_user(&uid("alice"))?;
    assert!(store.list_users()?[0].enabled);
    Ok(())
}

#[test]
fn remove_deletes_the_account() -> Result<(), StoreError> {
    let (_dir, store) = store();
    store.add_user(&uid("alice"), None, &pw("a"))?;
    store.add_user(&uid("bob"), None, &pw("b"))?;
    store.remove_user(&uid("alice"))?;
    let uids: Vec<_> = store.list_users()?.into_iter().map(|u| u.uid).collect();
    assert_eq!(uids, [uid("bob")]);
    assert_eq!(store.account(&uid("alice"))?, None);
    // The uid is free again.
    store.add_user(&uid("alice"), None, &pw("new"))?;
    Ok(())
}

#[test]
fn unknown_uid_is_an_error_for_every_admin_operation() {
    let (_dir, store) = store();
    let ghost = uid("ghost");
    let unknown =
        |r: Result<(), StoreError>| matches!(r, Err(StoreError::UnknownUser(ref u)) if *u == ghost);
    assert!(unknown(store.disable_user(&ghost)));
    assert!(unknown(store.enable_user(&ghost)));
    assert!(unknown(store.remove_user(&ghost)));
    assert!(unknown(store.set_password(&ghost, &pw("x"))));
    assert!(unknown(store.set_display_name(&ghost, &name("X"))));
    assert!(matches!(
        store.revoke_all(&ghost),
        Err(StoreError::UnknownUser(_))
    ));
}

#[test]
fn set_password_replaces_the_old_one() -> Result<(), StoreError> {
    let (_dir, store) = store();
    store.add_user(&uid("alice"), None, &pw("old"))?;
    store.set_password(&uid("alice"), &pw("new"))?;
    assert!(store.verify_login(&uid("alice"), &pw("new"), 1).is_ok());
    assert!(store.verify_login(&uid("alice"), &pw("old"), 1).is_err());
    Ok(())
}

#[test]
fn set_display_name_and_load_accounts() -> Result<(), StoreError> {
    let (_dir, store) = store();
    store.add_user(&uid("bob"), None, &pw("b"))?;
    store.add_user(&uid("alice"), None, &pw("a"))?;
    store.disable_user(&uid("bob"))?;
    store.set_display_name(&uid("alice"), &name("Alice Ä"))?;
    let accounts = store.load_accounts()?;
    let summary: Vec<_> = accounts
        .iter()
        .map(|a| (a.uid.as_str(), a.display_name.as_str(), a.enabled))
        .collect();
    assert_eq!(summary, [("alice", "Alice Ä", true), ("bob", "bob", false)]);
    Ok(())
}

#[test]
fn uids_with_punctuation_are_stored_verbatim() -> Result<(), StoreError> {
    let (_dir, store) = store();
    let odd = uid("x); DROP TABLE users; --");
    store.add_user(&odd, None, &pw("p"))?;
    assert_eq!(store.list_users()?[0].uid, odd);
    Ok(())
}
