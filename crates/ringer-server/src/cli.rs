//! The command line of `ringer-server` (clap): `serve`, `user …` and `backup`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::admin::EXIT_STATUS_HELP;
use crate::config::Settings;

/// Ringer's server: call invitations for a team over WebSocket, with its own account store.
#[derive(Debug, Parser)]
#[command(name = "ringer-server", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the server: WebSocket on any path (clients use `/`), and `GET /health` for probes.
    ///
    /// Every setting can also be given as an environment variable (RINGER_<NAME>), and every
    /// one but --config, --log-format and --log-level as a key in the TOML file of --config
    /// (<name> with underscores); flags win over the environment, which wins over the file.
    /// Durations are written like 30s, 500ms, 5m, 30d. Prints one line, `ringer-server
    /// listening on ws://ADDR` (or wss://), once it accepts connections. Stops cleanly on
    /// SIGINT or SIGTERM: live invitations and calls end with server_restart.
    Serve(Box<ServeArgs>),
    /// Manages user accounts (takes effect on a running server within about a second).
    #[command(subcommand, after_help = EXIT_STATUS_HELP)]
    User(UserCommand),
    /// Writes a consistent copy of the database to a new file (safe while the server runs).
    #[command(after_help = EXIT_STATUS_HELP)]
    Backup(BackupArgs),
}

/// Arguments of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// TOML file with settings (keys named like the flags, with underscores; not --config,
    /// --log-format or --log-level).
    #[arg(long, env = "RINGER_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log format on stderr; text is coloured only when stderr is a terminal and NO_COLOR is
    /// unset.
    #[arg(long, env = "RINGER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Log filter, e.g. `info` or `ringer_server=debug`; without it RUST_LOG applies, else
    /// `info`.
    #[arg(long, env = "RINGER_LOG_LEVEL", value_name = "FILTER")]
    pub log_level: Option<String>,

    /// The server's settings.
    #[command(flatten)]
    pub settings: Settings,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The data directory of an admin command.
#[derive(Debug, clap::Args)]
pub struct DataArg {
    /// Data directory holding the SQLite database [default: the user's data directory, e.g.
    /// ~/.local/share/ringer-server].
    #[arg(long, env = "RINGER_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Adds a user; the password is read from stdin (typed unechoed at a prompt on a terminal,
    /// else the first line).
    #[command(after_help = EXIT_STATUS_HELP)]
    Add {
        /// The new user's uid (1–64 ASCII letters, digits, space and !#$%&()+-:;<=.>?@[]^_{}|~,).
        uid: String,
        /// Display name [default: the uid].
        #[arg(long)]
        name: Option<String>,
        /// Read the password from stdin: typed unechoed at a `password:` prompt on a terminal,
        /// else its first line (required: passwords are never taken as arguments).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Where the database is.
        #[command(flatten)]
        data: DataArg,
    },
    /// Lists users as a table (or JSON).
    #[command(after_help = EXIT_STATUS_HELP)]
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Where the database is.
        #[command(flatten)]
        data: DataArg,
    },
    /// Disables a user: their devices are disconnected and their sessions refused.
    #[command(after_help = EXIT_STATUS_HELP)]
    Disable {
        /// The user's uid.
        uid: String,
        /// Where the database is.
        #[command(flatten)]
        data: DataArg,
    },
    /// Enables a disabled user.
    #[command(after_help = EXIT_STATUS_HELP)]
    Enable {
        /// The user's uid.
        uid: String,
        /// Where the database is.
        #[command(flatten)]
        data: DataArg,
    },
    /// Removes a user with their sessions and history.
    #[command(after_help = EXIT_STATUS_HELP)]
    Remove {
        /// The user's uid.
        uid: String,
        /// Where the database is.
        #[command(flatten)]
        data: DataArg,
    },
    /// Sets a user's password (read from stdin, as for `add`); their sessions are revoked.
    #[command(after_help = EXIT_STATUS_HELP)]
    Passwd {
        /// The user's uid.
        uid: String,
        /// Read the password from stdin: typed unechoed on a terminal, else its first line
        /// (required).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Where the database is.
        #[command(flatten)]
        data: DataArg,
    },
}

/// Arguments of `backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where to write the copy; must not exist yet.
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    /// Where the database is.
    #[command(flatten)]
    pub data: DataArg,
}

#[cfg(test)]
mod tests {
    use clap::{Args, CommandFactory};

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_flags_parse_into_settings() {
        let cli = Cli::try_parse_from([
            "ringer-server",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--ring-timeout",
            "45s",
            "--allow-plaintext",
        ])
        .expect("valid command line");
        let Command::Serve(args) = cli.command else {
            panic!("expected serve");
        };
        assert_eq!(args.settings.listen.map(|a| a.port()), Some(0));
        assert_eq!(
            args.settings.ring_timeout.map(|d| d.0),
            Some(std::time::Duration::from_secs(45))
        );
        assert_eq!(args.settings.allow_plaintext, Some(true));
    }

    /// The long help of `serve`.
    fn serve_help() -> String {
        let mut cli = Cli::command();
        let serve = cli
            .find_subcommand_mut("serve")
            .expect("a serve subcommand");
        serve.render_long_help().to_string()
    }

    #[test]
    fn serve_help_names_the_flags_that_are_not_toml_keys() {
        let toml_keys: Vec<String> = Settings::augment_args(clap::Command::new("settings"))
            .get_arguments()
            .map(|arg| arg.get_id().to_string())
            .collect();
        let mut cli = Cli::command();
        let serve = cli
            .find_subcommand_mut("serve")
            .expect("a serve subcommand");
        let not_keys: Vec<String> = serve
            .get_arguments()
            .filter_map(|arg| arg.get_long())
            .filter(|long| *long != "help" && !toml_keys.contains(&long.replace('-', "_")))
            .map(|long| format!("--{long}"))
            .collect();
        assert_eq!(not_keys, ["--config", "--log-format", "--log-level"]);
        for key in &not_keys {
            let toml = format!("{} = \"x\"", key.trim_start_matches("--").replace('-', "_"));
            assert!(Settings::from_toml(&toml).is_err(), "{toml} is a TOML key");
        }
        let help = serve_help()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            help.contains(
                "every one but --config, --log-format and --log-level as a key in the TOML file"
            ),
            "{help}"
        );
    }

    #[test]
    fn the_exit_statuses_in_help_are_those_of_the_docs() {
        let docs = include_str!("../../../docs/server-configuration.md");
        assert!(
            docs.contains(&format!("```\n{EXIT_STATUS_HELP}\n```")),
            "docs/server-configuration.md does not quote the admin commands' exit statuses"
        );
        let mut cli = Cli::command();
        for path in [
            &["backup"][..],
            &["user"],
            &["user", "list"],
            &["user", "passwd"],
        ] {
            let mut command = &mut cli;
            for name in path {
                command = command.find_subcommand_mut(name).expect("a subcommand");
            }
            let help = command.render_long_help().to_string();
            assert!(help.contains(EXIT_STATUS_HELP), "{path:?}: {help}");
        }
    }

    #[test]
    fn passwords_are_never_arguments() {
        let result = Cli::try_parse_from(["ringer-server", "user", "add", "alice"]);
        assert!(result.is_err(), "--password-stdin is required");
    }
}
