//! The default device ids: one-shot commands share one device, so that running many of them in
//! a row does not use up the uid's device limit (5) while their devices linger in the server's
//! reconnect grace (30 s).

use std::process::Command;

use crate::util::{Running, Server, events, find, password_line, ringer, run};

/// Runs `ringer` as alice with the password on stdin and the default device id.
fn as_alice(server: &Server, home: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut all = args.to_vec();
    all.push("--password-stdin");
    run(ringer(home, &server.url, "alice", &all), &password_line())
}

#[test]
fn one_shot_commands_in_a_row_leave_room_for_listen() {
    let server = Server::start(&["alice", "bob"], &[]);
    let home = tempfile::tempdir().expect("config dir");

    // Each device below stays counted for the grace after its run: with a device per command
    // these five would fill the limit of 5.
    for args in [
        &["presence", "bob"][..],
        &["directory"],
        &["history"],
        &["status", "available"],
        &["presence", "alice"],
    ] {
        let output = as_alice(&server, home.path(), args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let output = as_alice(&server, home.path(), &["call", "nobody"]);
    assert_eq!(
        find(&events(&output), "local_invitation_failure")["reason"],
        "peer_unknown"
    );

    let mut listen = Running::start(
        ringer(
            home.path(),
            &server.url,
            "alice",
            &["listen", "--password-stdin"],
        ),
        &password_line(),
    );
    listen.wait_for("logged_in");
    let status = Command::new("kill")
        .args(["-INT", &listen.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    let (status, seen, stderr) = listen.finish();
    assert_eq!(status.code(), Some(0), "{seen:?} {stderr}");

    // As documented: the devices of finished runs show alice online for the grace.
    let output = run(
        ringer(
            home.path(),
            &server.url,
            "bob",
            &[
                "presence",
                "alice",
                "--password-stdin",
                "--device-id",
                "bob",
            ],
        ),
        &password_line(),
    );
    assert_eq!(find(&events(&output), "presence")["presence"], "online");
}
