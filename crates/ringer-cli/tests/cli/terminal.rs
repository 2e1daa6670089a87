//! The password typed on a real (pseudo-)terminal: prompted on standard error, never echoed, and
//! the terminal left as it was. `terminal.py` drives the terminal (Python's standard library
//! opens one without unsafe code); skipped, with a notice, only when `python3` is missing.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::util::{PASSWORD, Server, find, ringer};

/// What a command did with a terminal as its stdin and stderr.
struct Typed {
    status: i64,
    terminal: String,
    stdout: String,
    echo_off_seen: bool,
    modes_restored: bool,
}

/// Whether `python3` can run the terminal driver.
fn python_available() -> bool {
    let found = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        eprintln!("NOTICE: skipping the terminal tests: python3 is not available");
    }
    found
}

/// Runs `ringer` (as `ringer(...)` builds it) with a terminal, types `keys` at the prompt.
fn type_at_prompt(ringer: &Command, keys: &str) -> Typed {
    type_at_prompt_then(ringer, keys, "")
}

/// Like [`type_at_prompt`], then types `later` once the terminal is back in its usual modes.
fn type_at_prompt_then(ringer: &Command, keys: &str, later: &str) -> Typed {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/terminal.py");
    let mut driver = Command::new("python3");
    driver
        .arg(script)
        .args(["password: ", keys, later])
        .arg(ringer.get_program())
        .args(ringer.get_args());
    for (key, value) in ringer.get_envs() {
        match value {
            Some(value) => driver.env(key, value),
            None => driver.env_remove(key),
        };
    }
    let output = driver.output().expect("run terminal.py");
    assert!(
        output.status.success(),
        "terminal.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("terminal.py's report");
    assert_eq!(report["typed"], true, "the prompt never appeared: {report}");
    Typed {
        status: report["status"].as_i64().expect("an exit status"),
        terminal: report["terminal"]
            .as_str()
            .expect("the terminal")
            .to_owned(),
        stdout: report["stdout"].as_str().expect("stdout").to_owned(),
        echo_off_seen: report["echo_off_seen"] == true,
        modes_restored: report["modes_restored"] == true,
    }
}

/// The JSON lines a command printed.
fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

/// The checks every prompt must pass, whatever was typed.
fn assert_prompted_without_echo(typed: &Typed) {
    assert!(
        typed.terminal.starts_with("password: "),
        "the prompt is the first thing on the terminal: {:?}",
        typed.terminal
    );
    assert!(typed.echo_off_seen, "echo was never turned off");
    assert!(
        !typed.terminal.contains(PASSWORD) && !typed.stdout.contains(PASSWORD),
        "the password was shown: terminal {:?}, stdout {:?}",
        typed.terminal,
        typed.stdout
    );
    assert!(
        typed.modes_restored,
        "the terminal's modes were not restored"
    );
    // The prompt has no line end: on stdout it would spoil the first JSON line.
    assert!(
        !typed.stdout.starts_with("password"),
        "the prompt went to stdout: {:?}",
        typed.stdout
    );
    json_lines(&typed.stdout);
}

#[test]
fn a_password_typed_on_a_terminal_is_not_echoed_and_signs_in() {
    if !python_available() {
        return;
    }
    let server = Server::start(&["alice", "bob"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let command = ringer(
        home.path(),
        &server.url,
        "alice",
        &["presence", "bob", "--password-stdin"],
    );

    let typed = type_at_prompt(&command, &format!("{PASSWORD}\r"));
    assert_prompted_without_echo(&typed);
    assert_eq!(typed.status, 0, "{:?}", typed.terminal);
    let lines = json_lines(&typed.stdout);
    assert_eq!(find(&lines, "presence")["uid"], "bob", "{lines:?}");
}

#[test]
fn login_reads_the_password_from_the_terminal_without_echo() {
    if !python_available() {
        return;
    }
    let server = Server::start(&["alice"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let command = ringer(home.path(), &server.url, "alice", &["login"]);

    // A wrong password: the server's answer shows that what was typed reached it, and no
    // keyring is needed.
    let typed = type_at_prompt(&command, &format!("{PASSWORD}!\r"));
    assert_prompted_without_echo(&typed);
    assert_eq!(typed.status, 3, "{:?}", typed.terminal);
    assert!(
        typed.terminal.contains("ringer: bad credentials"),
        "{:?}",
        typed.terminal
    );
}

#[test]
fn ctrl_c_at_the_prompt_restores_the_terminal_and_exits_130() {
    if !python_available() {
        return;
    }
    let home = tempfile::tempdir().expect("config dir");
    // Nothing is sent: the server is never reached.
    let command = ringer(home.path(), "ws://127.0.0.1:9", "alice", &["login"]);

    let typed = type_at_prompt(&command, &format!("{PASSWORD}\x03"));
    assert_prompted_without_echo(&typed);
    assert_eq!(typed.status, 130, "{:?}", typed.terminal);
    assert!(
        typed.terminal.contains("ringer: interrupted"),
        "{:?}",
        typed.terminal
    );
    let lines = json_lines(&typed.stdout);
    assert_eq!(find(&lines, "error")["kind"], "interrupted", "{lines:?}");
}

#[test]
fn ctrl_c_while_signing_in_after_the_prompt_still_ends_ringer() {
    if !python_available() {
        return;
    }
    // A server that accepts connections and never answers: signing in waits.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind a silent server");
    let url = format!(
        "ws://{}",
        silent.local_addr().expect("the silent server's address")
    );
    // Collecting never ends, so every connection stays open, unread, until the test ends.
    std::thread::spawn(move || silent.incoming().collect::<Vec<_>>());
    let home = tempfile::tempdir().expect("config dir");
    let command = ringer(home.path(), &url, "alice", &["login"]);

    // The prompt's SIGINT listener stays registered; without the fallback this Ctrl-C would be
    // ignored and login would give up only when its connect timeout ends (exit 4).
    let typed = type_at_prompt_then(&command, &format!("{PASSWORD}\r"), "\x03");
    assert_prompted_without_echo(&typed);
    assert_eq!(typed.status, 130, "{:?}", typed.terminal);
}

#[test]
fn ctrl_d_or_enter_alone_at_the_prompt_is_a_usage_error() {
    if !python_available() {
        return;
    }
    let home = tempfile::tempdir().expect("config dir");
    let command = ringer(home.path(), "ws://127.0.0.1:9", "alice", &["login"]);

    let typed = type_at_prompt(&command, "\x04");
    assert_prompted_without_echo(&typed);
    assert_eq!(typed.status, 2, "{:?}", typed.terminal);
    assert!(
        typed
            .terminal
            .contains("ringer: password: input ended (Ctrl-D) before a password was typed"),
        "{:?}",
        typed.terminal
    );

    let typed = type_at_prompt(&command, "\r");
    assert_prompted_without_echo(&typed);
    assert_eq!(typed.status, 2, "{:?}", typed.terminal);
    assert!(
        typed
            .terminal
            .contains("ringer: password: password must not be empty"),
        "{:?}",
        typed.terminal
    );
}
