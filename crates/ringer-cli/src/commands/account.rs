//! `login` and `logout`.

use ringer_client::{ClientError, Credentials, Event};

use super::Outcome;
use crate::cli::GlobalArgs;
use crate::device::Role;
use crate::error::CliError;
use crate::output::{Line, Printer};
use crate::session::{connect, read_password, user};
use crate::token_store;

/// Logs in with the password from standard input and stores the session token.
pub async fn login(global: &GlobalArgs, printer: &mut Printer) -> Result<Outcome, CliError> {
    let uid = user(global)?;
    let password = read_password()?;
    let connected = connect(
        global,
        uid.clone(),
        Credentials::Password(password),
        Role::OneShot,
    )
    .await?;
    let session = connected.session;
    let Some(token) = session.token.clone() else {
        connected.client.shutdown().await;
        return Err(CliError::Client(ClientError::UnexpectedReply(
            "the server's welcome carried no session token".to_owned(),
        )));
    };
    if let Err(error) = token_store::save(&uid, &global.server, &token).await {
        // A token nobody can find again should not stay valid on the server.
        let _ = connected.client.logout().await;
        connected.client.shutdown().await;
        return Err(error);
    }
    printer.event(&Event::LoggedIn {
        uid: session.uid,
        display_name: session.display_name,
        token: None,
        token_expires_at: session.token_expires_at,
        status: session.status,
        call_waiting: session.call_waiting,
    })?;
    connected.client.shutdown().await;
    Ok(Outcome::Success)
}

/// Revokes the stored token on the server and deletes it from the keyring. A token the server
/// already refuses (expired, revoked) is just deleted.
pub async fn logout(global: &GlobalArgs, printer: &mut Printer) -> Result<Outcome, CliError> {
    let uid = user(global)?;
    let token = match token_store::load(&uid, &global.server).await? {
        Some(token) => token,
        None => return Err(CliError::NotLoggedIn(String::new())),
    };
    match connect(
        global,
        uid.clone(),
        Credentials::Token(token),
        Role::OneShot,
    )
    .await
    {
        Ok(connected) => {
            let revoked = connected.client.logout().await;
            connected.client.shutdown().await;
            revoked?;
        }
        Err(CliError::TokenExpired | CliError::TokenRevoked) => {}
        Err(error) => return Err(error),
    }
    token_store::delete(&uid, &global.server).await?;
    printer.print(&Line::LoggedOut { uid: &uid })?;
    Ok(Outcome::Success)
}
