//! Parsing the command line.

use clap::Parser;
use clap::error::ErrorKind;
use ringer_cli::cli::{Cli, Command, OnOff, RefuseChoice, StatusChoice};

fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
    Cli::try_parse_from(std::iter::once("ringer").chain(args.iter().copied()))
}

#[test]
fn global_options_are_accepted_after_the_command() {
    let cli = parse(&[
        "call",
        "bob",
        "--server",
        "wss://ringer.example:443",
        "--user",
        "alice",
        "--json",
        "--password-stdin",
        "--device-id",
        "laptop",
        "--cancel-after",
        "2.5",
    ])
    .expect("valid command line");
    assert_eq!(cli.global.server, "wss://ringer.example:443");
    assert_eq!(cli.global.user.as_deref(), Some("alice"));
    assert!(cli.global.json);
    assert!(cli.global.password_stdin);
    assert_eq!(cli.global.device_id.as_deref(), Some("laptop"));
    let Command::Call(call) = cli.command else {
        panic!("expected call, got {:?}", cli.command);
    };
    assert_eq!(call.callee, "bob");
    assert_eq!(call.cancel_after, Some(2.5));
    assert_eq!(call.hangup_after, None);
}

#[test]
fn global_options_are_accepted_before_the_command() {
    let cli = parse(&["--user", "bob", "--json", "listen", "--accept", "--once"])
        .expect("valid command line");
    assert_eq!(cli.global.user.as_deref(), Some("bob"));
    assert!(cli.global.json);
    let Command::Listen(listen) = cli.command else {
        panic!("expected listen, got {:?}", cli.command);
    };
    assert!(listen.accept && listen.once && !listen.refuse);
}

#[test]
fn accept_and_refuse_conflict() {
    let error = parse(&["listen", "--accept", "--refuse"]).expect_err("they conflict");
    assert_eq!(error.kind(), ErrorKind::ArgumentConflict);
}

#[test]
fn a_refusal_reason_needs_refuse() {
    let error = parse(&["listen", "--reason", "busy"]).expect_err("--reason needs --refuse");
    assert_eq!(error.kind(), ErrorKind::MissingRequiredArgument);
    let cli = parse(&["listen", "--refuse", "--reason", "busy"]).expect("valid");
    let Command::Listen(listen) = cli.command else {
        panic!("expected listen");
    };
    assert_eq!(listen.reason, RefuseChoice::Busy);
    let error = parse(&["listen", "--refuse", "--reason", "dnd"]).expect_err("not a choice");
    assert_eq!(error.kind(), ErrorKind::InvalidValue);
}

#[test]
fn status_takes_a_status_and_call_waiting() {
    let cli = parse(&["status", "dnd", "--call-waiting", "off"]).expect("valid");
    let Command::Status(status) = cli.command else {
        panic!("expected status");
    };
    assert_eq!(status.status, StatusChoice::Dnd);
    assert_eq!(status.call_waiting, Some(OnOff::Off));
    let error = parse(&["status", "away"]).expect_err("not a status");
    assert_eq!(error.kind(), ErrorKind::InvalidValue);
}

#[test]
fn presence_needs_a_uid_and_history_a_number() {
    let error = parse(&["presence"]).expect_err("no uid");
    assert_eq!(error.kind(), ErrorKind::MissingRequiredArgument);
    let cli = parse(&["presence", "bob", "carol"]).expect("valid");
    let Command::Presence(presence) = cli.command else {
        panic!("expected presence");
    };
    assert_eq!(presence.uids, ["bob", "carol"]);
    let error = parse(&["history", "--limit", "many"]).expect_err("not a number");
    assert_eq!(error.kind(), ErrorKind::ValueValidation);
}

#[test]
fn values_the_server_would_refuse_are_usage_errors() {
    for limit in ["0", "501"] {
        let error = parse(&["history", "--limit", limit]).expect_err("out of range");
        assert_eq!(error.kind(), ErrorKind::ValueValidation, "--limit {limit}");
        assert_eq!(error.exit_code(), 2);
    }
    for limit in ["1", "500"] {
        parse(&["history", "--limit", limit]).expect("in range");
    }

    let uids: Vec<String> = (0..257).map(|n| format!("user{n}")).collect();
    let mut args = vec!["presence"];
    args.extend(uids.iter().map(String::as_str));
    let error = parse(&args).expect_err("257 uids");
    assert_eq!(error.exit_code(), 2);
    let cli = parse(&args[..257]).expect("256 uids");
    let Command::Presence(presence) = cli.command else {
        panic!("expected presence");
    };
    assert_eq!(presence.uids.len(), 256);
}

#[test]
fn the_server_has_a_default() {
    let cli = parse(&["directory"]).expect("valid");
    // RINGER_SERVER may be set in a developer's shell; only check the default when it is not.
    if std::env::var_os("RINGER_SERVER").is_none() {
        assert_eq!(cli.global.server, "ws://127.0.0.1:7878");
    }
}
