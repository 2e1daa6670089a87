//! Signing in and out: the stored token at start-up, the password sign-in, the sign-out, a
//! session the server stops accepting, and the refresh after every login.

use ringer_client::{Client, ClientConfig, Credentials};
use ringer_proto::{ClientName, DeviceId, Password, Status, Token, Uid};

use super::{Controller, Effect, Link, lock};
use crate::config_files::LastAccount;
use crate::error::AppError;
use crate::integration::Integration;
use crate::keyring_store;
use crate::payload::{
    CallDirection, CallRecord, Connection, ConnectionState, DirectoryEntry, Session, SessionState,
    UiEvent,
};

/// The client name the server logs.
const CLIENT_NAME: &str = concat!("ringer-app/", env!("CARGO_PKG_VERSION"));
/// How many history records the app shows.
pub(super) const HISTORY_LIMIT: u32 = 100;
/// The server's cap on presence subscriptions per device.
const MAX_SUBSCRIPTIONS: usize = 512;

impl<I: Integration> Controller<I> {
    /// Start-up: signs in with the stored token of the last account, if there is one.
    pub async fn start(&self) {
        tracing::info!("starting");
        let Some(account) = self.inner.files.last_account() else {
            self.signed_out(None);
            return;
        };
        let key = keyring_store::account(&account.uid, &account.server_url);
        let lookup = key.clone();
        let stored = self.blocking(move |i| i.load_secret(&lookup)).await;
        let token = match stored {
            Ok(Some(token)) => token,
            Ok(None) => {
                self.signed_out(None);
                return;
            }
            Err(error) => {
                self.signed_out(Some(error));
                return;
            }
        };
        let (Ok(uid), Ok(token)) = (Uid::new(account.uid.as_str()), Token::new(token)) else {
            // Nothing usable was stored; forget it.
            let _ = self.blocking(move |i| i.delete_secret(&key)).await;
            self.signed_out(None);
            return;
        };
        let generation = self.update(|st, _| {
            st.generation += 1;
            st.generation
        });
        let connected = self
            .connect(
                generation,
                &account.server_url,
                uid,
                Credentials::Token(token),
            )
            .await;
        match connected {
            Ok(session) => self.finish_sign_in(generation, session),
            Err(error) => {
                if is_auth(&error) {
                    let _ = self.blocking(move |i| i.delete_secret(&key)).await;
                }
                self.signed_out(Some(error));
            }
        }
    }

    /// Signs in with a password; only the session token it yields is kept, in the keyring.
    pub async fn sign_in(
        &self,
        server_url: String,
        uid: String,
        password: String,
    ) -> Result<(), AppError> {
        let server_url = server_url.trim().to_owned();
        let uid_text = uid.trim().to_owned();
        let generation = self.update(|st, fx| {
            st.generation += 1;
            st.session = Session {
                state: SessionState::SigningIn,
                server_url: Some(server_url.clone()),
                uid: Some(uid_text.clone()),
                display_name: None,
                status: None,
                error: None,
            };
            fx.emit(UiEvent::Session(st.session.clone()));
            st.generation
        });
        let result = self
            .sign_in_inner(generation, &server_url, &uid_text, password)
            .await;
        if let Err(error) = &result {
            self.signed_out(Some(error.clone()));
        }
        result
    }

    async fn sign_in_inner(
        &self,
        generation: u64,
        server_url: &str,
        uid: &str,
        password: String,
    ) -> Result<(), AppError> {
        check_server_url(server_url)?;
        let uid = Uid::new(uid).map_err(|e| AppError::invalid_argument(e.to_string()))?;
        if password.is_empty() {
            return Err(AppError::invalid_argument("the password is empty"));
        }
        let password =
            Password::new(password).map_err(|e| AppError::invalid_argument(e.to_string()))?;
        self.stop_client().await;
        let session = self
            .connect(
                generation,
                server_url,
                uid.clone(),
                Credentials::Password(password),
            )
            .await?;
        let Some(token) = session.token.clone() else {
            return Err(AppError::Protocol(
                "the server did not hand out a session token".into(),
            ));
        };
        let key = keyring_store::account(uid.as_str(), server_url);
        let secret = token.as_str().to_owned();
        if let Err(error) = self.blocking(move |i| i.store_secret(&key, &secret)).await {
            // The session works; only the next start will ask for the password again.
            tracing::warn!(%error, "cannot store the session token");
            self.inner.integration.emit(UiEvent::Error(error));
        }
        let last = LastAccount {
            server_url: server_url.to_owned(),
            uid: uid.as_str().to_owned(),
        };
        if let Err(error) = self.inner.files.save_last_account(&last) {
            tracing::warn!(%error, "cannot remember the account");
        }
        self.finish_sign_in(generation, session);
        Ok(())
    }

    /// Signs out: revokes the token server-side, deletes it from the keyring, forgets the
    /// calls.
    pub async fn sign_out(&self) -> Result<(), AppError> {
        let (link, account) = self.update(|st, _| {
            st.generation += 1;
            let account = st.session.uid.clone().zip(st.session.server_url.clone());
            (st.link.take(), account)
        });
        if let Some(link) = link {
            if let Err(error) = link.client.logout().await {
                // Offline: the token stays valid on the server until it expires, but this
                // device forgets it all the same.
                tracing::warn!(%error, "could not revoke the session token");
            }
            link.client.shutdown().await;
        }
        let deleted = match account {
            Some((uid, server_url)) => {
                let key = keyring_store::account(&uid, &server_url);
                self.blocking(move |i| i.delete_secret(&key)).await
            }
            None => Ok(()),
        };
        self.update(|st, fx| {
            st.clear_calls(fx);
            st.session = Session {
                state: SessionState::SignedOut,
                server_url: st.session.server_url.take(),
                uid: st.session.uid.take(),
                display_name: None,
                status: None,
                error: None,
            };
            st.connection = Connection {
                state: ConnectionState::Disconnected,
                reason: Some("logout".into()),
                retry_at: None,
            };
            fx.emit(UiEvent::Session(st.session.clone()));
            fx.emit(UiEvent::Connection(st.connection.clone()));
        });
        deleted
    }

    /// The server stopped accepting this session (token expired or revoked, account
    /// disabled): forget the token and go back to the sign-in view with the reason.
    pub(super) async fn lose_session(&self, generation: u64, error: AppError) {
        let (link, account) = self.update(|st, _| {
            if !st.generation_is(generation) {
                return (None, None);
            }
            st.generation += 1;
            let account = st.session.uid.clone().zip(st.session.server_url.clone());
            (st.link.take(), account)
        });
        let Some(link) = link else { return };
        link.client.shutdown().await;
        if let Some((uid, server_url)) = account {
            let key = keyring_store::account(&uid, &server_url);
            if let Err(error) = self.blocking(move |i| i.delete_secret(&key)).await {
                tracing::warn!(%error, "cannot delete the dead session token");
            }
        }
        self.signed_out(Some(error));
    }

    /// Spawns a client, waits until it is logged in or has failed, and keeps it on success.
    async fn connect(
        &self,
        generation: u64,
        server_url: &str,
        uid: Uid,
        credentials: Credentials,
    ) -> Result<ringer_client::Session, AppError> {
        let device = DeviceId::new(self.inner.files.device_id())
            .map_err(|e| AppError::Internal(format!("device id: {e}")))?;
        let mut config = ClientConfig::new(server_url, uid, device, credentials);
        config.client_name = ClientName::new(CLIENT_NAME).ok();
        let (client, events) = Client::spawn(config)?;
        let adopted = self.update(|st, _| {
            if st.generation != generation {
                return false;
            }
            st.link = Some(Link {
                client: client.clone(),
                generation,
            });
            true
        });
        if !adopted {
            client.shutdown().await;
            return Err(AppError::NotSignedIn);
        }
        self.spawn_events(generation, events);
        match client
            .wait_connected(self.inner.options.connect_timeout)
            .await
        {
            Ok(session) => Ok(session),
            Err(error) => {
                self.update(|st, _| {
                    if st.generation_is(generation) {
                        st.link = None;
                    }
                });
                client.shutdown().await;
                Err(AppError::from(error))
            }
        }
    }

    /// Shuts down the current client without revoking its token (a new sign-in replaces it).
    async fn stop_client(&self) {
        let link = lock(&self.inner.state).link.take();
        if let Some(link) = link {
            link.client.shutdown().await;
        }
    }

    fn finish_sign_in(&self, generation: u64, session: ringer_client::Session) {
        let signed_in = self.update(|st, fx| {
            if !st.generation_is(generation) {
                return false;
            }
            st.session.state = SessionState::SignedIn;
            st.session.uid = Some(session.uid.as_str().to_owned());
            st.session.display_name = Some(session.display_name.as_str().to_owned());
            st.session.status = Some(session.status);
            st.session.error = None;
            // A new sign-in (perhaps another account) sets its own baseline.
            st.dnd_misses.reset();
            st.connection = Connection {
                state: ConnectionState::Connected,
                reason: Some("login_success".into()),
                retry_at: None,
            };
            fx.emit(UiEvent::Session(st.session.clone()));
            fx.emit(UiEvent::Connection(st.connection.clone()));
            true
        });
        if signed_in {
            self.spawn_refresh(generation, session.call_waiting);
        }
    }

    /// Goes to the sign-in view, with `error` when it was not the user's own choice.
    fn signed_out(&self, error: Option<AppError>) {
        tracing::info!(?error, "signed out");
        self.update(|st, fx| {
            st.link = None;
            st.clear_calls(fx);
            st.session.state = SessionState::SignedOut;
            st.session.display_name = None;
            st.session.status = None;
            st.session.error = error;
            st.connection = Connection {
                state: ConnectionState::Disconnected,
                reason: None,
                retry_at: None,
            };
            fx.emit(UiEvent::Session(st.session.clone()));
            fx.emit(UiEvent::Connection(st.connection.clone()));
        });
    }

    /// After every login: the directory with presence, presence subscriptions, the history,
    /// and the call-waiting preference pushed to the server when it differs.
    pub(super) fn spawn_refresh(&self, generation: u64, server_call_waiting: bool) {
        let this = self.clone();
        tokio::spawn(async move {
            let Some(client) = this.client_of(generation) else {
                return;
            };
            this.refresh_directory(generation, &client).await;
            this.refresh_history(generation, &client).await;
            let (want, status) = {
                let st = lock(&this.inner.state);
                (
                    st.settings.call_waiting,
                    st.session.status.unwrap_or(Status::Available),
                )
            };
            if want != server_call_waiting
                && let Err(error) = client.set_status(status, Some(want)).await
            {
                tracing::warn!(%error, "cannot apply call waiting");
            }
        });
    }

    async fn refresh_directory(&self, generation: u64, client: &Client) {
        let users = match client.directory().await {
            Ok(users) => users,
            Err(error) => {
                tracing::warn!(%error, "cannot fetch the directory");
                self.inner
                    .integration
                    .emit(UiEvent::Error(AppError::from(error)));
                return;
            }
        };
        let own = lock(&self.inner.state).session.uid.clone();
        let uids: Vec<Uid> = users
            .iter()
            .map(|user| user.uid.clone())
            .filter(|uid| Some(uid.as_str()) != own.as_deref())
            .take(MAX_SUBSCRIPTIONS)
            .collect();
        let directory: Vec<DirectoryEntry> = users
            .into_iter()
            .map(|user| DirectoryEntry {
                uid: user.uid.into_string(),
                display_name: user.display_name.into_string(),
                presence: user.presence,
            })
            .collect();
        self.update(|st, fx| {
            if st.generation_is(generation) {
                st.directory = directory;
                fx.emit(UiEvent::Directory(st.directory.clone()));
            }
        });
        if uids.is_empty() {
            return;
        }
        match client.subscribe(uids).await {
            Ok(entries) => self.update(|st, fx| {
                if !st.generation_is(generation) {
                    return;
                }
                for entry in entries {
                    if let Some(known) = st
                        .directory
                        .iter_mut()
                        .find(|known| known.uid == entry.uid.as_str())
                    {
                        known.presence = entry.presence;
                    }
                }
                fx.emit(UiEvent::Directory(st.directory.clone()));
            }),
            Err(error) => tracing::warn!(%error, "cannot subscribe to presence"),
        }
    }

    pub(super) async fn refresh_history(&self, generation: u64, client: &Client) {
        match client.history(Some(HISTORY_LIMIT)).await {
            Ok(records) => self.update(|st, fx| {
                if st.generation_is(generation) {
                    st.history = records
                        .into_iter()
                        .map(|record| {
                            let peer_name = st
                                .directory
                                .iter()
                                .find(|e| e.uid == record.peer.as_str())
                                .map(|e| e.display_name.clone());
                            to_record(record, peer_name)
                        })
                        .collect();
                    fx.emit(UiEvent::History(st.history.clone()));
                    super::dnd::announce(st, fx);
                }
            }),
            Err(error) => tracing::warn!(%error, "cannot fetch the history"),
        }
    }

    /// Fetches the history again a moment after an invitation ended.
    pub(super) fn spawn_history_refresh(&self, generation: u64) {
        let this = self.clone();
        let delay = self.inner.options.history_delay;
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if let Some(client) = this.client_of(generation) {
                this.refresh_history(generation, &client).await;
            }
        });
    }

    /// Reacts to a refused login while signed in.
    pub(super) fn spawn_lose_session(&self, generation: u64, error: AppError) {
        let this = self.clone();
        tokio::spawn(async move { this.lose_session(generation, error).await });
    }

    /// Marks the missed-call badge seen.
    pub fn mark_missed_seen(&self) {
        self.update(|st, fx| {
            st.missed = 0;
            fx.emit(UiEvent::Missed(crate::payload::Missed { count: 0 }));
            fx.push(Effect::Badge(0));
        });
    }
}

/// A server-kept call record as the UI shows it.
pub(super) fn to_record(record: ringer_proto::CallRecord, peer_name: Option<String>) -> CallRecord {
    CallRecord {
        id: record.id.into_string(),
        peer: record.peer.into_string(),
        peer_name,
        direction: match record.direction {
            ringer_proto::Direction::Outgoing => CallDirection::Outgoing,
            ringer_proto::Direction::Incoming => CallDirection::Incoming,
        },
        outcome: record.outcome,
        reason: record.reason,
        missed: record.missed,
        started_at: record.started_at,
        answered_at: record.answered_at,
        ended_at: record.ended_at,
    }
}

/// A server URL must be `ws://` or `wss://` with a host.
fn check_server_url(url: &str) -> Result<(), AppError> {
    let rest = url
        .strip_prefix("wss://")
        .or_else(|| url.strip_prefix("ws://"))
        .ok_or_else(|| AppError::InvalidUrl(format!("{url:?} must start with ws:// or wss://")))?;
    if rest.is_empty() || rest.starts_with('/') || url.chars().any(char::is_whitespace) {
        return Err(AppError::InvalidUrl(format!("{url:?} has no host")));
    }
    Ok(())
}

/// True for the refusals that mean the stored token is dead.
fn is_auth(error: &AppError) -> bool {
    use ringer_proto::ErrorCode;
    matches!(
        error,
        AppError::Code {
            code: ErrorCode::BadCredentials
                | ErrorCode::TokenExpired
                | ErrorCode::TokenRevoked
                | ErrorCode::AccountDisabled,
            ..
        }
    )
}
