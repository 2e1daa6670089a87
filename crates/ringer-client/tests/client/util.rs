//! Shared helpers: a real server on 127.0.0.1:0 with test users, and client construction.

use std::path::Path;
use std::time::Duration;

use ringer_client::{Client, ClientConfig, Credentials, Event, EventStream};
use ringer_proto::{DeviceId, InvitationId, Password, Uid};
use ringer_server::{ServerConfig, ServerHandle};
use ringer_store::{Store, StoreOptions};
use tempfile::TempDir;
use tokio_util::sync::CancellationToken;

/// How long a test waits for something that should happen promptly; a guard against hangs, not
/// a timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Every test user's password.
pub const PASSWORD: &str = "correct horse battery staple";

pub fn uid(s: &str) -> Uid {
    Uid::new(s).expect("valid uid")
}

pub fn device(s: &str) -> DeviceId {
    DeviceId::new(s).expect("valid device id")
}

pub fn invitation_id(s: &str) -> InvitationId {
    InvitationId::new(s).expect("valid invitation id")
}

pub fn password() -> Credentials {
    Credentials::Password(Password::new(PASSWORD).expect("valid password"))
}

/// A client configuration for `user` on `url` with the test password and a fixed backoff seed.
pub fn config(url: &str, user: &str, device_id: &str) -> ClientConfig {
    let mut config = ClientConfig::new(url, uid(user), device(device_id), password());
    config.backoff_seed = Some(7);
    config
}

/// A real server with its data directory.
pub struct TestServer {
    pub handle: Option<ServerHandle>,
    pub dir: TempDir,
    pub url: String,
}

impl TestServer {
    pub async fn start(users: &[&str]) -> TestServer {
        let dir = tempfile::tempdir().expect("a temporary data directory");
        TestServer::start_in(dir, users).await
    }

    /// A server on a data directory that may already hold users (a restart).
    pub async fn start_in(dir: TempDir, users: &[&str]) -> TestServer {
        TestServer::start_with(dir, users, |_| {}).await
    }

    /// Like [`TestServer::start_in`], with `configure` applied to the configuration.
    pub async fn start_with(
        dir: TempDir,
        users: &[&str],
        configure: impl FnOnce(&mut ServerConfig),
    ) -> TestServer {
        add_users(dir.path(), users);
        let listen = "127.0.0.1:0".parse().expect("valid address");
        let mut config = ServerConfig::with_defaults(listen, dir.path().to_owned())
            .expect("the defaults are valid");
        config.store = StoreOptions::insecure_for_tests();
        config.limits.account_poll_interval = Duration::from_millis(50);
        configure(&mut config);
        let handle = ringer_server::serve(config, CancellationToken::new())
            .await
            .expect("the server starts");
        let url = handle.url();
        TestServer {
            handle: Some(handle),
            dir,
            url,
        }
    }

    /// Stops the server, keeping its data directory.
    pub async fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            tokio::time::timeout(PATIENCE, handle.shutdown())
                .await
                .expect("the server stops");
        }
    }
}

fn add_users(dir: &Path, users: &[&str]) {
    let store =
        Store::open_with(dir, StoreOptions::insecure_for_tests()).expect("open the test store");
    let password = Password::new(PASSWORD).expect("valid password");
    for name in users {
        store
            .add_user(&uid(name), None, &password)
            .expect("add a test user");
    }
}

/// Spawns a client and waits until it is signed in.
pub async fn signed_in(config: ClientConfig) -> (Client, EventStream) {
    let (client, events) = Client::spawn(config).expect("a valid configuration");
    client
        .wait_connected(PATIENCE)
        .await
        .expect("the client signs in");
    (client, events)
}

/// Reads events until one matches, failing the test if the stream ends or stalls.
pub async fn next_matching(events: &mut EventStream, want: impl Fn(&Event) -> bool) -> Event {
    let found = tokio::time::timeout(PATIENCE, async {
        while let Some(event) = events.next().await {
            if want(&event) {
                return Some(event);
            }
        }
        None
    })
    .await
    .expect("the event arrives in time");
    found.expect("the event stream ended before the event arrived")
}
