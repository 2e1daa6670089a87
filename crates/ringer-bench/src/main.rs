//! `ringer-bench`: see the crate documentation and `docs/performance.md`.

use std::process::ExitCode;

use clap::Parser;
use ringer_bench::cli::{Cli, Command};
use ringer_bench::report::Render;
use ringer_bench::{flows, idle, users};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ringer-bench: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Setup(args) => {
            let added = users::setup(&args.data, args.first, args.users, &args.password)?;
            eprintln!(
                "{added} user(s) added; {} bench user(s) from {} on in {}",
                args.users,
                users::uid_of(args.first),
                args.data.display()
            );
            Ok(())
        }
        Command::Flows(args) => {
            let json = args.common.json;
            let runtime = args.common.runtime()?;
            let options = args.into_options()?;
            let report = runtime.block_on(flows::run(options))?;
            emit(&report, json)
        }
        Command::Idle(args) => {
            let json = args.common.json;
            let runtime = args.common.runtime()?;
            let options = args.into_options()?;
            let report = runtime.block_on(idle::run(options))?;
            emit(&report, json)
        }
    }
}

#[allow(clippy::print_stdout)] // the report is the program's output
fn emit<R: Render>(report: &R, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}
