//! `echo` against its real child echo server (this package's `ringer-bench` binary). Asserts
//! outcomes and the pacing's lower bound, never how fast a round trip is.

use std::path::PathBuf;

use ringer_bench::cli::Rate;
use ringer_bench::echo::{self, EchoOptions};
use ringer_bench::echo_server::Shape;
use ringer_bench::flows::Stop;

fn options(rate: Rate, stop: Stop, size: usize) -> EchoOptions {
    EchoOptions {
        server_exe: PathBuf::from(env!("CARGO_BIN_EXE_ringer-bench")),
        rate,
        stop,
        size,
        server_threads: 1,
        shape: Shape::Direct,
    }
}

#[tokio::test]
async fn echo_times_every_round_trip_back_to_back_and_at_a_rate() {
    let report = echo::run(options(Rate::Max, Stop::Count(50), 3000))
        .await
        .expect("echo runs");
    assert_eq!((report.round_trips, report.round_trip.count), (50, 50));
    assert!(report.round_trip.p50_us <= report.round_trip.max_us);
    assert_eq!(
        report.size, 3000,
        "a message larger than a 2 KiB read comes back whole"
    );

    // Ten round trips at 100/s start 10 ms apart: at least 90 ms from the first to the last.
    let report = echo::run(options(Rate::PerSecond(100.0), Stop::Count(10), 160))
        .await
        .expect("echo runs at a rate");
    assert_eq!(report.round_trips, 10);
    assert!(report.elapsed_s >= 0.09, "{} s", report.elapsed_s);
    assert_eq!(report.target_rate, Some(100.0));
}

#[tokio::test]
async fn the_relay_shapes_echo_every_message_whole() {
    for shape in [Shape::Relay, Shape::RelayOneTask] {
        for threads in [1, 0] {
            let mut relayed = options(Rate::Max, Stop::Count(50), 3000);
            relayed.shape = shape;
            relayed.server_threads = threads;
            let report = echo::run(relayed).await.expect("relayed echo runs");
            assert_eq!((report.round_trips, report.round_trip.count), (50, 50));
            assert_eq!(report.shape, shape);
        }
    }
}

#[tokio::test]
async fn echo_says_what_is_wrong() {
    let err = echo::run(options(Rate::Max, Stop::Count(1), 0))
        .await
        .expect_err("an empty message is refused");
    assert!(err.to_string().contains("--size"), "{err:#}");

    let mut missing = options(Rate::Max, Stop::Count(1), 16);
    missing.server_exe = PathBuf::from("/nonexistent/ringer-bench");
    let err = echo::run(missing).await.expect_err("no such program");
    assert!(
        format!("{err:#}").contains("cannot start /nonexistent/ringer-bench"),
        "{err:#}"
    );
}
