//! `ringer-server`: see `ringer-server --help` and `ringer_server`'s crate documentation.

use std::ffi::OsStr;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use ringer_server::admin;
use ringer_server::cli::{BackupArgs, Cli, Command, LogFormat, ServeArgs, UserCommand};
use ringer_server::config::{ServerConfig, Settings};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(*args),
        Command::User(command) => {
            init_logging(LogFormat::Text, None, "warn");
            user(command)
        }
        Command::Backup(args) => {
            init_logging(LogFormat::Text, None, "warn");
            backup(args)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "ringer-server: {err:#}");
            let status = err
                .downcast_ref::<admin::AdminError>()
                .map_or(admin::EXIT_FAILED, admin::AdminError::exit_status);
            ExitCode::from(status)
        }
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_format, args.log_level.as_deref(), "info");
    let file = match &args.config {
        Some(path) => Settings::from_file(path)?,
        None => Settings::default(),
    };
    let config = ServerConfig::resolve(args.settings.or(file))?;
    let runtime = ringer_server::runtime::build(config.worker_threads)
        .context("cannot start the tokio runtime")?;
    runtime.block_on(async {
        let shutdown = CancellationToken::new();
        ringer_server::shutdown::cancel_on_signal(shutdown.clone());
        let handle = ringer_server::serve(config, shutdown).await?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "ringer-server listening on {}", handle.url())?;
        stdout.flush()?;
        drop(stdout);
        handle.stopped().await;
        Ok(())
    })
}

fn user(command: UserCommand) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match command {
        UserCommand::Add {
            uid,
            name,
            password_stdin: _,
            data,
        } => {
            let password = ringer_server::admin_prompt::read_password_from_stdin()?;
            let store = admin::open_store(&admin::data_dir(data.data)?)?;
            let uid = admin::add_user(&store, &uid, name.as_deref(), &password)?;
            writeln!(stdout, "added user {uid}")?;
        }
        UserCommand::List { json, data } => {
            let store = admin::open_existing_store(&admin::data_dir(data.data)?)?;
            let rows = admin::list_users(&store)?;
            let text = if json {
                admin::format_json(&rows)
            } else {
                admin::format_table(&rows)
            };
            stdout.write_all(text.as_bytes())?;
        }
        UserCommand::Disable { uid, data } => {
            let store = admin::open_existing_store(&admin::data_dir(data.data)?)?;
            let uid = admin::disable_user(&store, &uid)?;
            writeln!(stdout, "disabled user {uid}")?;
        }
        UserCommand::Enable { uid, data } => {
            let store = admin::open_existing_store(&admin::data_dir(data.data)?)?;
            let uid = admin::enable_user(&store, &uid)?;
            writeln!(stdout, "enabled user {uid}")?;
        }
        UserCommand::Remove { uid, data } => {
            let store = admin::open_existing_store(&admin::data_dir(data.data)?)?;
            let uid = admin::remove_user(&store, &uid)?;
            writeln!(stdout, "removed user {uid}")?;
        }
        UserCommand::Passwd {
            uid,
            password_stdin: _,
            data,
        } => {
            // Before the prompt, so that a mistyped --data is not found out only after the
            // password has been typed.
            let store = admin::open_existing_store(&admin::data_dir(data.data)?)?;
            let password = ringer_server::admin_prompt::read_password_from_stdin()?;
            let uid = admin::set_password(&store, &uid, &password)?;
            writeln!(
                stdout,
                "changed the password of {uid}; their sessions are revoked"
            )?;
        }
    }
    Ok(())
}

fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let store = admin::open_existing_store(&admin::data_dir(args.data.data)?)?;
    admin::backup(&store, &args.to)?;
    writeln!(std::io::stdout(), "wrote backup to {}", args.to.display())?;
    Ok(())
}

/// Whether text logs may be coloured: only on a terminal, where escape codes are read by a
/// person, not written into a file or a log collector; and not when NO_COLOR asks otherwise
/// (<https://no-color.org>: set and not empty).
fn colour_logs(stderr_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    stderr_is_terminal && no_color.is_none_or(OsStr::is_empty)
}

/// Logs to stderr: `level` if given, else `RUST_LOG`, else `default`.
fn init_logging(format: LogFormat, level: Option<&str>, default: &str) {
    let filter = match level {
        Some(level) => EnvFilter::new(level),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default)),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour_logs(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        ));
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use super::colour_logs;

    #[test]
    fn logs_are_coloured_only_on_a_terminal_without_no_color() {
        assert!(colour_logs(true, None));
        assert!(
            colour_logs(true, Some(OsStr::new(""))),
            "an empty NO_COLOR is unset"
        );
        assert!(!colour_logs(true, Some(OsStr::new("1"))));
        assert!(!colour_logs(false, None));
        assert!(!colour_logs(false, Some(OsStr::new("1"))));
    }
}
