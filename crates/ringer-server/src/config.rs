//! The server's configuration: every timer and limit, from flags, `RINGER_*` environment
//! variables and an optional TOML file, in that order of precedence, over built-in defaults.
//!
//! [`Settings`] is written once and read three ways: clap turns it into flags (each with its
//! environment variable), serde reads the same names as TOML keys, and [`ServerConfig::resolve`]
//! layers them over the defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

use crate::rate_limit::Rate;

/// Why the configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The config file could not be read.
    #[error("cannot read config file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The config file is not valid TOML for these settings.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        message: String,
    },
    /// Only one of the TLS certificate and key was given.
    #[error("--tls-cert and --tls-key must be given together")]
    TlsHalf,
    /// No data directory was given and the platform has no user data directory.
    #[error("no --data directory given and no user data directory is known on this platform")]
    NoDataDir,
    /// A value is out of its range.
    #[error("{0}")]
    Invalid(String),
}

/// A duration written for people: `30s`, `500ms`, `5m`, `30d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct HumanDuration(pub Duration);

impl FromStr for HumanDuration {
    type Err = humantime::DurationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        humantime::parse_duration(s).map(HumanDuration)
    }
}

impl TryFrom<String> for HumanDuration {
    type Error = humantime::DurationError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// Every setting of `ringer-server serve`, each optional so that sources can be layered.
///
/// The flag `--foo-bar`, the environment variable `RINGER_FOO_BAR` and the TOML key `foo_bar`
/// are the same setting. Keep `docs/server-configuration.md` in step with this struct.
#[derive(Debug, Clone, Default, PartialEq, clap::Args, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address to listen on [default: 127.0.0.1:7878]. Plain ws:// on a non-loopback address
    /// needs --allow-plaintext; otherwise give --tls-cert and --tls-key.
    #[arg(long, env = "RINGER_LISTEN", value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Data directory holding the SQLite database [default: the user's data directory, e.g.
    /// ~/.local/share/ringer-server].
    #[arg(long, env = "RINGER_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// TLS certificate chain (PEM); with --tls-key the server speaks wss://.
    #[arg(
        long,
        env = "RINGER_TLS_CERT",
        value_name = "PEM",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(
        long,
        env = "RINGER_TLS_KEY",
        value_name = "PEM",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,

    /// Allow plain ws:// on a non-loopback address (passwords and tokens then cross the network
    /// unencrypted; use only behind a TLS-terminating proxy) [default: false].
    #[arg(long, env = "RINGER_ALLOW_PLAINTEXT", value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub allow_plaintext: Option<bool>,

    /// How long an invitation waits for a callee with no online device before failing with
    /// peer_offline [default: 30s].
    #[arg(long, env = "RINGER_OFFLINE_WAIT", value_name = "DURATION")]
    pub offline_wait: Option<HumanDuration>,

    /// How long online callee devices have to acknowledge an invitation before it fails with
    /// peer_no_response [default: 30s].
    #[arg(long, env = "RINGER_ACK_TIMEOUT", value_name = "DURATION")]
    pub ack_timeout: Option<HumanDuration>,

    /// How long an invitation rings after receipt before it fails with invitation_expire
    /// [default: 60s].
    #[arg(long, env = "RINGER_RING_TIMEOUT", value_name = "DURATION")]
    pub ring_timeout: Option<HumanDuration>,

    /// How long the caller's device has to confirm an accept before it fails with
    /// accept_failure [default: 5s].
    #[arg(long, env = "RINGER_ACCEPT_CONFIRM_TIMEOUT", value_name = "DURATION")]
    pub accept_confirm_timeout: Option<HumanDuration>,

    /// How long a disconnected device keeps its presence, invitations and calls [default: 30s].
    #[arg(long, env = "RINGER_RECONNECT_GRACE", value_name = "DURATION")]
    pub reconnect_grace: Option<HumanDuration>,

    /// How long the outcome of an ended invitation stays in reconnect snapshots
    /// [default: 5m].
    #[arg(long, env = "RINGER_ENDED_RETENTION", value_name = "DURATION")]
    pub ended_retention: Option<HumanDuration>,

    /// How often clients are told to send a ping when otherwise idle [default: 10s].
    #[arg(long, env = "RINGER_HEARTBEAT_INTERVAL", value_name = "DURATION")]
    pub heartbeat_interval: Option<HumanDuration>,

    /// An authenticated connection that sends nothing (not even a ping) for this long is closed
    /// as dead [default: 30s].
    #[arg(long, env = "RINGER_IDLE_TIMEOUT", value_name = "DURATION")]
    pub idle_timeout: Option<HumanDuration>,

    /// A connection that has not authenticated within this time is closed [default: 10s].
    #[arg(long, env = "RINGER_AUTH_TIMEOUT", value_name = "DURATION")]
    pub auth_timeout: Option<HumanDuration>,

    /// Lifetime of a session token from login or renewal [default: 30d].
    #[arg(long, env = "RINGER_TOKEN_LIFETIME", value_name = "DURATION")]
    pub token_lifetime: Option<HumanDuration>,

    /// Most devices (connections) one uid may have online at once [default: 5].
    #[arg(long, env = "RINGER_MAX_DEVICES_PER_UID", value_name = "N")]
    pub max_devices_per_uid: Option<usize>,

    /// Most WebSocket connections at once; further upgrades are answered 503 [default: 1024].
    #[arg(long, env = "RINGER_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,

    /// Frames queued for one connection; a connection whose queue is full is a slow consumer
    /// and is closed [default: 256].
    #[arg(long, env = "RINGER_OUTBOUND_QUEUE", value_name = "N")]
    pub outbound_queue: Option<usize>,

    /// Frames one connection may send per --frame-rate-period (also the burst); frames over it
    /// are answered rate_limited; 0 disables [default: 50].
    #[arg(long, env = "RINGER_FRAME_RATE_LIMIT", value_name = "N")]
    pub frame_rate_limit: Option<u32>,

    /// The period of --frame-rate-limit [default: 1s].
    #[arg(long, env = "RINGER_FRAME_RATE_PERIOD", value_name = "DURATION")]
    pub frame_rate_period: Option<HumanDuration>,

    /// Failed logins allowed per uid per --login-failure-period before further logins of that
    /// uid are answered rate_limited; 0 disables [default: 5].
    #[arg(long, env = "RINGER_LOGIN_FAILURES_PER_UID", value_name = "N")]
    pub login_failures_per_uid: Option<u32>,

    /// Failed logins allowed per source IP address per --login-failure-period; 0 disables
    /// [default: 20].
    #[arg(long, env = "RINGER_LOGIN_FAILURES_PER_IP", value_name = "N")]
    pub login_failures_per_ip: Option<u32>,

    /// The period over which failed logins are counted (the buckets refill over it)
    /// [default: 1m].
    #[arg(long, env = "RINGER_LOGIN_FAILURE_PERIOD", value_name = "DURATION")]
    pub login_failure_period: Option<HumanDuration>,

    /// How often the server checks the database for account changes made by the admin
    /// commands [default: 1s].
    #[arg(long, env = "RINGER_ACCOUNT_POLL_INTERVAL", value_name = "DURATION")]
    pub account_poll_interval: Option<HumanDuration>,

    /// On shutdown, how long connections get to flush their last frames before they are cut
    /// [default: 2s].
    #[arg(long, env = "RINGER_SHUTDOWN_GRACE", value_name = "DURATION")]
    pub shutdown_grace: Option<HumanDuration>,

    /// Threads that serve the connections: 0 for one per CPU, 1 to serve them all on one
    /// thread (the least CPU and latency per call on a small machine, see
    /// docs/performance.md), N for N. Password hashing, the database and the call-record writer
    /// have threads of their own either way [default: 0].
    #[arg(long, env = "RINGER_WORKER_THREADS", value_name = "N")]
    pub worker_threads: Option<usize>,
}

impl Settings {
    /// Reads settings from a TOML file.
    pub fn from_file(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Settings::from_toml(&text).map_err(|message| ConfigError::Parse {
            path: path.to_owned(),
            message,
        })
    }

    /// Parses settings from TOML text.
    pub fn from_toml(text: &str) -> Result<Settings, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// Each setting from `self`, or else from `lower`.
    pub fn or(self, lower: Settings) -> Settings {
        Settings {
            listen: self.listen.or(lower.listen),
            data: self.data.or(lower.data),
            tls_cert: self.tls_cert.or(lower.tls_cert),
            tls_key: self.tls_key.or(lower.tls_key),
            allow_plaintext: self.allow_plaintext.or(lower.allow_plaintext),
            offline_wait: self.offline_wait.or(lower.offline_wait),
            ack_timeout: self.ack_timeout.or(lower.ack_timeout),
            ring_timeout: self.ring_timeout.or(lower.ring_timeout),
            accept_confirm_timeout: self.accept_confirm_timeout.or(lower.accept_confirm_timeout),
            reconnect_grace: self.reconnect_grace.or(lower.reconnect_grace),
            ended_retention: self.ended_retention.or(lower.ended_retention),
            heartbeat_interval: self.heartbeat_interval.or(lower.heartbeat_interval),
            idle_timeout: self.idle_timeout.or(lower.idle_timeout),
            auth_timeout: self.auth_timeout.or(lower.auth_timeout),
            token_lifetime: self.token_lifetime.or(lower.token_lifetime),
            max_devices_per_uid: self.max_devices_per_uid.or(lower.max_devices_per_uid),
            max_connections: self.max_connections.or(lower.max_connections),
            outbound_queue: self.outbound_queue.or(lower.outbound_queue),
            frame_rate_limit: self.frame_rate_limit.or(lower.frame_rate_limit),
            frame_rate_period: self.frame_rate_period.or(lower.frame_rate_period),
            login_failures_per_uid: self.login_failures_per_uid.or(lower.login_failures_per_uid),
            login_failures_per_ip: self.login_failures_per_ip.or(lower.login_failures_per_ip),
            login_failure_period: self.login_failure_period.or(lower.login_failure_period),
            account_poll_interval: self.account_poll_interval.or(lower.account_poll_interval),
            shutdown_grace: self.shutdown_grace.or(lower.shutdown_grace),
            worker_threads: self.worker_threads.or(lower.worker_threads),
        }
    }
}

/// The PEM files of a TLS identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate chain.
    pub cert: PathBuf,
    /// Private key.
    pub key: PathBuf,
}

/// Limits and timers the shell itself enforces (the switchboard's are in [`ServerConfig::switchboard`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Close a connection that has not authenticated within this time.
    pub auth_timeout: Duration,
    /// Close an authenticated connection silent for this long.
    pub idle_timeout: Duration,
    /// Lifetime of a session token.
    pub token_lifetime: Duration,
    /// Most WebSocket connections at once.
    pub max_connections: usize,
    /// Frames queued per connection before it counts as a slow consumer.
    pub outbound_queue: usize,
    /// Frames per connection.
    pub frame_rate: Rate,
    /// Failed logins per uid.
    pub login_failures_per_uid: Rate,
    /// Failed logins per source address.
    pub login_failures_per_ip: Rate,
    /// How often account changes are picked up from the database.
    pub account_poll_interval: Duration,
    /// How long connections get to flush on shutdown.
    pub shutdown_grace: Duration,
}

/// Everything `serve` needs, resolved.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Data directory.
    pub data_dir: PathBuf,
    /// TLS identity; `None` serves plain ws://.
    pub tls: Option<TlsFiles>,
    /// Allow plain ws:// on a non-loopback address.
    pub allow_plaintext: bool,
    /// The switchboard's timers and limits.
    pub switchboard: ringer_switchboard::Config,
    /// The shell's limits.
    pub limits: Limits,
    /// How the account store is opened (password hashing cost, retention); the production
    /// setting unless a test lowers the hashing cost.
    pub store: ringer_store::StoreOptions,
    /// Threads for the runtime that serves the connections, 0 for one per CPU. Read by the
    /// binary when it builds that runtime; [`crate::serve`] runs on whatever runtime it is
    /// called from.
    pub worker_threads: usize,
}

/// The default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7878";

/// The default `outbound_queue`: frames a connection may have waiting to be written before it
/// counts as a slow consumer.
pub const DEFAULT_OUTBOUND_QUEUE: usize = 256;

impl ServerConfig {
    /// Layers `settings` (already flags over environment over file) over the defaults.
    pub fn resolve(settings: Settings) -> Result<ServerConfig, ConfigError> {
        let defaults = ringer_switchboard::Config::default();
        let d = |v: Option<HumanDuration>, default: Duration| v.map_or(default, |h| h.0);
        let listen = match settings.listen {
            Some(addr) => addr,
            None => DEFAULT_LISTEN
                .parse()
                .map_err(|_| ConfigError::Invalid("bad default listen address".to_owned()))?,
        };
        let data_dir = match settings.data {
            Some(dir) => dir,
            None => default_data_dir().ok_or(ConfigError::NoDataDir)?,
        };
        let tls = match (settings.tls_cert, settings.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => return Err(ConfigError::TlsHalf),
        };
        let login_period = d(settings.login_failure_period, Duration::from_secs(60));
        let config = ServerConfig {
            listen,
            data_dir,
            tls,
            allow_plaintext: settings.allow_plaintext.unwrap_or(false),
            switchboard: ringer_switchboard::Config {
                offline_wait: d(settings.offline_wait, defaults.offline_wait),
                ack_timeout: d(settings.ack_timeout, defaults.ack_timeout),
                ring_timeout: d(settings.ring_timeout, defaults.ring_timeout),
                accept_confirm_timeout: d(
                    settings.accept_confirm_timeout,
                    defaults.accept_confirm_timeout,
                ),
                reconnect_grace: d(settings.reconnect_grace, defaults.reconnect_grace),
                ended_retention: d(settings.ended_retention, defaults.ended_retention),
                max_devices_per_uid: settings
                    .max_devices_per_uid
                    .unwrap_or(defaults.max_devices_per_uid),
                heartbeat_interval: d(settings.heartbeat_interval, defaults.heartbeat_interval),
            },
            limits: Limits {
                auth_timeout: d(settings.auth_timeout, Duration::from_secs(10)),
                idle_timeout: d(settings.idle_timeout, Duration::from_secs(30)),
                token_lifetime: d(settings.token_lifetime, Duration::from_secs(30 * 86_400)),
                max_connections: settings.max_connections.unwrap_or(1024),
                outbound_queue: settings.outbound_queue.unwrap_or(DEFAULT_OUTBOUND_QUEUE),
                frame_rate: Rate::new(
                    settings.frame_rate_limit.unwrap_or(50),
                    d(settings.frame_rate_period, Duration::from_secs(1)),
                ),
                login_failures_per_uid: Rate::new(
                    settings.login_failures_per_uid.unwrap_or(5),
                    login_period,
                ),
                login_failures_per_ip: Rate::new(
                    settings.login_failures_per_ip.unwrap_or(20),
                    login_period,
                ),
                account_poll_interval: d(settings.account_poll_interval, Duration::from_secs(1)),
                shutdown_grace: d(settings.shutdown_grace, Duration::from_secs(2)),
            },
            store: ringer_store::StoreOptions::default(),
            worker_threads: settings.worker_threads.unwrap_or(0),
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |what: &str| Err(ConfigError::Invalid(what.to_owned()));
        if self.switchboard.max_devices_per_uid == 0 {
            return invalid("max_devices_per_uid must be at least 1");
        }
        if self.limits.max_connections == 0 {
            return invalid("max_connections must be at least 1");
        }
        if self.limits.outbound_queue == 0 {
            return invalid("outbound_queue must be at least 1");
        }
        if self.limits.auth_timeout.is_zero() {
            return invalid("auth_timeout must be more than 0");
        }
        if self.limits.idle_timeout.is_zero() {
            return invalid("idle_timeout must be more than 0");
        }
        if self.limits.token_lifetime.is_zero() {
            return invalid("token_lifetime must be more than 0");
        }
        if self.limits.account_poll_interval.is_zero() {
            return invalid("account_poll_interval must be more than 0");
        }
        if self.switchboard.heartbeat_interval.is_zero() {
            return invalid("heartbeat_interval must be more than 0");
        }
        Ok(())
    }

    /// A configuration with every default, listening on `listen` with data in `data_dir`; for
    /// tests and embedding.
    pub fn with_defaults(
        listen: SocketAddr,
        data_dir: PathBuf,
    ) -> Result<ServerConfig, ConfigError> {
        ServerConfig::resolve(Settings {
            listen: Some(listen),
            data: Some(data_dir),
            ..Settings::default()
        })
    }
}

/// The user's data directory for the server, e.g. `~/.local/share/ringer-server`.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ringer-server").map(|dirs| dirs.data_dir().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_spec() {
        let config = ServerConfig::resolve(Settings {
            data: Some(PathBuf::from("/tmp/x")),
            ..Settings::default()
        })
        .expect("defaults are valid");
        assert_eq!(config.listen.to_string(), "127.0.0.1:7878");
        assert_eq!(config.limits.auth_timeout, Duration::from_secs(10));
        assert_eq!(
            config.limits.token_lifetime,
            Duration::from_secs(30 * 86_400)
        );
        assert_eq!(config.switchboard.max_devices_per_uid, 5);
        assert_eq!(config.switchboard.ring_timeout, Duration::from_secs(60));
        assert!(!config.allow_plaintext);
        assert!(config.tls.is_none());
        assert_eq!(config.worker_threads, 0, "one per CPU");
    }

    #[test]
    fn toml_durations_are_human() {
        let settings = Settings::from_toml(
            "ring_timeout = \"45s\"\nauth_timeout = \"500ms\"\nmax_connections = 7\nworker_threads = 1\n",
        )
        .expect("valid toml");
        assert_eq!(
            settings.ring_timeout,
            Some(HumanDuration(Duration::from_secs(45)))
        );
        assert_eq!(
            settings.auth_timeout,
            Some(HumanDuration(Duration::from_millis(500)))
        );
        assert_eq!(settings.max_connections, Some(7));
        assert_eq!(settings.worker_threads, Some(1));
    }

    #[test]
    fn toml_rejects_unknown_keys_and_bad_durations() {
        assert!(Settings::from_toml("ring_timout = \"45s\"").is_err());
        assert!(Settings::from_toml("ring_timeout = \"soon\"").is_err());
    }

    #[test]
    fn higher_layers_win_per_setting() {
        let flags = Settings {
            ring_timeout: Some(HumanDuration(Duration::from_secs(1))),
            ..Settings::default()
        };
        let file = Settings {
            ring_timeout: Some(HumanDuration(Duration::from_secs(2))),
            ack_timeout: Some(HumanDuration(Duration::from_secs(3))),
            ..Settings::default()
        };
        let merged = flags.or(file);
        assert_eq!(
            merged.ring_timeout,
            Some(HumanDuration(Duration::from_secs(1)))
        );
        assert_eq!(
            merged.ack_timeout,
            Some(HumanDuration(Duration::from_secs(3)))
        );
    }

    #[test]
    fn half_a_tls_identity_is_refused() {
        let result = ServerConfig::resolve(Settings {
            data: Some(PathBuf::from("/tmp/x")),
            tls_cert: Some(PathBuf::from("cert.pem")),
            ..Settings::default()
        });
        assert!(matches!(result, Err(ConfigError::TlsHalf)));
    }

    #[test]
    fn zero_limits_are_refused() {
        let result = ServerConfig::resolve(Settings {
            data: Some(PathBuf::from("/tmp/x")),
            max_connections: Some(0),
            ..Settings::default()
        });
        assert!(matches!(result, Err(ConfigError::Invalid(_))));
    }
}
