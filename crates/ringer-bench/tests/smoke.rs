//! A short `flows` run and a short `idle` run against a real server started in this process
//! (127.0.0.1:0, temporary data directory). Asserts outcomes, never timings.

use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use ringer_bench::cli::{Mix, Rate};
use ringer_bench::device::Target;
use ringer_bench::flows::{self, FlowsOptions, Stop};
use ringer_bench::idle::{self, IdleOptions};
use ringer_bench::users::{self, DEFAULT_PASSWORD, SignInOptions};
use ringer_server::{ServerConfig, ServerHandle};
use ringer_store::StoreOptions;
use tokio_util::sync::CancellationToken;

async fn start_server(data: &Path, ring_timeout: Duration) -> ServerHandle {
    let listen = "127.0.0.1:0".parse().expect("valid address");
    let mut config =
        ServerConfig::with_defaults(listen, data.to_owned()).expect("the defaults are valid");
    config.store = StoreOptions::insecure_for_tests();
    config.switchboard.ring_timeout = ring_timeout;
    ringer_server::serve(config, CancellationToken::new())
        .await
        .expect("the server starts")
}

fn sign_in(url: &str, work: &Path, source_ips: Vec<IpAddr>, concurrency: usize) -> SignInOptions {
    SignInOptions {
        target: Target::parse(url).expect("valid url"),
        work: work.to_owned(),
        first_user: 0,
        password: DEFAULT_PASSWORD.to_owned(),
        source_ips,
        concurrency,
        progress: false,
    }
}

fn flows_options(url: &str, work: &Path, count: u64, mix: &str, rate: Rate) -> FlowsOptions {
    FlowsOptions {
        sign_in: sign_in(url, work, vec!["127.0.0.1".parse().expect("ip")], 4),
        pairs: 3,
        mix: mix.parse::<Mix>().expect("valid mix"),
        rate,
        stop: Stop::Count(count),
        flow_timeout: Duration::from_secs(20),
        pair_gap: Duration::from_millis(70),
        server_pid: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flows_complete_without_failures_then_sign_in_with_tokens() {
    let data = tempfile::tempdir().expect("data dir");
    let work = tempfile::tempdir().expect("work dir");
    assert_eq!(
        users::setup(data.path(), 0, 6, DEFAULT_PASSWORD).expect("setup"),
        6
    );
    let server = start_server(data.path(), Duration::from_millis(300)).await;
    let url = server.url();

    let options = flows_options(
        &url,
        work.path(),
        24,
        "accept=50,refuse=20,cancel=20,expire=10",
        Rate::Max,
    );
    let report = flows::run(options).await.expect("the run works");
    assert_eq!(report.failures, Default::default(), "{report:#?}");
    assert_eq!(
        (report.started, report.completed, report.failed),
        (24, 24, 0)
    );
    assert_eq!(
        report.sign_ins.password, 6,
        "first run logs in with passwords"
    );
    let accepted = report.completed_by_kind.get("accept").copied().unwrap_or(0);
    assert_eq!(report.latency.accept_to_callee_confirmed.count, accepted);
    assert_eq!(report.latency.send_to_callee_received.count, 24);
    let cpu = report
        .cpu_per_flow
        .expect("CPU per flow, as flows completed");
    assert!(cpu.bench_user_us >= 0.0 && cpu.bench_system_us >= 0.0);
    assert_eq!(cpu.server_user_us, None, "no --server-pid");
    assert_eq!(report.server_disk_bytes_per_flow, None, "no --server-pid");
    assert_eq!(
        report.server_context_switches_per_flow, None,
        "no --server-pid"
    );

    // The second run finds the tokens the first stored, and a fixed rate works too.
    // The server runs in this process here, so its pid is ours.
    let mut options = flows_options(&url, work.path(), 6, "accept=1", Rate::PerSecond(50.0));
    options.server_pid = Some(std::process::id());
    let report = flows::run(options).await.expect("the second run works");
    let cpu = report.cpu_per_flow.expect("CPU per flow");
    assert!(cpu.server_user_us.is_some() && cpu.server_system_us.is_some());
    // Its size depends on SQLite's pages and on the file system under the temp dir (tmpfs
    // counts none), so only its presence is checked.
    assert!(report.server_disk_bytes_per_flow.is_some());
    // At 50/s the server's (here: this process's) threads sleep between flows.
    let switches = report
        .server_context_switches_per_flow
        .expect("context switches per flow");
    assert!(switches > 0.0, "{switches} context switches per flow");
    // From /proc/stat whatever the options (0 without a hypervisor); six flows at 50/s take
    // over 100 ms, so the kernel's CPU-time counters have moved.
    let steal = report.host_steal_percent.expect("host steal on Linux");
    assert!((0.0..=100.0).contains(&steal), "steal {steal} %");
    assert_eq!((report.completed, report.failed), (6, 0), "{report:#?}");
    assert_eq!(report.sign_ins.token, 6, "second run signs in with tokens");
    assert_eq!(report.sign_ins.password, 0);

    let idle = idle::run(IdleOptions {
        sign_in: sign_in(&url, work.path(), Vec::new(), 8),
        devices: 6,
        server_pid: Some(std::process::id()),
        hold: Duration::from_millis(200),
        settle: Duration::from_millis(50),
    })
    .await
    .expect("the idle run works");
    assert_eq!(idle.sign_ins.token, 6);
    assert_eq!(idle.held_to_end, 6);
    assert!(idle.rss_after_kib.is_some());

    server.shutdown().await;
}

/// A wrong `--server-pid` fails at once, before any sign-in (no server is even needed).
#[tokio::test]
async fn a_wrong_server_pid_fails_before_signing_in() {
    let work = tempfile::tempdir().expect("temp dir");
    let mut options = flows_options("ws://127.0.0.1:9", work.path(), 1, "accept=1", Rate::Max);
    options.server_pid = Some(u32::MAX);
    let err = flows::run(options).await.expect_err("no such process");
    assert!(
        format!("{err:#}").contains("/proc/4294967295/stat"),
        "{err:#}"
    );
}
