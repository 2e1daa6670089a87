use std::ffi::OsString;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let status = match ringer_cli::cli::Cli::try_parse_from(&args) {
        Ok(cli) => ringer_cli::run(cli),
        Err(error) => ringer_cli::report_bad_command_line(&error, &args),
    };
    std::process::ExitCode::from(status)
}
