//! Two `ringer` processes and a `ringer-server` process: every way a call can end, with the
//! exit statuses and JSON events a script relies on.

use crate::util::{Running, Server, events, find, names, password_line, ringer, run};

/// Starts `ringer listen` as bob with `args` and waits until it is signed in.
fn listening(server: &Server, home: &std::path::Path, args: &[&str]) -> Running {
    let mut all = vec!["listen", "--password-stdin", "--device-id", "bob-cli"];
    all.extend_from_slice(args);
    let mut bob = Running::start(ringer(home, &server.url, "bob", &all), &password_line());
    bob.wait_for("logged_in");
    bob
}

fn call(
    server: &Server,
    home: &std::path::Path,
    callee: &str,
    args: &[&str],
) -> std::process::Output {
    let mut all = vec![
        "call",
        callee,
        "--password-stdin",
        "--device-id",
        "alice-cli",
    ];
    all.extend_from_slice(args);
    run(ringer(home, &server.url, "alice", &all), &password_line())
}

#[test]
fn an_accepted_call_exits_zero_on_both_sides() {
    let server = Server::start(&["alice", "bob"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let bob = listening(
        &server,
        home.path(),
        &["--accept", "--once", "--response", "hi"],
    );

    let output = call(
        &server,
        home.path(),
        "bob",
        &["--hangup-after", "0.2", "--content", "lunch?"],
    );
    let alice = events(&output);
    assert_eq!(output.status.code(), Some(0), "{alice:?}");
    let sent = find(&alice, "invitation_sent");
    let id = sent["id"].as_str().expect("an id").to_owned();
    assert_eq!(sent["peer"], "bob");
    assert_eq!(sent["content"], "lunch?");
    let accepted = find(&alice, "local_invitation_accepted");
    assert_eq!(accepted["id"], id.as_str());
    assert_eq!(accepted["peer"], "bob");
    assert_eq!(accepted["response"], "hi");
    let ended = find(&alice, "call_ended");
    assert_eq!(ended["reason"], "hangup");
    assert_eq!(ended["by"], "alice");
    let order = names(&alice);
    let position = |name: &str| order.iter().position(|n| n == name);
    assert!(
        position("local_invitation_received_by_peer") < position("local_invitation_accepted")
            && position("local_invitation_accepted") < position("call_ended"),
        "{order:?}"
    );

    let (status, bob_events, stderr) = bob.finish();
    assert_eq!(status.code(), Some(0), "{bob_events:?} {stderr}");
    let received = find(&bob_events, "remote_invitation_received");
    assert_eq!(received["id"], id.as_str());
    assert_eq!(received["peer"], "alice");
    assert_eq!(received["content"], "lunch?");
    assert_eq!(
        find(&bob_events, "remote_invitation_accepted")["peer"],
        "alice"
    );
    let ended = find(&bob_events, "call_ended");
    assert_eq!(ended["id"], id.as_str());
    assert_eq!(ended["by"], "alice");
}

#[test]
fn a_refused_call_exits_non_zero_with_the_reason() {
    let server = Server::start(&["alice", "bob"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let bob = listening(
        &server,
        home.path(),
        &["--refuse", "--reason", "busy", "--once"],
    );

    let output = call(&server, home.path(), "bob", &[]);
    let alice = events(&output);
    assert_eq!(output.status.code(), Some(1), "{alice:?}");
    let refused = find(&alice, "local_invitation_refused");
    assert_eq!(refused["reason"], "busy");
    assert_eq!(refused["peer"], "bob");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bob refused: busy"), "{stderr}");

    let (status, bob_events, _) = bob.finish();
    assert_eq!(status.code(), Some(0), "{bob_events:?}");
    find(&bob_events, "remote_invitation_refused");
}

#[test]
fn cancel_after_cancels_a_ringing_call() {
    let server = Server::start(&["alice", "bob"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let bob = listening(&server, home.path(), &["--once"]);

    let output = call(&server, home.path(), "bob", &["--cancel-after", "0.5"]);
    let alice = events(&output);
    assert_eq!(output.status.code(), Some(1), "{alice:?}");
    find(&alice, "local_invitation_canceled");
    assert!(
        !names(&alice).contains(&"local_invitation_accepted".to_owned()),
        "{alice:?}"
    );

    let (status, bob_events, _) = bob.finish();
    assert_eq!(status.code(), Some(1), "{bob_events:?}");
    let canceled = find(&bob_events, "remote_invitation_canceled");
    assert_eq!(canceled["reason"], "canceled");
    assert_eq!(canceled["peer"], "alice");
}

#[test]
fn calling_an_offline_user_fails_with_peer_offline() {
    let server = Server::start(&["alice", "bob"], &["--offline-wait", "1s"]);
    let home = tempfile::tempdir().expect("config dir");

    let output = call(&server, home.path(), "bob", &[]);
    let alice = events(&output);
    assert_eq!(output.status.code(), Some(1), "{alice:?}");
    let failure = find(&alice, "local_invitation_failure");
    assert_eq!(failure["reason"], "peer_offline");
    assert_eq!(failure["peer"], "bob");
}

#[test]
fn an_unanswered_call_expires_on_both_sides() {
    let server = Server::start(&["alice", "bob"], &["--ring-timeout", "1s"]);
    let home = tempfile::tempdir().expect("config dir");
    let bob = listening(&server, home.path(), &["--once"]);

    let output = call(&server, home.path(), "bob", &[]);
    let alice = events(&output);
    assert_eq!(output.status.code(), Some(1), "{alice:?}");
    find(&alice, "local_invitation_received_by_peer");
    assert_eq!(
        find(&alice, "local_invitation_failure")["reason"],
        "invitation_expire"
    );

    let (status, bob_events, _) = bob.finish();
    assert_eq!(status.code(), Some(1), "{bob_events:?}");
    assert_eq!(
        find(&bob_events, "remote_invitation_failure")["reason"],
        "invitation_expire"
    );
}

#[test]
fn an_unknown_callee_fails_at_once() {
    let server = Server::start(&["alice"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let output = call(&server, home.path(), "nobody", &[]);
    let alice = events(&output);
    assert_eq!(output.status.code(), Some(1), "{alice:?}");
    let failure = find(&alice, "local_invitation_failure");
    assert_eq!(failure["reason"], "peer_unknown");
    assert_eq!(
        failure["code"],
        serde_json::Value::Null,
        "no server error: {failure}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown user"), "{stderr}");
}

/// The wire's reason for an `invite` the server refused is `peer_unknown`, but the callee has an
/// account: the CLI reports the server's error, with the exit status of a refused request.
#[test]
fn an_invite_the_server_refuses_reports_the_servers_error() {
    // One frame an hour: the login spends it, so the invite is answered `rate_limited`.
    let server = Server::start(
        &["alice", "bob"],
        &["--frame-rate-limit", "1", "--frame-rate-period", "1h"],
    );
    let home = tempfile::tempdir().expect("config dir");
    let output = call(&server, home.path(), "bob", &[]);
    let alice = events(&output);
    assert_eq!(output.status.code(), Some(5), "{alice:?}");
    let failure = find(&alice, "local_invitation_failure");
    assert_eq!(failure["reason"], "peer_unknown");
    assert_eq!(failure["code"], "rate_limited");
    assert!(
        failure["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{failure}"
    );
    let error = find(&alice, "error");
    assert_eq!(error["kind"], "error");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ringer: server refused the request: rate_limited: "),
        "{stderr}"
    );
    assert!(!stderr.contains("unknown user"), "{stderr}");
    assert!(!stderr.contains("not accepted"), "{stderr}");
}

#[test]
fn queries_print_one_line_per_answer() {
    let server = Server::start(&["alice", "bob", "carol"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let login = ["--password-stdin", "--device-id", "alice-cli"];

    let mut args = vec!["status", "dnd", "--call-waiting", "on"];
    args.extend_from_slice(&login);
    let output = run(
        ringer(home.path(), &server.url, "bob", &args),
        &password_line(),
    );
    assert_eq!(output.status.code(), Some(0));
    let status = events(&output);
    assert_eq!(status.len(), 1, "{status:?}");
    assert_eq!(status[0]["event"], "status_changed");
    assert_eq!(status[0]["status"], "dnd");
    assert_eq!(status[0]["call_waiting"], true);

    let mut args = vec!["presence", "bob", "carol"];
    args.extend_from_slice(&login);
    let output = run(
        ringer(home.path(), &server.url, "alice", &args),
        &password_line(),
    );
    assert_eq!(output.status.code(), Some(0));
    let presence = events(&output);
    assert_eq!(presence.len(), 2, "{presence:?}");
    // bob is offline again (his `status` run ended), and carol never came.
    assert_eq!(presence[0]["uid"], "bob");
    assert_eq!(presence[1]["uid"], "carol");
    assert_eq!(presence[1]["presence"], "offline");

    let mut args = vec!["directory"];
    args.extend_from_slice(&login);
    let output = run(
        ringer(home.path(), &server.url, "alice", &args),
        &password_line(),
    );
    assert_eq!(output.status.code(), Some(0));
    let users: Vec<_> = events(&output)
        .iter()
        .map(|e| (e["event"].clone(), e["uid"].clone()))
        .collect();
    assert_eq!(
        users,
        [
            ("directory_entry".into(), "alice".into()),
            ("directory_entry".into(), "bob".into()),
            ("directory_entry".into(), "carol".into()),
        ]
    );

    let mut args = vec!["history", "--limit", "5"];
    args.extend_from_slice(&login);
    let output = run(
        ringer(home.path(), &server.url, "alice", &args),
        &password_line(),
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(events(&output).is_empty(), "alice has made no call yet");
}

#[test]
fn errors_name_their_cause_and_exit_with_their_class() {
    let server = Server::start(&["alice"], &[]);
    let home = tempfile::tempdir().expect("config dir");

    let output = run(
        ringer(
            home.path(),
            &server.url,
            "alice",
            &["presence", "bob", "--password-stdin"],
        ),
        "wrong password\n",
    );
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad credentials"), "{stderr}");
    let error = find(&events(&output), "error").clone();
    assert_eq!(error["kind"], "auth");

    // Nothing listens on port 1 of loopback.
    let output = run(
        ringer(
            home.path(),
            "ws://127.0.0.1:1",
            "alice",
            &["presence", "bob", "--password-stdin"],
        ),
        &password_line(),
    );
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("server unreachable: "), "{stderr}");

    let output = run(
        ringer(
            home.path(),
            &server.url,
            "alice",
            &["call", "bob", "--cancel-after", "-1", "--password-stdin"],
        ),
        &password_line(),
    );
    assert_eq!(output.status.code(), Some(2));

    // The default device id is stored once in the (private) config directory.
    let stored = std::fs::read_to_string(home.path().join("ringer").join("device-id"))
        .expect("the device id was stored");
    assert!(stored.trim().starts_with("cli-"), "{stored}");
}

#[test]
fn server_and_user_come_from_the_environment() {
    let home = tempfile::tempdir().expect("config dir");
    let mut command = std::process::Command::new(crate::util::ringer_path());
    command
        .env("RINGER_SERVER", "ws://127.0.0.1:1")
        .env("RINGER_USER", "alice")
        .env_remove("RINGER_DEVICE_ID")
        .env("XDG_CONFIG_HOME", home.path())
        .args(["presence", "bob", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let output = run(command, &password_line());
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("server unreachable: ws://127.0.0.1:1"),
        "{stderr}"
    );

    let mut command = std::process::Command::new(crate::util::ringer_path());
    command
        .env_remove("RINGER_USER")
        .env("XDG_CONFIG_HOME", home.path())
        .args(["directory", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let output = run(command, &password_line());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--user UID is required"), "{stderr}");
}

#[test]
fn calling_yourself_is_a_usage_error() {
    // Refused before connecting: nothing listens on port 1 of loopback.
    let home = tempfile::tempdir().expect("config dir");
    let output = run(
        ringer(
            home.path(),
            "ws://127.0.0.1:1",
            "carol",
            &["call", "carol", "--password-stdin"],
        ),
        &password_line(),
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("carol is you: a user cannot call themselves"),
        "{stderr}"
    );
    assert!(!stderr.contains("unknown user"), "{stderr}");
    assert_eq!(find(&events(&output), "error")["kind"], "usage");
}

#[test]
fn out_of_range_values_exit_two_before_connecting() {
    let home = tempfile::tempdir().expect("config dir");
    let many: Vec<String> = (0..257).map(|n| format!("user{n}")).collect();
    let mut presence = vec!["presence", "--password-stdin"];
    presence.extend(many.iter().map(String::as_str));
    for args in [
        &["history", "--limit", "0", "--password-stdin"][..],
        &["history", "--limit", "501", "--password-stdin"],
        &presence,
    ] {
        let output = run(
            ringer(home.path(), "ws://127.0.0.1:1", "alice", args),
            &password_line(),
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{:?}: {stderr}", &args[..3]);
        assert!(stderr.starts_with("ringer: "), "{stderr}");
        assert_eq!(find(&events(&output), "error")["kind"], "usage");
    }
}

/// What clap refuses is reported as the CLI's own usage errors are (docs/cli.md, "Exit
/// status" and "Output"), with `--json` too.
#[test]
fn a_command_line_clap_refuses_is_a_usage_error_in_the_usual_format() {
    let home = tempfile::tempdir().expect("config dir");
    for (args, cause) in [
        (
            &["--bogus-flag", "directory"][..],
            "unexpected argument '--bogus-flag' found",
        ),
        (
            &["call"],
            "the following required arguments were not provided: <CALLEE>",
        ),
        (
            &["listen", "--accept", "--refuse"],
            "the argument '--accept' cannot be used with '--refuse'",
        ),
    ] {
        let output = run(ringer(home.path(), "ws://127.0.0.1:1", "alice", args), "");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("ringer: "), "{stderr}");
        let events = events(&output);
        let error = find(&events, "error");
        assert_eq!(error["kind"], "usage");
        assert_eq!(error["message"], cause);
    }
}

#[test]
fn a_removed_account_ends_listen_with_an_auth_error() {
    let server = Server::start(&["alice", "bob"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let bob = listening(&server, home.path(), &[]);

    let status = std::process::Command::new(crate::util::server_path())
        .args(["user", "remove", "bob", "--data"])
        .arg(server.data_dir())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run ringer-server user remove");
    assert!(status.success());

    let (status, bob_events, stderr) = bob.finish();
    assert_eq!(status.code(), Some(3), "{bob_events:?} {stderr}");
    assert!(stderr.contains("account removed"), "{stderr}");
}
