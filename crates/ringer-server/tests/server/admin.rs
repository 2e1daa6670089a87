//! The admin commands, through the library and through the built binary.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use ringer_proto::Password;
use ringer_server::admin::{self, AdminError};
use ringer_store::StoreError;

use crate::util::{PATIENCE, open_store, uid};

const BIN: &str = env!("CARGO_BIN_EXE_ringer-server");

fn password(s: &str) -> Password {
    Password::new(s).expect("valid password")
}

#[test]
fn user_commands_through_the_library() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let store = open_store(dir.path());

    admin::add_user(&store, "alice", Some("Alice A."), &password("pw")).expect("add alice");
    admin::add_user(&store, "bob", None, &password("pw")).expect("add bob");
    let duplicate = admin::add_user(&store, "alice", None, &password("pw"));
    assert!(
        matches!(duplicate, Err(AdminError::Store(StoreError::UserExists(_)))),
        "{duplicate:?}"
    );
    let invalid = admin::add_user(&store, "null", None, &password("pw"));
    assert!(
        matches!(invalid, Err(AdminError::InvalidUid { .. })),
        "{invalid:?}"
    );

    admin::disable_user(&store, "bob").expect("disable bob");
    let rows = admin::list_users(&store).expect("list");
    let summary: Vec<(String, String, bool)> = rows
        .iter()
        .map(|r| (r.uid.to_string(), r.display_name.to_string(), r.enabled))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("alice".to_owned(), "Alice A.".to_owned(), true),
            ("bob".to_owned(), "bob".to_owned(), false),
        ]
    );
    let table = admin::format_table(&rows);
    assert!(table.starts_with("UID"), "{table}");
    assert!(table.contains("Alice A."), "{table}");
    let json: serde_json::Value =
        serde_json::from_str(&admin::format_json(&rows)).expect("list --json is JSON");
    assert_eq!(json[1]["uid"], "bob");
    assert_eq!(json[1]["enabled"], false);

    admin::enable_user(&store, "bob").expect("enable bob");
    admin::set_password(&store, "bob", &password("new")).expect("passwd bob");
    assert!(store.verify_login(&uid("bob"), &password("new"), 0).is_ok());

    admin::remove_user(&store, "bob").expect("remove bob");
    let unknown = admin::remove_user(&store, "bob");
    assert!(
        matches!(unknown, Err(AdminError::Store(StoreError::UnknownUser(_)))),
        "{unknown:?}"
    );
    let unknown = admin::disable_user(&store, "zed");
    assert!(
        matches!(unknown, Err(AdminError::Store(StoreError::UnknownUser(_)))),
        "{unknown:?}"
    );
}

fn run(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ringer-server");
    let written = child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes());
    // A command that refuses before it reads standard input may have exited already.
    if let Err(error) = written {
        assert_eq!(
            error.kind(),
            std::io::ErrorKind::BrokenPipe,
            "write stdin: {error}"
        );
    }
    child.wait_with_output().expect("wait for ringer-server")
}

#[test]
fn user_commands_through_the_binary() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let data = dir.path().to_str().expect("utf-8 path");

    let added = run(
        &[
            "user",
            "add",
            "alice",
            "--name",
            "Alice",
            "--password-stdin",
            "--data",
            data,
        ],
        "s3cret\n",
    );
    assert!(added.status.success(), "{added:?}");

    let listed = run(&["user", "list", "--data", data], "");
    assert!(listed.status.success(), "{listed:?}");
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(
        stdout.contains("alice") && stdout.contains("Alice"),
        "{stdout}"
    );

    let duplicate = run(
        &["user", "add", "alice", "--password-stdin", "--data", data],
        "x\n",
    );
    assert!(!duplicate.status.success());
    assert!(
        String::from_utf8_lossy(&duplicate.stderr).contains("already exists"),
        "{duplicate:?}"
    );

    let unknown = run(&["user", "disable", "bob", "--data", data], "");
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("no such user"),
        "{unknown:?}"
    );

    let empty = run(
        &["user", "add", "carol", "--password-stdin", "--data", data],
        "\n",
    );
    assert!(!empty.status.success());
    assert!(
        String::from_utf8_lossy(&empty.stderr).contains("empty password"),
        "{empty:?}"
    );

    let invalid = run(
        &["user", "add", " spaced", "--password-stdin", "--data", data],
        "pw\n",
    );
    assert!(!invalid.status.success());
    assert_eq!(
        String::from_utf8_lossy(&invalid.stderr),
        "ringer-server: invalid uid \" spaced\": uid is invalid: no leading or trailing space is allowed\n"
    );

    let target = dir.path().join("copy.db");
    let target_str = target.to_str().expect("utf-8 path");
    let backup = run(&["backup", "--data", data, "--to", target_str], "");
    assert!(backup.status.success(), "{backup:?}");
    let copy =
        ringer_store::Store::open_file(&target, ringer_store::StoreOptions::insecure_for_tests())
            .expect("the backup opens");
    let users = copy.list_users().expect("list the backup's users");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].uid, uid("alice"));
    let again = run(&["backup", "--data", data, "--to", target_str], "");
    assert!(!again.status.success(), "a backup never overwrites");
}

#[test]
fn serve_prints_its_address_and_stops_on_sigterm() {
    serve_health_then_sigterm(&[]);
}

#[test]
fn serve_on_one_worker_thread_or_three() {
    serve_health_then_sigterm(&["--worker-threads", "1"]);
    serve_health_then_sigterm(&["--worker-threads", "3"]);
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let data = dir.path().to_str().expect("utf-8 path");
    let bad = serve_outcome(
        &["--listen", "127.0.0.1:0", "--data", data],
        &[("RINGER_WORKER_THREADS", "many")],
    );
    assert!(
        bad.as_ref().is_err_and(|e| e.contains("--worker-threads")),
        "{bad:?}"
    );
}

/// Starts `serve` (with `args` added), checks that it prints its address and answers
/// `GET /health`, then that SIGTERM stops it cleanly.
fn serve_health_then_sigterm(args: &[&str]) {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .arg("--data")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run ringer-server serve");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the first line");
    let url = line
        .trim_end()
        .strip_prefix("ringer-server listening on ws://")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"))
        .to_owned();
    let addr: std::net::SocketAddr = url.parse().expect("a socket address");
    assert_ne!(addr.port(), 0);

    let mut tcp = std::net::TcpStream::connect(addr).expect("connect");
    tcp.set_read_timeout(Some(PATIENCE)).expect("set a timeout");
    tcp.write_all(b"GET /health HTTP/1.1\r\n\r\n")
        .expect("write");
    let mut response = String::new();
    std::io::Read::read_to_string(&mut tcp, &mut response).expect("read");
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let status = child.wait().expect("wait for the server");
    assert!(status.success(), "{status:?}");
}

#[test]
fn serve_refuses_plaintext_on_a_public_address() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let output = Command::new(BIN)
        .args(["serve", "--listen", "0.0.0.0:0", "--data"])
        .arg(dir.path())
        .output()
        .expect("run ringer-server serve");
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--allow-plaintext"),
        "{output:?}"
    );
}

/// Starts `serve` with `args` and `env`; returns whether it came up (then stops it) or, if it
/// exited at once, its stderr.
fn serve_outcome(args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let mut command = Command::new(BIN);
    command
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("run ringer-server serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut line)
        .expect("read the first line");
    if line.starts_with("ringer-server listening on ") {
        let _ = child.kill();
        let _ = child.wait();
        Ok(())
    } else {
        let output = child.wait_with_output().expect("wait for the server");
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn flags_beat_environment_beats_file() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let file = dir.path().join("ringer-server.toml");
    std::fs::write(&file, "listen = \"0.0.0.0:0\"\n").expect("write the config file");
    let file = file.to_str().expect("utf-8 path");
    let data = dir.path().join("data");
    let data = data.to_str().expect("utf-8 path");

    let from_file = serve_outcome(&["--config", file, "--data", data], &[]);
    assert!(
        from_file.as_ref().is_err_and(|e| e.contains("0.0.0.0")),
        "the file's listen address applies: {from_file:?}"
    );
    let env_over_file = serve_outcome(
        &["--config", file, "--data", data],
        &[("RINGER_LISTEN", "127.0.0.1:0")],
    );
    assert_eq!(env_over_file, Ok(()), "the environment beats the file");
    let flag_over_env = serve_outcome(
        &["--listen", "127.0.0.1:0", "--data", data],
        &[("RINGER_LISTEN", "0.0.0.0:0")],
    );
    assert_eq!(flag_over_env, Ok(()), "a flag beats the environment");
    let bad_file = serve_outcome(
        &["--config", file, "--data", data, "--ring-timeout", "soon"],
        &[],
    );
    assert!(bad_file.is_err(), "a bad duration is refused");
}

/// What `run` printed on stderr.
fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn an_invalid_uid_is_explained_once() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let data = dir.path().to_str().expect("utf-8 path");
    let output = run(
        &[
            "user",
            "add",
            "bad\"uid",
            "--password-stdin",
            "--data",
            data,
        ],
        "pw\n",
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        stderr(&output),
        "ringer-server: invalid uid \"bad\\\"uid\": uid is invalid: only ASCII letters, digits, \
         space and !#$%&()+-:;<=.>?@[]^_{}|~, are allowed\n"
    );
}

#[test]
fn a_newer_schema_is_explained_once() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    drop(open_store(dir.path()));
    // The header's user_version (bytes 60..64, big-endian) is the schema version; the store
    // closed cleanly, so the main file holds every page and no WAL is left to override it.
    let file = dir.path().join("ringer.db");
    let mut bytes = std::fs::read(&file).expect("read the database");
    bytes[60..64].copy_from_slice(&99u32.to_be_bytes());
    std::fs::write(&file, &bytes).expect("write the database");

    let data = dir.path().to_str().expect("utf-8 path");
    let served = serve_outcome(&["--listen", "127.0.0.1:0", "--data", data], &[]);
    let Err(served) = served else {
        panic!("the server started on a newer schema");
    };
    let line = served
        .lines()
        .find(|l| l.starts_with("ringer-server: "))
        .unwrap_or_else(|| panic!("no error line in {served:?}"));
    assert!(
        line.starts_with("ringer-server: cannot open the store: database schema version 99 is newer than this build supports ("),
        "{line}"
    );
    assert_eq!(line.matches("newer").count(), 1, "{line}");

    let listed = run(&["user", "list", "--data", data], "");
    assert_eq!(listed.status.code(), Some(1), "{listed:?}");
    assert_eq!(stderr(&listed).matches("newer").count(), 1, "{listed:?}");
}

#[test]
fn commands_on_existing_accounts_refuse_a_directory_without_a_database() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let missing = dir.path().join("mistyped");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("create an empty directory");
    let target = dir.path().join("b.db");
    let target_str = target.to_str().expect("utf-8 path");

    for data in [&missing, &empty] {
        let data_str = data.to_str().expect("utf-8 path");
        let expected = format!(
            "ringer-server: no Ringer data in {data_str} (no ringer.db): check --data / RINGER_DATA\n"
        );
        let commands: [(&[&str], &str); 6] = [
            (&["user", "list"], ""),
            (&["user", "disable", "alice"], ""),
            (&["user", "enable", "alice"], ""),
            (&["user", "remove", "alice"], ""),
            (&["user", "passwd", "alice", "--password-stdin"], "pw\n"),
            (&["backup", "--to", target_str], ""),
        ];
        for (args, stdin) in commands {
            let output = run(&[args, &["--data", data_str]].concat(), stdin);
            assert_eq!(output.status.code(), Some(3), "{args:?}: {output:?}");
            assert_eq!(stderr(&output), expected, "{args:?}");
            assert!(output.stdout.is_empty(), "{args:?}: {output:?}");
        }
    }
    assert!(!missing.exists(), "the mistyped directory was created");
    assert!(
        !empty.join("ringer.db").exists(),
        "a database was created in the empty directory"
    );
    assert!(!target.exists(), "a backup of nothing was written");

    let through_the_environment = Command::new(BIN)
        .args(["user", "list"])
        .env("RINGER_DATA", &missing)
        .output()
        .expect("run ringer-server");
    assert_eq!(
        through_the_environment.status.code(),
        Some(3),
        "{through_the_environment:?}"
    );
    assert!(!missing.exists(), "RINGER_DATA's directory was created");
}

#[test]
fn user_add_creates_a_new_servers_data() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("new").join("server");
    let data_str = data.to_str().expect("utf-8 path");

    let added = run(
        &[
            "user",
            "add",
            "alice",
            "--password-stdin",
            "--data",
            data_str,
        ],
        "pw\n",
    );
    assert!(added.status.success(), "{added:?}");
    assert!(data.join("ringer.db").is_file());
    let listed = run(&["user", "list", "--data", data_str], "");
    assert!(listed.status.success(), "{listed:?}");
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("alice"),
        "{listed:?}"
    );
}

#[test]
fn a_usage_error_exits_2() {
    let output = run(&["user", "list", "--bogus"], "");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn text_logs_to_a_pipe_have_no_colour_codes() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-level",
            "info",
            "--data",
        ])
        .arg(dir.path())
        .env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ringer-server serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut line)
        .expect("read the first line");
    assert!(line.starts_with("ringer-server listening on "), "{line:?}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let output = child.wait_with_output().expect("wait for the server");
    let logs = stderr(&output);
    assert!(logs.contains("listening"), "{logs}");
    assert!(!logs.contains('\u{1b}'), "colour codes in {logs:?}");
}
