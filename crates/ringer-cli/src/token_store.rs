//! The session token in the OS keyring (the Secret Service on Linux): service `ringer`, account
//! `<uid>@<server url>`. The password is never stored.

use ringer_proto::{Token, Uid};

use crate::error::CliError;

/// The keyring service name.
pub const SERVICE: &str = "ringer";

/// The keyring account name for a uid on a server.
pub fn account(uid: &Uid, server: &str) -> String {
    format!("{uid}@{server}")
}

/// The stored token, if any.
pub async fn load(uid: &Uid, server: &str) -> Result<Option<Token>, CliError> {
    let account = account(uid, server);
    blocking(move || {
        let entry = keyring::Entry::new(SERVICE, &account).map_err(keyring_error)?;
        match entry.get_password() {
            Ok(text) => Token::new(text)
                .map(Some)
                .map_err(|e| CliError::Keyring(format!("stored token is invalid: {e}"))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(keyring_error(error)),
        }
    })
    .await
}

/// Stores the token, replacing any earlier one.
pub async fn save(uid: &Uid, server: &str, token: &Token) -> Result<(), CliError> {
    let account = account(uid, server);
    let token = token.as_str().to_owned();
    blocking(move || {
        let entry = keyring::Entry::new(SERVICE, &account).map_err(keyring_error)?;
        entry.set_password(&token).map_err(keyring_error)
    })
    .await
}

/// Deletes the stored token; `false` when there was none.
pub async fn delete(uid: &Uid, server: &str) -> Result<bool, CliError> {
    let account = account(uid, server);
    blocking(move || {
        let entry = keyring::Entry::new(SERVICE, &account).map_err(keyring_error)?;
        match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(keyring_error(error)),
        }
    })
    .await
}

fn keyring_error(error: keyring::Error) -> CliError {
    // The keyring crate's own words ("no default store has been set") name its internals, not
    // the missing service, nor the way around it.
    let keyring::Error::NoDefaultStore = error else {
        return CliError::Keyring(error.to_string());
    };
    let cause = match keyring::Entry::store_status() {
        Err(cause) => format!(": {cause}"),
        Ok(()) => String::new(),
    };
    CliError::Keyring(format!(
        "no OS keyring is available to keep the session token (on Linux: a Secret Service, such \
         as GNOME Keyring or KWallet, on the D-Bus session bus{cause}); without one, give every \
         command --password-stdin instead of logging in"
    ))
}

/// The keyring talks D-Bus synchronously; keep it off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CliError> + Send + 'static,
) -> Result<T, CliError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CliError::Keyring(format!("keyring task failed: {e}")))?
}
