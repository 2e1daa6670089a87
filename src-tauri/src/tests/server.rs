//! A real ringer-server on 127.0.0.1:0 with a few users, and raw clients for the other side.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ringer_client::{Client, ClientConfig, Credentials, Event, EventStream};
use ringer_proto::{DeviceId, DisplayName, Password, Uid};
use ringer_server::{ServerConfig, ServerHandle};
use ringer_store::{Store, StoreOptions};
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

use super::recorder::{PATIENCE, Recorder};
use crate::config_files::ConfigFiles;
use crate::controller::{Controller, Options};

/// Every test user's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// The users: uid and display name.
const USERS: &[(&str, &str)] = &[
    ("alice", "Alice Martin"),
    ("bob", "Bob Stone"),
    ("carol", "Carol King"),
];

pub struct TestServer {
    _handle: ServerHandle,
    _dir: TempDir,
    pub url: String,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    pub async fn start_with(configure: impl FnOnce(&mut ServerConfig)) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary data directory");
        add_users(dir.path());
        let listen = "127.0.0.1:0".parse().expect("valid address");
        let mut config = ServerConfig::with_defaults(listen, dir.path().to_owned())
            .expect("the defaults are valid");
        config.store = StoreOptions::insecure_for_tests();
        configure(&mut config);
        let handle = ringer_server::serve(config, CancellationToken::new())
            .await
            .expect("the server starts");
        let url = handle.url();
        TestServer {
            _handle: handle,
            _dir: dir,
            url,
        }
    }

    /// Stops the server (its clients are told, then disconnected); the address stays unused.
    pub async fn shutdown(self) {
        self._handle.shutdown().await;
    }

    /// A raw client signed in as `uid` on `device`, with its event stream.
    pub async fn client(&self, uid: &str, device: &str) -> Peer {
        let config = ClientConfig::new(
            self.url.clone(),
            Uid::new(uid).expect("valid uid"),
            DeviceId::new(device).expect("valid device id"),
            Credentials::Password(Password::new(PASSWORD).expect("valid password")),
        );
        let (client, events) = Client::spawn(config).expect("the client starts");
        client
            .wait_connected(PATIENCE)
            .await
            .expect("the peer signs in");
        Peer { client, events }
    }

    /// A controller over a recorder and a fresh config directory.
    pub fn controller(&self) -> App {
        App::new(
            Arc::new(Recorder::new()),
            tempfile::tempdir().expect("temp dir"),
        )
    }
}

fn add_users(dir: &Path) {
    let store = Store::open_with(dir, StoreOptions::insecure_for_tests()).expect("open the store");
    let password = Password::new(PASSWORD).expect("valid password");
    for (uid, name) in USERS {
        let name = DisplayName::new(*name).expect("valid name");
        store
            .add_user(&Uid::new(*uid).expect("valid uid"), Some(&name), &password)
            .expect("add a test user");
    }
}

/// A controller with its recorder and config directory.
pub struct App {
    pub ctl: Controller<Recorder>,
    pub rec: Arc<Recorder>,
    pub dir: TempDir,
}

impl App {
    pub fn new(rec: Arc<Recorder>, dir: TempDir) -> App {
        let options = Options {
            connect_timeout: PATIENCE,
            history_delay: Duration::from_millis(20),
        };
        let ctl = Controller::new(
            Arc::clone(&rec),
            ConfigFiles::new(dir.path().to_owned()),
            options,
        );
        App { ctl, rec, dir }
    }

    /// Waits until every effect of earlier updates has been applied (updates apply in order).
    pub fn settle(&self) {
        self.ctl.dismiss("no-such-id");
    }

    pub async fn sign_in(&self, url: &str, uid: &str) {
        self.ctl
            .sign_in(url.to_owned(), uid.to_owned(), PASSWORD.to_owned())
            .await
            .expect("the app signs in");
    }
}

/// A raw client of the other party.
pub struct Peer {
    pub client: Client,
    pub events: EventStream,
}

impl Peer {
    /// Waits for an event `find` picks out, skipping the others.
    pub async fn wait_for<T>(&mut self, what: &str, find: impl Fn(&Event) -> Option<T>) -> T {
        let found = tokio::time::timeout(PATIENCE, async {
            while let Some(event) = self.events.next().await {
                if let Some(found) = find(&event) {
                    return Some(found);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(found)) => found,
            Ok(None) => panic!("the peer's client ended before {what}"),
            Err(_) => panic!("the peer never saw {what}"),
        }
    }
}
