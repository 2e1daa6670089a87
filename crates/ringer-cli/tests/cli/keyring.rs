//! Login and logout with the real OS keyring (the Secret Service on Linux). Skipped, with a
//! notice, only when no Secret Service answers on the session bus.

use crate::util::{PASSWORD, Server, events, find, password_line, ringer, run};

/// Whether a keyring is usable from this process (and so from the `ringer` it starts).
fn keyring_available() -> bool {
    let probe = keyring::Entry::new("ringer-test-probe", "probe").and_then(|entry| {
        match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(error),
        }
    });
    match probe {
        Ok(()) => true,
        Err(error) => {
            eprintln!(
                "NOTICE: skipping the keyring test: no usable Secret Service on the session bus ({error})"
            );
            false
        }
    }
}

/// A server with alice and bob, a config directory, and alice's keyring entry, after a
/// successful `ringer login` as alice (whose output this keeps); `None` without a keyring.
struct LoggedIn {
    server: Server,
    home: tempfile::TempDir,
    entry: keyring::Entry,
    output: std::process::Output,
}

fn log_in_alice() -> Option<LoggedIn> {
    if !keyring_available() {
        return None;
    }
    let server = Server::start(&["alice", "bob"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let account = format!("alice@{}", server.url);
    let entry = keyring::Entry::new("ringer", &account).expect("a keyring entry");
    let output = run(
        ringer(home.path(), &server.url, "alice", &["login"]),
        &password_line(),
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(LoggedIn {
        server,
        home,
        entry,
        output,
    })
}

#[test]
fn login_stores_the_token_and_logout_revokes_and_deletes_it() {
    let Some(LoggedIn {
        server,
        home,
        entry,
        output,
    }) = log_in_alice()
    else {
        return;
    };
    assert_eq!(find(&events(&output), "logged_in")["uid"], "alice");
    let token = entry.get_password().expect("the token is in the keyring");
    assert_ne!(token, PASSWORD, "the password is never stored");

    // Later runs sign in with the stored token: no password on stdin.
    let output = run(
        ringer(home.path(), &server.url, "alice", &["presence", "bob"]),
        "",
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(find(&events(&output), "presence")["uid"], "bob");

    let output = run(ringer(home.path(), &server.url, "alice", &["logout"]), "");
    assert_logged_out(&output);
    assert!(
        matches!(entry.get_password(), Err(keyring::Error::NoEntry)),
        "the token was deleted"
    );

    let output = run(
        ringer(home.path(), &server.url, "alice", &["presence", "bob"]),
        "",
    );
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not logged in: run `ringer login` first"),
        "{stderr}"
    );

    // The server revoked it too: put it back and it is refused.
    entry.set_password(&token).expect("restore the old token");
    let output = run(
        ringer(home.path(), &server.url, "alice", &["presence", "bob"]),
        "",
    );
    let _ = entry.delete_credential();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("token revoked"), "{stderr}");
}

#[test]
fn logout_works_after_many_one_shot_commands() {
    let Some(LoggedIn {
        server,
        home,
        entry,
        ..
    }) = log_in_alice()
    else {
        return;
    };
    // Each run's device lingers for the reconnect grace; the one-shot runs share one, so the
    // limit of 5 devices is never reached.
    for args in [
        &["presence", "bob"][..],
        &["directory"],
        &["history"],
        &["status", "available"],
        &["call", "nobody"],
    ] {
        let output = run(ringer(home.path(), &server.url, "alice", args), "");
        assert_ne!(
            output.status.code(),
            Some(5),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let output = run(ringer(home.path(), &server.url, "alice", &["logout"]), "");
    let _ = entry.delete_credential();
    assert_logged_out(&output);
}

/// `logout` succeeded and said so.
fn assert_logged_out(output: &std::process::Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    find(&events(output), "logged_out");
}

#[test]
fn without_a_secret_service_the_error_says_what_is_missing() {
    let server = Server::start(&["alice"], &[]);
    let home = tempfile::tempdir().expect("config dir");
    let no_bus = "unix:path=/nonexistent/ringer-test-bus";

    let mut login = ringer(home.path(), &server.url, "alice", &["login"]);
    login.env("DBUS_SESSION_BUS_ADDRESS", no_bus);
    let output = run(login, &password_line());
    assert_eq!(output.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no OS keyring is available")
            && stderr.contains("Secret Service")
            && stderr.contains("--password-stdin"),
        "{stderr}"
    );

    let mut presence = ringer(home.path(), &server.url, "alice", &["presence", "alice"]);
    presence.env("DBUS_SESSION_BUS_ADDRESS", no_bus);
    let output = run(presence, "");
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no OS keyring is available"), "{stderr}");

    // --password-stdin needs no keyring.
    let mut presence = ringer(
        home.path(),
        &server.url,
        "alice",
        &["presence", "alice", "--password-stdin"],
    );
    presence.env("DBUS_SESSION_BUS_ADDRESS", no_bus);
    let output = run(presence, &password_line());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
