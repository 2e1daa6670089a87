//! The app's brain: owns the client driver, keeps the state the UI renders, and decides what the
//! desktop does (events, notifications, the incoming window, the keyring, links).
//!
//! It talks to the desktop only through an [`Integration`], so tests drive it against a
//! recorder and a real server. Every change goes through [`Controller::update`]: the state is
//! changed under its lock, and the resulting [`Effect`]s are applied after the lock is released,
//! in order, one update at a time, so whole-list events never arrive out of order.
//!
//! # Layout
//!
//! - `session.rs`: start-up with the stored token, sign-in, sign-out, losing the session, and
//!   the refresh after every login.
//! - `calls.rs`: the call commands (send, cancel, accept, refuse, silence, hang up, …).
//! - `events.rs`: what each engine event does.
//! - `dnd.rs`: calls the server refused as do-not-disturb, announced once DND is over.
//! - `links.rs`: meeting links and `ringer://` deep links.

mod calls;
mod dnd;
mod events;
pub mod links;
mod session;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ringer_client::Client;

use crate::config_files::ConfigFiles;
use crate::error::AppError;
use crate::integration::{Integration, Notice};
use crate::payload::{
    AppState, Call, CallDirection, CallRecord, Connection, ConnectionState, DirectoryEntry,
    IncomingCall, Missed, OutgoingCall, Session, SessionState, Settings, UiEvent,
};

/// Timing knobs; tests shorten them.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long a sign-in waits for the server's verdict.
    pub connect_timeout: Duration,
    /// How long after an invitation ended the history is fetched again (the server writes its
    /// record off the signaling path).
    pub history_delay: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            connect_timeout: Duration::from_secs(20),
            history_delay: Duration::from_millis(400),
        }
    }
}

/// The app's controller; cheap to clone (all clones share one state).
pub struct Controller<I: Integration> {
    inner: Arc<Inner<I>>,
}

impl<I: Integration> Clone for Controller<I> {
    fn clone(&self) -> Self {
        Controller {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<I> {
    integration: Arc<I>,
    files: ConfigFiles,
    options: Options,
    state: Mutex<State>,
    /// Held while an update's effects are applied, so they apply in update order.
    order: Mutex<()>,
}

/// What the controller knows about one invitation, whichever side it is on.
#[derive(Debug, Clone)]
struct Meta {
    peer: String,
    peer_name: String,
    direction: CallDirection,
    channel: Option<String>,
}

/// The running client and which sign-in it belongs to.
#[derive(Clone)]
struct Link {
    client: Client,
    generation: u64,
}

struct State {
    session: Session,
    connection: Connection,
    directory: Vec<DirectoryEntry>,
    outgoing: Vec<OutgoingCall>,
    incoming: Vec<IncomingCall>,
    calls: Vec<Call>,
    history: Vec<CallRecord>,
    missed: u32,
    /// Which calls refused as do-not-disturb this sign-in has accounted for.
    dnd_misses: dnd::DndMisses,
    settings: Settings,
    invitations: HashMap<String, Meta>,
    link: Option<Link>,
    /// Bumped on every sign-in and sign-out; events of older clients are ignored.
    generation: u64,
}

/// Something to do outside the state lock.
#[derive(Debug)]
enum Effect {
    Emit(UiEvent),
    Notify(Notice),
    Withdraw(String),
    OpenWindow(String),
    CloseWindow(String),
    OpenUrl(String),
    Badge(u32),
}

/// The effects one update produces.
#[derive(Debug, Default)]
struct Effects(Vec<Effect>);

impl Effects {
    fn push(&mut self, effect: Effect) {
        self.0.push(effect);
    }

    fn emit(&mut self, event: UiEvent) {
        self.0.push(Effect::Emit(event));
    }
}

impl<I: Integration> Controller<I> {
    /// A controller with the settings stored in `files`; nobody is signed in until
    /// [`Controller::start`] or [`Controller::sign_in`].
    pub fn new(integration: Arc<I>, files: ConfigFiles, options: Options) -> Self {
        let settings = files.settings();
        let last = files.last_account();
        let state = State {
            session: Session {
                state: SessionState::Starting,
                server_url: last.as_ref().map(|a| a.server_url.clone()),
                uid: last.map(|a| a.uid),
                display_name: None,
                status: None,
                error: None,
            },
            connection: Connection {
                state: ConnectionState::Disconnected,
                reason: None,
                retry_at: None,
            },
            directory: Vec::new(),
            outgoing: Vec::new(),
            incoming: Vec::new(),
            calls: Vec::new(),
            history: Vec::new(),
            missed: 0,
            dnd_misses: dnd::DndMisses::default(),
            settings,
            invitations: HashMap::new(),
            link: None,
            generation: 0,
        };
        Controller {
            inner: Arc::new(Inner {
                integration,
                files,
                options,
                state: Mutex::new(state),
                order: Mutex::new(()),
            }),
        }
    }

    /// The integration this controller drives.
    pub fn integration(&self) -> &Arc<I> {
        &self.inner.integration
    }

    /// Everything a freshly opened window needs.
    pub fn app_state(&self) -> AppState {
        let st = lock(&self.inner.state);
        AppState {
            session: st.session.clone(),
            connection: st.connection.clone(),
            directory: st.directory.clone(),
            outgoing: st.outgoing.clone(),
            incoming: st.incoming.clone(),
            calls: st.calls.clone(),
            missed: Missed { count: st.missed },
            settings: st.settings.clone(),
        }
    }

    /// Changes the state with `change`, then applies the effects it queued.
    fn update<R>(&self, change: impl FnOnce(&mut State, &mut Effects) -> R) -> R {
        let _order = lock(&self.inner.order);
        let mut effects = Effects::default();
        let result = change(&mut lock(&self.inner.state), &mut effects);
        for effect in effects.0 {
            self.apply(effect);
        }
        result
    }

    fn apply(&self, effect: Effect) {
        let integration = &self.inner.integration;
        match effect {
            Effect::Emit(event) => integration.emit(event),
            Effect::Notify(notice) => integration.notify(notice),
            Effect::Withdraw(id) => integration.withdraw(&id),
            Effect::OpenWindow(id) => {
                if !integration.open_incoming_window(&id) {
                    // The main window shows the call instead.
                    let incoming = {
                        let mut st = lock(&self.inner.state);
                        st.incoming
                            .iter_mut()
                            .filter(|call| call.id == id)
                            .for_each(|call| call.popup = false);
                        st.incoming.clone()
                    };
                    integration.emit(UiEvent::Incoming(incoming));
                }
            }
            Effect::CloseWindow(id) => integration.close_incoming_window(&id),
            Effect::OpenUrl(url) => {
                if let Err(error) = integration.open_url(&url) {
                    tracing::warn!(%error, %url, "cannot open the meeting link");
                    integration.emit(UiEvent::Error(AppError::Internal(format!(
                        "cannot open {url}: {error}"
                    ))));
                }
            }
            Effect::Badge(count) => integration.set_badge(count),
        }
    }

    /// The running client, when signed in.
    fn client(&self) -> Result<Client, AppError> {
        let st = lock(&self.inner.state);
        match (&st.link, st.session.state) {
            (Some(link), SessionState::SignedIn) => Ok(link.client.clone()),
            (Some(_) | None, _) => Err(AppError::NotSignedIn),
        }
    }

    /// The running client if it still belongs to sign-in `generation`.
    fn client_of(&self, generation: u64) -> Option<Client> {
        let st = lock(&self.inner.state);
        st.link
            .as_ref()
            .filter(|link| link.generation == generation)
            .map(|link| link.client.clone())
    }

    /// Runs a blocking integration call (the keyring) off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&I) -> Result<T, String> + Send + 'static,
    ) -> Result<T, AppError> {
        let integration = Arc::clone(&self.inner.integration);
        tokio::task::spawn_blocking(move || work(&integration))
            .await
            .map_err(|error| AppError::Keyring(format!("keyring task failed: {error}")))?
            .map_err(AppError::Keyring)
    }
}

impl State {
    fn peer_name(&self, uid: &str) -> String {
        self.directory
            .iter()
            .find(|entry| entry.uid == uid)
            .map_or_else(|| uid.to_owned(), |entry| entry.display_name.clone())
    }

    fn in_call(&self) -> bool {
        self.calls
            .iter()
            .any(|call| call.state == crate::payload::CallState::Active)
    }

    fn generation_is(&self, generation: u64) -> bool {
        self.link
            .as_ref()
            .is_some_and(|link| link.generation == generation)
    }

    /// Stops every ringing invitation and forgets the calls, as after a sign-out.
    fn clear_calls(&mut self, fx: &mut Effects) {
        for call in self.incoming.drain(..) {
            fx.push(Effect::Withdraw(call.id.clone()));
            fx.push(Effect::CloseWindow(call.id));
        }
        self.outgoing.clear();
        self.calls.clear();
        self.history.clear();
        self.directory.clear();
        self.invitations.clear();
        self.dnd_misses.reset();
        fx.emit(UiEvent::Incoming(Vec::new()));
        fx.emit(UiEvent::Outgoing(Vec::new()));
        fx.emit(UiEvent::Calls(Vec::new()));
        fx.emit(UiEvent::Directory(Vec::new()));
        fx.emit(UiEvent::History(Vec::new()));
        if self.missed != 0 {
            self.missed = 0;
            fx.emit(UiEvent::Missed(Missed { count: 0 }));
            fx.push(Effect::Badge(0));
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Local epoch milliseconds.
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}
