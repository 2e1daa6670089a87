//! `ringer-bench`: see the crate documentation and `docs/performance.md`.

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use ringer_bench::cli::{self, Cli, Command};
use ringer_bench::report::Render;
use ringer_bench::{echo, echo_server, flows, idle, users};

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
        Command::Echo(args) => {
            let json = args.json;
            let runtime = args.runtime()?;
            let exe = std::env::current_exe().context("cannot find this program's path")?;
            let options = args.into_options(exe)?;
            let report = runtime.block_on(echo::run(options))?;
            emit(&report, json)
        }
        Command::EchoServer(args) => {
            cli::runtime(args.threads)?.block_on(echo_server::serve(args.listen, args.shape))
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
