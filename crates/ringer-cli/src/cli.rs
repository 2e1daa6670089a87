//! The command line, as clap parses it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use ringer_proto::limits::{MAX_HISTORY_LIMIT, MAX_PRESENCE_QUERY};

/// Exit statuses, documented in `--help` and docs/cli.md.
pub const AFTER_HELP: &str = "\
Exit status:
  0  success: the command did its job; for `call`, the call was accepted;
     for `listen`, it ended normally (Ctrl-C, or --once after its invitation ended as asked)
  1  the call (or, with `listen --once`, the invitation) ended without being accepted:
     refused, canceled, failed (unknown user, offline, expired, ...)
  2  usage error: bad arguments or values (e.g. calling yourself, history --limit 0)
  3  not logged in, bad credentials, token expired or revoked, account disabled or removed
  4  server unreachable, or the connection was lost and could not be restored
  5  the server refused a request, or another error (keyring, I/O, ...)
  130  interrupted by Ctrl-C at the password prompt or while signing in

Password (`login`, --password-stdin):
  When stdin is a terminal: prompted with `password: ` on stderr and typed without echo;
  Enter ends it, Ctrl-D on an empty line gives up. Otherwise: the first line of stdin,
  without its `\\n` or `\\r\\n`.

Environment:
  RINGER_SERVER, RINGER_USER, RINGER_DEVICE_ID  defaults for --server, --user, --device-id
  RUST_LOG                                      diagnostic logging to stderr (e.g. RUST_LOG=debug)";

/// A headless Ringer client: call, answer, and query a Ringer server from a terminal or script.
#[derive(Debug, Parser)]
#[command(name = "ringer", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// Options every command takes, before or after the command's name.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes, before or after the command's name.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The server's URL: ws://host:port or wss://host:port.
    #[arg(
        long,
        global = true,
        env = "RINGER_SERVER",
        default_value = "ws://127.0.0.1:7878",
        value_name = "URL"
    )]
    pub server: String,
    /// Who to act as.
    #[arg(long, global = true, env = "RINGER_USER", value_name = "UID")]
    pub user: Option<String>,
    /// Print one JSON object per line, one per event, instead of readable text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Sign in with the password instead of the stored token: typed at a prompt without echo
    /// when standard input is a terminal, else the first line of standard input. Stores
    /// nothing, except that `login` (which always reads the password this way) stores the
    /// session token.
    #[arg(long, global = true)]
    pub password_stdin: bool,
    /// This installation's device id (default: a random id stored once in the user's config
    /// directory, with `:listen`, `:call` or, for every other command, `:cmd` appended). Give
    /// runs of the same command that overlap in time distinct ids: two connections with one id
    /// displace each other.
    #[arg(long, global = true, env = "RINGER_DEVICE_ID", value_name = "ID")]
    pub device_id: Option<String>,
    /// Also trust the certificates in this PEM file for wss:// (a self-signed server or a
    /// private CA). The server's own certificate must be an end-entity one (basicConstraints
    /// CA:FALSE): `openssl req -x509` makes a CA certificate unless given
    /// `-addext basicConstraints=critical,CA:FALSE` (see docs/cli.md).
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in and store the session token in the OS keyring. The password is typed at a prompt
    /// without echo when standard input is a terminal, else read from its first line.
    Login,
    /// Revoke the stored session token on the server and delete it from the keyring.
    Logout,
    /// Call a user: send an invitation and follow it until it ends.
    ///
    /// Ctrl-C cancels the invitation while it rings and hangs up once it is a call. On glare
    /// (the callee calls you meanwhile) the server puts both of you in one call on their
    /// invitation, which `call` then follows like an accepted one. Gives up when the
    /// connection is lost for 60 s.
    Call(CallArgs),
    /// Wait for incoming invitations, print them and, when told, answer them.
    ///
    /// Ctrl-C hangs up any call this device is in and waits for the server to confirm it.
    /// Once signed in, keeps reconnecting for as long as the server is away.
    Listen(ListenArgs),
    /// Print the presence of users, one line per uid.
    Presence(PresenceArgs),
    /// Set your status (and call waiting).
    Status(StatusArgs),
    /// Print your call history, newest first.
    History(HistoryArgs),
    /// Print every user of the server with their presence.
    Directory,
}

/// `ringer call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// Who to call.
    pub callee: String,
    /// Free-form content shown to the callee (at most 8 KiB).
    #[arg(long)]
    pub content: Option<String>,
    /// The channel the call will be carried on (at most 64 bytes).
    #[arg(long)]
    pub channel: Option<String>,
    /// Cancel the invitation if it was not answered after this many seconds.
    #[arg(long, value_name = "SECS")]
    pub cancel_after: Option<f64>,
    /// Hang up this many seconds after the call was accepted.
    #[arg(long, value_name = "SECS")]
    pub hangup_after: Option<f64>,
}

/// `ringer listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// Accept every incoming invitation, then stay in the call until it ends.
    #[arg(long, conflicts_with = "refuse")]
    pub accept: bool,
    /// Refuse every incoming invitation.
    #[arg(long)]
    pub refuse: bool,
    /// The reason given with --refuse.
    #[arg(long, value_enum, requires = "refuse", default_value_t = RefuseChoice::Declined)]
    pub reason: RefuseChoice,
    /// The response sent with --accept or --refuse.
    #[arg(long)]
    pub response: Option<String>,
    /// Exit after the first incoming invitation (and its call) has ended.
    #[arg(long)]
    pub once: bool,
}

/// Reasons a user may give when refusing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RefuseChoice {
    /// Not now.
    Declined,
    /// In another call.
    Busy,
}

/// `ringer presence`.
#[derive(Debug, Args)]
pub struct PresenceArgs {
    /// Whose presence (at most 256).
    #[arg(required = true, num_args = 1..=MAX_PRESENCE_QUERY)]
    pub uids: Vec<String>,
}

/// `ringer status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Your new status.
    #[arg(value_enum)]
    pub status: StatusChoice,
    /// Whether invitations ring while you are in a call (instead of being refused as busy).
    #[arg(long, value_enum)]
    pub call_waiting: Option<OnOff>,
}

/// Statuses a user may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusChoice {
    /// Invitations ring.
    Available,
    /// Do not disturb: invitations are refused without ringing.
    Dnd,
}

/// A switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

/// `ringer history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// At most this many records, 1 to 500 (the server's default is 100).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_HISTORY_LIMIT)))]
    pub limit: Option<u32>,
}
