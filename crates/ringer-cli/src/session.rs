//! Signing in for one run: choosing credentials, starting the client, waiting for the server.

use std::io::{self, BufRead, IsTerminal};
use std::time::Duration;

use ringer_client::{Client, ClientConfig, Credentials, EventStream, Session};
use ringer_proto::{ClientName, Password, Uid};

use crate::cli::GlobalArgs;
use crate::device::{Role, device_id};
use crate::error::CliError;
use crate::token_store;

/// How long a command waits for the server to let it in.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// A signed-in client for one command.
pub struct Connected {
    /// The client handle.
    pub client: Client,
    /// Its events.
    pub events: EventStream,
    /// Who we are signed in as.
    pub session: Session,
}

/// The `--user` uid, validated.
pub fn user(global: &GlobalArgs) -> Result<Uid, CliError> {
    let uid = global
        .user
        .as_deref()
        .ok_or_else(|| CliError::Usage("--user UID is required (or set RINGER_USER)".to_owned()))?;
    Uid::new(uid).map_err(|e| CliError::Usage(format!("--user: {e}")))
}

/// The password: typed after a prompt, unechoed, when standard input is a terminal (see
/// `prompt.rs`), or else the first line of standard input.
pub fn read_password() -> Result<Password, CliError> {
    let stdin = io::stdin();
    if stdin.is_terminal() {
        return crate::prompt::read_hidden_password();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    Password::new(password).map_err(|e| CliError::Usage(format!("password: {e}")))
}

/// The credentials for a command other than `login`: the password from standard input with
/// `--password-stdin`, else the stored token.
pub async fn credentials(global: &GlobalArgs, uid: &Uid) -> Result<Credentials, CliError> {
    if global.password_stdin {
        return Ok(Credentials::Password(read_password()?));
    }
    match token_store::load(uid, &global.server).await {
        Ok(Some(token)) => Ok(Credentials::Token(token)),
        Ok(None) => Err(CliError::NotLoggedIn(String::new())),
        Err(error) => Err(CliError::NotLoggedIn(format!(" ({error})"))),
    }
}

/// Starts a client as the device for `role` and waits until it is signed in.
pub async fn connect(
    global: &GlobalArgs,
    uid: Uid,
    credentials: Credentials,
    role: Role,
) -> Result<Connected, CliError> {
    let device = device_id(global.device_id.as_deref(), role)?;
    let mut config = ClientConfig::new(global.server.clone(), uid, device, credentials);
    config.client_name = ClientName::new(format!("ringer-cli {}", env!("CARGO_PKG_VERSION"))).ok();
    if let Some(path) = &global.ca_cert {
        let pem = std::fs::read(path)
            .map_err(|e| CliError::Usage(format!("--ca-cert {}: {e}", path.display())))?;
        config.tls.extra_ca_pem = Some(pem);
    }
    let (client, events) = Client::spawn(config)?;
    match client.wait_connected(CONNECT_TIMEOUT).await {
        Ok(session) => Ok(Connected {
            client,
            events,
            session,
        }),
        Err(error) => {
            client.shutdown().await;
            Err(error.into())
        }
    }
}

/// Signs in for a command other than `login`/`logout`.
pub async fn sign_in(global: &GlobalArgs, role: Role) -> Result<Connected, CliError> {
    let uid = user(global)?;
    let credentials = credentials(global, &uid).await?;
    connect(global, uid, credentials, role).await
}
