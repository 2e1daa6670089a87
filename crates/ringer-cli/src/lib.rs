//! `ringer`, a headless Ringer client for people, bots and scripts.
//!
//! The binary is a thin `main` around [`run`]: it parses the command line ([`cli::Cli`]), signs
//! in with a stored token or a password from standard input ([`session`]), runs one command on a
//! [`ringer_client::Client`], and prints what happens as text or JSON lines ([`output`]). The
//! exit status tells how it ended ([`error`]).
//!
//! # Layout
//!
//! - `cli.rs`: the clap definitions.
//! - `commands/`: one module per command group (`account`, `call`, `listen`, `queries`).
//! - `session.rs`: choosing credentials and waiting to be signed in.
//! - `prompt.rs`: the password prompt on a terminal, without echo.
//! - `token_store.rs`: the session token in the OS keyring.
//! - `device.rs`: the installation's stable device id.
//! - `output.rs`: the line formats.
//! - `error.rs`: the error type and exit statuses.

pub mod cli;
mod commands;
pub mod device;
pub mod error;
pub mod output;
mod prompt;
pub mod session;
pub mod token_store;

use commands::Outcome;
use error::{CliError, EXIT_NOT_ACCEPTED, EXIT_OK, EXIT_OTHER};
use output::{Line, Printer};

/// Runs a parsed command line to its end and returns the process exit status.
pub fn run(cli: cli::Cli) -> u8 {
    init_logging();
    let mut printer = Printer::stdout(cli.global.json);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("ringer: cannot start the async runtime: {error}");
            return EXIT_OTHER;
        }
    };
    let result = runtime.block_on(commands::run(&cli.global, cli.command, &mut printer));
    match result {
        Ok(Outcome::Success) => EXIT_OK,
        Ok(Outcome::NotAccepted) => EXIT_NOT_ACCEPTED,
        Err(error) => report(&error, &mut printer),
    }
}

/// Prints an error to standard error (and as a JSON line with `--json`); returns its status.
fn report(error: &CliError, printer: &mut Printer) -> u8 {
    eprintln!("ringer: {error}");
    if printer.is_json() {
        let message = error.to_string();
        let _ = printer.print(&Line::Error {
            kind: error.kind(),
            message: &message,
        });
    }
    error.exit_code()
}

/// Reports a command line clap refused the way every other error is reported (`ringer:` on
/// standard error, an `error` line of kind `usage` with `--json`), so that scripts see one
/// format; `--help` and `--version` print as clap does. Returns the exit status.
pub fn report_bad_command_line(error: &clap::Error, args: &[std::ffi::OsString]) -> u8 {
    if !error.use_stderr() {
        // `--help`, `--version`: not errors.
        let _ = error.print();
        return EXIT_OK;
    }
    let rendered = error.render().to_string();
    let message =
        if error.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            // The rendering is the whole help, which is what a bare `ringer` should show.
            eprint!("{rendered}");
            "a command is required (see `ringer --help`)".to_owned()
        } else {
            let text = rendered.strip_prefix("error: ").unwrap_or(&rendered);
            eprint!("ringer: {text}");
            // The cause, without clap's usage line and tips, on one line.
            let cause: Vec<&str> = text
                .lines()
                .take_while(|line| !line.trim().is_empty())
                .map(str::trim)
                .collect();
            cause.join(" ")
        };
    // The parse failed, so whether `--json` was meant is read from the raw arguments.
    let json = args
        .iter()
        .skip(1)
        .take_while(|arg| *arg != "--")
        .any(|arg| arg == "--json");
    if json {
        let _ = Printer::stdout(true).print(&Line::Error {
            kind: "usage",
            message: &message,
        });
    }
    error::EXIT_USAGE
}

/// Diagnostics to standard error, only when `RUST_LOG` asks for them.
fn init_logging() {
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .try_init();
    }
}
