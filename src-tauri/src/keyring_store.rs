//! The OS credential store (the Secret Service on Linux) through the `keyring` crate: service
//! `ringer-app`, account `<uid>@<server url>`. Only session tokens are stored here.

/// The keyring service name. Not the CLI's (`ringer`): signing out of the app must not revoke
/// the CLI's session.
pub const SERVICE: &str = "ringer-app";

/// The keyring account for a uid on a server.
pub fn account(uid: &str, server_url: &str) -> String {
    format!("{uid}@{server_url}")
}

/// The secret stored for `account`, if any.
pub fn load(account: &str) -> Result<Option<String>, String> {
    let entry = entry(account)?;
    match entry.get_password() {
        Ok(secret) => Ok(Some(secret)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(error) => Err(error.to_string()),
    }
}

/// Stores `secret` for `account`.
pub fn store(account: &str, secret: &str) -> Result<(), String> {
    entry(account)?
        .set_password(secret)
        .map_err(|error| error.to_string())
}

/// Deletes the secret of `account`; fine when there is none.
pub fn delete(account: &str) -> Result<(), String> {
    match entry(account)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(error) => Err(error.to_string()),
    }
}

fn entry(account: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(SERVICE, account).map_err(|error| error.to_string())
}
