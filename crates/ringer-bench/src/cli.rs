//! The command line (clap) and its value types.

use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::{ArgGroup, Args, Parser, Subcommand};

use crate::device::Target;
use crate::echo::EchoOptions;
use crate::echo_server::Shape;
use crate::flows::{FlowsOptions, Stop};
use crate::idle::IdleOptions;
use crate::users::{DEFAULT_PASSWORD, SignInOptions};

/// Load generator for a running ringer-server (plain ws://, loopback).
#[derive(Debug, Parser)]
#[command(name = "ringer-bench", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Creates the users bench-0000, bench-0001, … in a server's data directory (cheap
    /// password hashing: these accounts are for benchmarks only).
    Setup(SetupArgs),
    /// Runs complete invitation flows between pairs of users and reports rates and latencies,
    /// and the share of the machine's CPU time its hypervisor took meanwhile (steal).
    ///
    /// A latency runs from the moment the frame that starts it (the `invite`, the `accept`) is
    /// handed to the socket, its text already made, to the moment the awaited frame arrives,
    /// before this tool parses it: the server's and the network's time, not this tool's.
    Flows(FlowsArgs),
    /// Signs many devices in and holds them idle; reports sign-in time and server memory.
    Idle(IdleArgs),
    /// Times round trips through a plain tokio-tungstenite echo server (started as a child
    /// process): this machine's floor for send → callee received, with no Ringer server.
    Echo(EchoArgs),
    /// The echo server that `echo` starts (prints its address, echoes until stdin closes).
    #[command(hide = true)]
    EchoServer(EchoServerArgs),
}

/// Arguments of `echo`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("stop").required(true).args(["duration", "count"])))]
pub struct EchoArgs {
    /// Round trips started per second (`10`, `10/s`), or `max`: back to back.
    #[arg(long, default_value = "10")]
    pub rate: Rate,
    /// Stop after this long (e.g. 20s).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub duration: Option<Duration>,
    /// Stop after this many round trips.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// Bytes per message (an `invitation` frame is ~160).
    #[arg(long, value_name = "BYTES", default_value_t = 160)]
    pub size: usize,
    /// Threads the client runs on; 0 for one per CPU (as `flows` by default).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Threads the echo server runs on; 0 for one per CPU (as `ringer-server`).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub server_threads: usize,
    /// How the echo server hands a message from reading to writing: `direct` (the task that
    /// read it writes it back), `relay` (a reader task, one hub task shared by all
    /// connections and a writer task per connection, as in `ringer-server`) or
    /// `relay-one-task` (the same hub, each connection's reads and writes in one task).
    #[arg(long, value_enum, default_value_t = Shape::Direct)]
    pub shape: Shape,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of the hidden `echo-server`.
#[derive(Debug, Args)]
pub struct EchoServerArgs {
    /// Where to listen (port 0: any free port; the bound address is printed).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Threads to run on; 0 for one per CPU.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// How a message goes from reading to writing.
    #[arg(long, value_enum, default_value_t = Shape::Direct)]
    pub shape: Shape,
}

/// Arguments of `setup`.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// The server's data directory (holding ringer.db).
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// How many users.
    #[arg(long, value_name = "N")]
    pub users: usize,
    /// Number of the first user (bench-<FIRST>).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub first: usize,
    /// Their password.
    #[arg(long, default_value = DEFAULT_PASSWORD)]
    pub password: String,
}

/// What `flows` and `idle` share.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// The server's WebSocket URL (plain ws:// only).
    #[arg(long, env = "RINGER_BENCH_URL", default_value = "ws://127.0.0.1:7878")]
    pub url: String,
    /// Work directory: the token file lives here.
    #[arg(long, value_name = "DIR", default_value = "bench-work")]
    pub work: PathBuf,
    /// Number of the first user to use (bench-<FIRST>).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub first: usize,
    /// The users' password (used only for users without a stored token).
    #[arg(long, default_value = DEFAULT_PASSWORD)]
    pub password: String,
    /// Local addresses to connect from, round robin (e.g. 127.0.0.1,127.0.0.2): each source
    /// address has its own range of ephemeral ports.
    #[arg(long, value_name = "IP,…", value_delimiter = ',')]
    pub source_ips: Vec<IpAddr>,
    /// Sign-ins in flight at once.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub sign_in_concurrency: usize,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// No progress line on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Threads the load generator runs on; 0 for one per CPU, 1 for the least CPU per flow.
    ///
    /// One thread needs about a fifth less CPU per flow (its tasks never wake each other across
    /// threads), which leaves more to a server on the same machine: use it for `--rate max`.
    /// But a lone thread that the server keeps off the CPU delays every measurement in flight,
    /// so measure latencies under load with the default. At low rates, where flows seldom
    /// overlap, it is the other way round: one thread adds the least of its own latency (no
    /// wake-ups across threads on the way), so measure those with `--threads 1`.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
}

impl CommonArgs {
    /// Checks the shared arguments and turns them into sign-in options.
    pub fn into_sign_in(self) -> anyhow::Result<SignInOptions> {
        Ok(SignInOptions {
            target: Target::parse(&self.url)?,
            work: self.work,
            first_user: self.first,
            password: self.password,
            source_ips: self.source_ips,
            concurrency: self.sign_in_concurrency.max(1),
            progress: !self.quiet,
        })
    }

    /// The runtime to run a mode on, with `threads` worker threads.
    pub fn runtime(&self) -> anyhow::Result<tokio::runtime::Runtime> {
        runtime(self.threads)
    }
}

/// A runtime with `threads` worker threads: 0 for one per CPU, 1 for a current-thread runtime.
pub fn runtime(threads: usize) -> anyhow::Result<tokio::runtime::Runtime> {
    let mut builder = match threads {
        0 => tokio::runtime::Builder::new_multi_thread(),
        1 => tokio::runtime::Builder::new_current_thread(),
        n => {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(n);
            builder
        }
    };
    Ok(builder.enable_all().build()?)
}

/// Arguments of `flows`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("stop").required(true).args(["duration", "count"])))]
pub struct FlowsArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Users to use, as caller/callee pairs (even, at least 2).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub users: usize,
    /// How flows end, as weights: accept (full call with hang-up), refuse, cancel, expire
    /// (waits for the server's ring timeout: run the server with a short --ring-timeout).
    #[arg(long, default_value = "accept=100")]
    pub mix: Mix,
    /// Flows started per second (`500`, `500/s`), or `max`: as fast as the pairs allow.
    #[arg(long, default_value = "max")]
    pub rate: Rate,
    /// Flows in flight at most (one per pair) [default: every pair].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Stop starting flows after this long (e.g. 30s).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub duration: Option<Duration>,
    /// Stop after this many flows.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    /// A flow not finished in this long fails (make it longer than the server's ring timeout
    /// when the mix has expire).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "10s")]
    pub flow_timeout: Duration,
    /// Least time between the starts of two flows on one pair, so that each device stays under
    /// the server's per-connection frame rate limit (3 frames per flow; 50/s by default).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "70ms")]
    pub pair_gap: Duration,
    /// The server's process id: the report then gives the server's CPU time per completed
    /// flow (from /proc/PID/stat) beside the load generator's own, the bytes the server
    /// wrote to disk per completed flow (from /proc/PID/io), and its threads' context
    /// switches per completed flow (from /proc/PID/task/*/status).
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
}

/// Arguments of `idle`.
#[derive(Debug, Args)]
pub struct IdleArgs {
    /// Shared options.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Devices to sign in and hold (one per user).
    #[arg(long, value_name = "N")]
    pub devices: usize,
    /// The server's process id, to read its resident memory from /proc/PID/status.
    #[arg(long, value_name = "PID")]
    pub server_pid: Option<u32>,
    /// How long to hold the devices after the last one signed in (they ping every 10 s).
    #[arg(long, value_parser = humantime::parse_duration, default_value = "5s")]
    pub hold: Duration,
    /// Wait this long after the last sign-in before reading the server's memory.
    #[arg(long, value_parser = humantime::parse_duration, default_value = "1s")]
    pub settle: Duration,
}

impl FlowsArgs {
    /// Checks the arguments and turns them into options.
    pub fn into_options(self) -> anyhow::Result<FlowsOptions> {
        if self.users < 2 || !self.users.is_multiple_of(2) {
            anyhow::bail!("--users must be even and at least 2 (got {})", self.users);
        }
        let pairs = self.users / 2;
        let concurrency = self.concurrency.unwrap_or(pairs);
        if concurrency == 0 || concurrency > pairs {
            anyhow::bail!("--concurrency must be between 1 and the number of pairs ({pairs})");
        }
        if self.mix.expire > 0 && self.flow_timeout <= Duration::from_secs(1) {
            anyhow::bail!("--flow-timeout must exceed the server's ring timeout when expire > 0");
        }
        let stop = stop_of(self.duration, self.count)?;
        Ok(FlowsOptions {
            sign_in: self.common.into_sign_in()?,
            pairs: concurrency,
            mix: self.mix,
            rate: self.rate,
            stop,
            flow_timeout: self.flow_timeout,
            pair_gap: self.pair_gap,
            server_pid: self.server_pid,
        })
    }
}

/// When to stop, from exactly one of `--duration` and `--count`.
fn stop_of(duration: Option<Duration>, count: Option<u64>) -> anyhow::Result<Stop> {
    match (duration, count) {
        (Some(duration), None) => Ok(Stop::After(duration)),
        (None, Some(count)) => Ok(Stop::Count(count)),
        (Some(_), Some(_)) | (None, None) => {
            anyhow::bail!("give exactly one of --duration and --count")
        }
    }
}

impl EchoArgs {
    /// Checks the arguments and turns them into options; `server_exe` is this program.
    pub fn into_options(self, server_exe: PathBuf) -> anyhow::Result<EchoOptions> {
        let stop = stop_of(self.duration, self.count)?;
        Ok(EchoOptions {
            server_exe,
            rate: self.rate,
            stop,
            size: self.size,
            server_threads: self.server_threads,
            shape: self.shape,
        })
    }

    /// The runtime the client runs on.
    pub fn runtime(&self) -> anyhow::Result<tokio::runtime::Runtime> {
        runtime(self.threads)
    }
}

impl IdleArgs {
    /// Checks the arguments and turns them into options.
    pub fn into_options(self) -> anyhow::Result<IdleOptions> {
        if self.devices == 0 {
            anyhow::bail!("--devices must be at least 1");
        }
        Ok(IdleOptions {
            sign_in: self.common.into_sign_in()?,
            devices: self.devices,
            server_pid: self.server_pid,
            hold: self.hold,
            settle: self.settle,
        })
    }
}

/// How a flow ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// invite → received → accept → confirm → hang up.
    Accept,
    /// invite → received → refuse.
    Refuse,
    /// invite → received → cancel.
    Cancel,
    /// invite → received → the server's ring timeout.
    Expire,
}

impl FlowKind {
    /// Every kind, in `--mix` order.
    pub const ALL: [FlowKind; 4] = [
        FlowKind::Accept,
        FlowKind::Refuse,
        FlowKind::Cancel,
        FlowKind::Expire,
    ];

    /// The kind's name in `--mix`.
    pub fn name(self) -> &'static str {
        match self {
            FlowKind::Accept => "accept",
            FlowKind::Refuse => "refuse",
            FlowKind::Cancel => "cancel",
            FlowKind::Expire => "expire",
        }
    }
}

/// Weights of the flow kinds, e.g. `accept=90,refuse=5,cancel=5,expire=0`; kinds left out
/// weigh 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mix {
    /// Weight of [`FlowKind::Accept`].
    pub accept: u32,
    /// Weight of [`FlowKind::Refuse`].
    pub refuse: u32,
    /// Weight of [`FlowKind::Cancel`].
    pub cancel: u32,
    /// Weight of [`FlowKind::Expire`].
    pub expire: u32,
}

impl Mix {
    /// The weight of `kind`.
    pub fn weight(&self, kind: FlowKind) -> u32 {
        match kind {
            FlowKind::Accept => self.accept,
            FlowKind::Refuse => self.refuse,
            FlowKind::Cancel => self.cancel,
            FlowKind::Expire => self.expire,
        }
    }

    /// The sum of the weights (never 0 for a parsed mix).
    pub fn total(&self) -> u32 {
        FlowKind::ALL.iter().map(|k| self.weight(*k)).sum()
    }

    /// The kind for a uniform draw `roll` in `0..total()`.
    pub fn pick(&self, roll: u32) -> FlowKind {
        let mut left = roll;
        for kind in FlowKind::ALL {
            let weight = self.weight(kind);
            if left < weight {
                return kind;
            }
            left -= weight;
        }
        FlowKind::Accept
    }
}

impl FromStr for Mix {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut mix = Mix::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected KIND=WEIGHT"))?;
            let weight: u32 = weight
                .trim()
                .parse()
                .map_err(|_| format!("{part:?}: the weight must be a whole number"))?;
            let slot = match name.trim() {
                "accept" => &mut mix.accept,
                "refuse" => &mut mix.refuse,
                "cancel" => &mut mix.cancel,
                "expire" => &mut mix.expire,
                other => {
                    return Err(format!(
                        "unknown flow kind {other:?} (accept, refuse, cancel, expire)"
                    ));
                }
            };
            *slot = weight;
        }
        let total: u64 = FlowKind::ALL
            .iter()
            .map(|kind| u64::from(mix.weight(*kind)))
            .sum();
        if total > u64::from(u32::MAX) {
            return Err("the weights are too large".to_owned());
        }
        if total == 0 {
            return Err("at least one weight must be above 0".to_owned());
        }
        Ok(mix)
    }
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "accept={},refuse={},cancel={},expire={}",
            self.accept, self.refuse, self.cancel, self.expire
        )
    }
}

/// How fast flows (or echo round trips) start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    /// As fast as free pairs allow (flows), back to back (echo).
    Max,
    /// This many per second.
    PerSecond(f64),
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("max") {
            return Ok(Rate::Max);
        }
        let number = s.strip_suffix("/s").unwrap_or(s).trim();
        match number.parse::<f64>() {
            Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(Rate::PerSecond(rate)),
            Ok(_) | Err(_) => Err(format!(
                "{s:?}: expected `max` or a positive number per second, like 500 or 500/s"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("ringer-bench").chain(args.iter().copied()))
    }

    #[test]
    fn threads_choose_the_runtime() {
        use tokio::runtime::RuntimeFlavor::{CurrentThread, MultiThread};
        let flavor = |args: &[&str]| {
            let Ok(Cli {
                command: Command::Flows(flows),
            }) = parse(args)
            else {
                panic!("{args:?} should parse");
            };
            let runtime = flows.common.runtime().expect("runtime");
            runtime.handle().runtime_flavor()
        };
        let flows = ["flows", "--count", "1"];
        assert_eq!(flavor(&flows), MultiThread);
        assert_eq!(
            flavor(&[&flows[..], &["--threads", "0"]].concat()),
            MultiThread
        );
        assert_eq!(
            flavor(&[&flows[..], &["--threads", "1"]].concat()),
            CurrentThread
        );
        assert_eq!(
            flavor(&[&flows[..], &["--threads", "3"]].concat()),
            MultiThread
        );
        assert!(parse(&[&flows[..], &["--threads", "-1"]].concat()).is_err());
    }

    #[test]
    fn echo_needs_a_stop_and_passes_its_settings_on() {
        let exe = PathBuf::from("/opt/ringer-bench");
        let Ok(Cli {
            command: Command::Echo(args),
        }) = parse(&["echo", "--duration", "20s", "--server-threads", "1"])
        else {
            panic!("echo with --duration should parse");
        };
        let options = args.into_options(exe.clone()).expect("valid");
        assert_eq!(options.server_exe, exe);
        assert_eq!(options.stop, Stop::After(Duration::from_secs(20)));
        assert_eq!(options.rate, Rate::PerSecond(10.0), "10/s by default");
        assert_eq!((options.size, options.server_threads), (160, 1));
        assert_eq!(options.shape, Shape::Direct, "direct by default");
        for shape in [Shape::Relay, Shape::RelayOneTask] {
            let Ok(Cli {
                command: Command::Echo(args),
            }) = parse(&["echo", "--count", "5", "--shape", shape.name()])
            else {
                panic!("echo --shape {} should parse", shape.name());
            };
            assert_eq!(args.shape, shape);
        }
        assert!(parse(&["echo", "--count", "5", "--shape", "hub"]).is_err());
        assert!(parse(&["echo"]).is_err(), "a stop is required");
        assert!(parse(&["echo", "--count", "5", "--duration", "1s"]).is_err());
        assert!(parse(&["echo", "--count", "5", "--rate", "0"]).is_err());
    }

    #[test]
    fn mix_parses_weights_and_defaults_missing_kinds_to_zero() {
        let mix: Mix = "accept=90,refuse=5,cancel=5,expire=0"
            .parse()
            .expect("valid");
        assert_eq!(
            (mix.accept, mix.refuse, mix.cancel, mix.expire),
            (90, 5, 5, 0)
        );
        let mix: Mix = "cancel=3".parse().expect("valid");
        assert_eq!(mix.total(), 3);
        assert_eq!(mix.pick(0), FlowKind::Cancel);
    }

    #[test]
    fn mix_refuses_bad_input() {
        for bad in [
            "",
            "accept=0",
            "accept",
            "accept=x",
            "teleport=1",
            "accept=-1",
        ] {
            assert!(bad.parse::<Mix>().is_err(), "{bad:?}");
        }
        assert!("accept=4294967295,refuse=1".parse::<Mix>().is_err());
    }

    #[test]
    fn mix_pick_covers_each_kind_in_proportion() {
        let mix: Mix = "accept=2,refuse=1,cancel=0,expire=1"
            .parse()
            .expect("valid");
        let picks: Vec<FlowKind> = (0..mix.total()).map(|r| mix.pick(r)).collect();
        assert_eq!(
            picks,
            [
                FlowKind::Accept,
                FlowKind::Accept,
                FlowKind::Refuse,
                FlowKind::Expire
            ]
        );
    }

    #[test]
    fn rate_parses_max_and_numbers() {
        assert_eq!("max".parse::<Rate>(), Ok(Rate::Max));
        assert_eq!("500".parse::<Rate>(), Ok(Rate::PerSecond(500.0)));
        assert_eq!("2.5/s".parse::<Rate>(), Ok(Rate::PerSecond(2.5)));
        for bad in ["0", "-3", "fast", "NaN", "inf", ""] {
            assert!(bad.parse::<Rate>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn flows_needs_exactly_one_of_duration_and_count() {
        assert!(parse(&["flows"]).is_err());
        assert!(parse(&["flows", "--count", "5", "--duration", "1s"]).is_err());
        let cli = parse(&["flows", "--duration", "1m 30s", "--rate", "1000/s"]).expect("valid");
        let Command::Flows(args) = cli.command else {
            panic!("flows expected");
        };
        assert_eq!(args.duration, Some(Duration::from_secs(90)));
        assert_eq!(args.rate, Rate::PerSecond(1000.0));
        assert_eq!(args.mix, "accept=100".parse().expect("valid"));
    }

    #[test]
    fn flows_options_check_users_and_concurrency() {
        let options = |args: &[&str]| match parse(args).expect("parses").command {
            Command::Flows(flows) => flows.into_options(),
            Command::Setup(_) | Command::Idle(_) | Command::Echo(_) | Command::EchoServer(_) => {
                panic!("flows expected")
            }
        };
        assert!(options(&["flows", "--count", "1", "--users", "3"]).is_err());
        assert!(options(&["flows", "--count", "1", "--users", "0"]).is_err());
        assert!(
            options(&[
                "flows",
                "--count",
                "1",
                "--users",
                "4",
                "--concurrency",
                "3"
            ])
            .is_err()
        );
        assert!(options(&["flows", "--count", "1", "--url", "http://x"]).is_err());
        let ok = options(&[
            "flows",
            "--count",
            "7",
            "--users",
            "10",
            "--source-ips",
            "127.0.0.1,127.0.0.2",
        ])
        .expect("valid");
        assert_eq!(ok.pairs, 5);
        assert_eq!(ok.stop, Stop::Count(7));
        assert_eq!(ok.sign_in.source_ips.len(), 2);
    }

    #[test]
    fn idle_and_setup_parse() {
        let cli = parse(&["idle", "--devices", "15000", "--server-pid", "42"]).expect("valid");
        let Command::Idle(args) = cli.command else {
            panic!("idle expected");
        };
        assert_eq!(args.devices, 15_000);
        assert_eq!(args.server_pid, Some(42));
        assert!(parse(&["idle"]).is_err());
        assert!(parse(&["setup", "--users", "3"]).is_err());
        assert!(parse(&["setup", "--users", "3", "--data", "/tmp/x"]).is_ok());
    }
}
