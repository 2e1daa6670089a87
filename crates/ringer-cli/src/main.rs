use clap::Parser;

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(ringer_cli::run(ringer_cli::cli::Cli::parse()))
}
