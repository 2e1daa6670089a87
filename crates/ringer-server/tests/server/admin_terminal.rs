//! `user add` with its password typed on a real terminal (a pty driven by the CLI tests'
//! `terminal.py`): a prompt on the terminal, no echo, and Ctrl-C restoring the terminal.

use std::path::Path;
use std::process::Command;

use ringer_proto::Password;
use serde_json::Value;

use crate::util::{open_store, uid};

const BIN: &str = env!("CARGO_BIN_EXE_ringer-server");
/// Shared with the CLI's terminal tests: one pty driver for both binaries.
const DRIVER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../ringer-cli/tests/cli/terminal.py"
);

/// Runs `user add alice` on a terminal, typing `keys` at the prompt; `None` without python3.
fn add_on_a_terminal(data: &Path, keys: &str) -> Option<Value> {
    let data = data.to_str().expect("a UTF-8 temporary path");
    let output = Command::new("python3")
        .args([DRIVER, "password: ", keys, ""])
        .args([
            BIN,
            "user",
            "add",
            "alice",
            "--password-stdin",
            "--data",
            data,
        ])
        .output();
    let Ok(output) = output else {
        eprintln!("NOTICE: python3 is not available; the terminal tests are skipped");
        return None;
    };
    assert!(output.status.success(), "terminal.py failed: {output:?}");
    Some(serde_json::from_slice(&output.stdout).expect("terminal.py's report"))
}

#[test]
fn a_password_typed_on_a_terminal_is_not_echoed_and_is_stored() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let Some(report) = add_on_a_terminal(dir.path(), "s3cret pass\n") else {
        return;
    };
    assert_eq!(report["status"], 0, "{report}");
    assert_eq!(report["echo_off_seen"], true, "{report}");
    assert_eq!(report["modes_restored"], true, "{report}");
    let shown = report["terminal"].as_str().expect("the terminal's text");
    assert!(shown.contains("password: "), "{report}");
    assert!(
        !shown.contains("s3cret"),
        "the password was echoed: {report}"
    );
    assert_eq!(report["stdout"], "added user alice\n", "{report}");
    let store = open_store(dir.path());
    let typed = Password::new("s3cret pass").expect("valid password");
    assert!(store.verify_login(&uid("alice"), &typed, 0).is_ok());
}

#[test]
fn ctrl_c_at_the_prompt_restores_the_terminal_and_exits_130() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let Some(report) = add_on_a_terminal(dir.path(), "half\u{3}") else {
        return;
    };
    assert_eq!(report["status"], 130, "{report}");
    assert_eq!(report["modes_restored"], true, "{report}");
    let shown = report["terminal"].as_str().expect("the terminal's text");
    assert!(shown.contains("interrupted"), "{report}");
    assert!(!shown.contains("half"), "{report}");
    let store = open_store(dir.path());
    assert!(
        store
            .verify_login(&uid("alice"), &Password::new("half").expect("valid"), 0)
            .is_err(),
        "nothing was added"
    );
}
