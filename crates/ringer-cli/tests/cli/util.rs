//! Running `ringer` and `ringer-server` processes.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// How long a process may take before the test gives up on it; a guard against hangs, not a
/// timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The password of every test user.
pub const PASSWORD: &str = "correct horse battery staple";

/// The `ringer` binary under test.
pub fn ringer_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ringer"))
}

/// The `ringer-server` binary, built next to `ringer` (once per test run) so that it matches
/// the workspace's sources.
pub fn server_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let ringer = ringer_path();
        let dir = ringer.parent().expect("the binary has a directory");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "-p", "ringer-server", "--bin", "ringer-server"]);
        if dir.ends_with("release") {
            build.arg("--release");
        }
        let status = build
            .status()
            .expect("run cargo to build ringer-server for the end-to-end tests");
        assert!(
            status.success(),
            "could not build ringer-server for the end-to-end tests; \
             `cargo build -p ringer-server` shows why"
        );
        let path = dir.join(format!("ringer-server{}", std::env::consts::EXE_SUFFIX));
        assert!(path.exists(), "ringer-server is not at {}", path.display());
        path
    })
}

/// A `ringer-server serve` process on 127.0.0.1:0 with its own data directory.
pub struct Server {
    child: Child,
    pub url: String,
    dir: TempDir,
}

impl Server {
    /// Starts a server with `users` (each with [`PASSWORD`]) and extra `serve` flags.
    pub fn start(users: &[&str], flags: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("a temporary data directory");
        for user in users {
            let mut add = Command::new(server_path())
                .args([
                    "user",
                    "add",
                    user,
                    "--name",
                    user,
                    "--password-stdin",
                    "--data",
                ])
                .arg(dir.path())
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .expect("run ringer-server user add");
            add.stdin
                .take()
                .expect("piped stdin")
                .write_all(format!("{PASSWORD}\n").as_bytes())
                .expect("write the password");
            let status = add.wait().expect("user add finishes");
            assert!(status.success(), "ringer-server user add {user} failed");
        }
        let mut child = Command::new(server_path())
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir.path())
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run ringer-server serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let first = lines
            .next()
            .expect("the server prints its address")
            .expect("read the server's stdout");
        let url = first
            .strip_prefix("ringer-server listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_owned();
        Server { child, url, dir }
    }
}

impl Server {
    /// The server's data directory, for `ringer-server user …` while it runs.
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `ringer` command with a private config directory, no inherited `RINGER_*` settings, and
/// `--json`.
pub fn ringer(config_home: &Path, server: &str, user: &str, args: &[&str]) -> Command {
    let mut command = Command::new(ringer_path());
    command
        .env_remove("RINGER_SERVER")
        .env_remove("RINGER_USER")
        .env_remove("RINGER_DEVICE_ID")
        .env_remove("RUST_LOG")
        .env("XDG_CONFIG_HOME", config_home)
        .args(["--server", server, "--user", user, "--json"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs a command with `stdin` as its input and waits (at most [`PATIENCE`]) for it to end.
pub fn run(mut command: Command, stdin: &str) -> Output {
    let mut child = command.spawn().expect("start the process");
    feed(&mut child, stdin);
    finish(child)
}

/// Writes `stdin` to the child and closes its input. A child that exits before reading it (a
/// usage error, say) closes the pipe first; that is its own business, judged by its output.
pub fn feed(child: &mut Child, stdin: &str) {
    if let Some(mut input) = child.stdin.take()
        && let Err(err) = input.write_all(stdin.as_bytes())
    {
        assert_eq!(
            err.kind(),
            std::io::ErrorKind::BrokenPipe,
            "write the child's stdin: {err}"
        );
    }
}

/// Waits for a child to end, killing it (and failing the test) after [`PATIENCE`].
pub fn finish(mut child: Child) -> Output {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if child.try_wait().expect("poll the child").is_some() {
            return child.wait_with_output().expect("collect the output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("collect the output");
            panic!(
                "the process did not end in time; stdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A long-running `ringer` whose JSON lines are read as they come.
pub struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<Value>,
}

impl Running {
    pub fn start(mut command: Command, stdin: &str) -> Running {
        let mut child = command.spawn().expect("start the process");
        feed(&mut child, stdin);
        let stdout: ChildStdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// The process id, to send it signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Reads lines until an event named `name` arrives; returns it.
    pub fn wait_for(&mut self, name: &str) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|_| {
                panic!("no {name:?} event; saw {:?}", self.seen);
            });
            let value: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not a JSON line: {line:?}: {e}"));
            self.seen.push(value.clone());
            if value["event"] == name {
                return value;
            }
        }
    }

    /// Waits for the process to end; returns its status and every event it printed.
    pub fn finish(mut self) -> (std::process::ExitStatus, Vec<Value>, String) {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("poll the child") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the process did not end in time; saw {:?}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            let value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("not a JSON line: {line:?}: {e}"));
            self.seen.push(value);
        }
        let mut stderr = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut stderr);
        }
        (status, std::mem::take(&mut self.seen), stderr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The JSON lines of an output.
pub fn events(output: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line: {line:?}: {e}"))
        })
        .collect()
}

/// The names of the events, in order.
pub fn names(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| e["event"].as_str().map(str::to_owned))
        .collect()
}

/// The first event named `name`.
pub fn find<'a>(events: &'a [Value], name: &str) -> &'a Value {
    events
        .iter()
        .find(|e| e["event"] == name)
        .unwrap_or_else(|| panic!("no {name:?} event in {events:?}"))
}

/// The password as the first line of standard input.
pub fn password_line() -> String {
    format!("{PASSWORD}\n")
}
