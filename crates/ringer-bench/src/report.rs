//! What a run measured: latency percentiles (from `hdrhistogram`), rates, and the two ways of
//! showing them (a table for people, JSON for scripts).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::procfs::CpuTimes;

/// A report that can be printed.
pub trait Render: Serialize {
    /// The report as an aligned text table.
    fn table(&self) -> String;
}

/// Latencies are recorded in microseconds, from 1 µs to this many (2 minutes), with three
/// significant digits.
pub const MAX_LATENCY_US: u64 = 120_000_000;

/// A new latency histogram.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_LATENCY_US, 3).expect("constant bounds are valid")
}

/// Records `elapsed` in `histogram` (in µs, clamped to its range).
pub fn record(histogram: &mut Histogram<u64>, elapsed: Duration) {
    let us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    histogram.saturating_record(us.clamp(1, MAX_LATENCY_US));
}

/// Percentiles of one latency, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Percentiles {
    /// Samples.
    pub count: u64,
    /// Median.
    pub p50_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p999_us: u64,
    /// Largest sample.
    pub max_us: u64,
}

impl Percentiles {
    /// The percentiles of `histogram`.
    pub fn of(histogram: &Histogram<u64>) -> Percentiles {
        if histogram.is_empty() {
            return Percentiles::default();
        }
        Percentiles {
            count: histogram.len(),
            p50_us: histogram.value_at_quantile(0.50),
            p90_us: histogram.value_at_quantile(0.90),
            p99_us: histogram.value_at_quantile(0.99),
            p999_us: histogram.value_at_quantile(0.999),
            max_us: histogram.max(),
        }
    }
}

/// `count` per second over `elapsed` (0 for an empty interval).
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { count as f64 / secs } else { 0.0 }
}

/// `total` spread over `flows`; `None` without a total or without a flow.
pub fn per_flow(total: Option<u64>, flows: u64) -> Option<f64> {
    total
        .filter(|_| flows > 0)
        .map(|total| total as f64 / flows as f64)
}

/// The four measured latencies of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct FlowLatencies {
    /// Caller sends `invite` → callee gets `invitation`.
    pub send_to_callee_received: Percentiles,
    /// Caller sends `invite` → caller gets `received_by_peer` (includes the callee's `received`).
    pub send_to_caller_received_by_peer: Percentiles,
    /// Callee sends `accept` → caller gets `accepted`.
    pub accept_to_caller_accepted: Percentiles,
    /// Callee sends `accept` → callee gets `accept_confirmed` (includes the caller's `confirm`).
    pub accept_to_callee_confirmed: Percentiles,
}

/// CPU time per completed flow over the flows phase, in microseconds: the load generator's own
/// and, with `--server-pid`, the server's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CpuPerFlow {
    /// The load generator, in user space.
    pub bench_user_us: f64,
    /// The load generator, in the kernel.
    pub bench_system_us: f64,
    /// The server, in user space.
    pub server_user_us: Option<f64>,
    /// The server, in the kernel.
    pub server_system_us: Option<f64>,
}

impl CpuPerFlow {
    /// Splits the CPU times used while `flows` flows completed; `None` without a flow.
    pub fn of(bench: CpuTimes, server: Option<CpuTimes>, flows: u64) -> Option<CpuPerFlow> {
        if flows == 0 {
            return None;
        }
        let per_flow = |d: std::time::Duration| d.as_secs_f64() * 1e6 / flows as f64;
        Some(CpuPerFlow {
            bench_user_us: per_flow(bench.user),
            bench_system_us: per_flow(bench.system),
            server_user_us: server.map(|s| per_flow(s.user)),
            server_system_us: server.map(|s| per_flow(s.system)),
        })
    }
}

/// How the devices signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct SignIns {
    /// With a stored token.
    pub token: u64,
    /// With the password (then the token was stored).
    pub password: u64,
    /// Failed.
    pub failed: u64,
}

/// The result of `flows`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowsReport {
    /// `"flows"`.
    pub mode: &'static str,
    /// The URL.
    pub url: String,
    /// The mix, as given.
    pub mix: String,
    /// Target rate, flows/s; `None` for `max`.
    pub target_rate: Option<f64>,
    /// Caller/callee pairs in use (the concurrency bound).
    pub pairs: usize,
    /// How the devices signed in.
    pub sign_ins: SignIns,
    /// Seconds from the first flow's start to the last flow's end.
    pub elapsed_s: f64,
    /// Flows started.
    pub started: u64,
    /// Flows that ended as their kind says, with every expected frame.
    pub completed: u64,
    /// Flows that did not (an error, an unexpected frame, a timeout, a closed connection).
    pub failed: u64,
    /// Completed flows per second.
    pub completed_per_s: f64,
    /// Failed flows per second.
    pub failed_per_s: f64,
    /// Completed flows per kind.
    pub completed_by_kind: BTreeMap<&'static str, u64>,
    /// Failures by cause (first words of the error).
    pub failures: BTreeMap<String, u64>,
    /// Fixed rate only: flow starts that had to wait for a free pair (the generator was the
    /// bottleneck; latencies of those flows are measured from their actual start).
    pub late_starts: u64,
    /// Frames received that belonged to no flow step (pongs, replies skipped over, strays).
    pub other_frames: u64,
    /// Latency percentiles.
    pub latency: FlowLatencies,
    /// CPU time per completed flow; `None` when no flow completed.
    pub cpu_per_flow: Option<CpuPerFlow>,
    /// Bytes the server wrote to files (its database and WAL) per completed flow, with
    /// `--server-pid`; `None` without it, without a completed flow, or where `/proc/PID/io`
    /// cannot be read.
    pub server_disk_bytes_per_flow: Option<f64>,
    /// Context switches of the server's threads per completed flow, with `--server-pid`:
    /// every time one of its threads went to sleep or was preempted. Like CPU time per flow,
    /// it moves less from run to run than latencies, and it shows hand-offs between threads
    /// that cost CPU time on both sides. `None` without it, without a completed flow, or where
    /// `/proc/PID/task` cannot be read.
    pub server_context_switches_per_flow: Option<f64>,
    /// The share of the machine's CPU time, over the flows phase, that its hypervisor gave to
    /// other guests (`steal` of `/proc/stat`, all CPUs); `None` where that cannot be read.
    /// Latencies and flows per second move with it: a few percent already shows in p99.
    pub host_steal_percent: Option<f64>,
}

/// The result of `idle`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdleReport {
    /// `"idle"`.
    pub mode: &'static str,
    /// The URL.
    pub url: String,
    /// Devices asked for.
    pub devices: usize,
    /// How they signed in.
    pub sign_ins: SignIns,
    /// Seconds from the first dial to the last `welcome`.
    pub sign_in_s: f64,
    /// Sign-ins per second.
    pub sign_ins_per_s: f64,
    /// Server VmRSS before the first dial, KiB.
    pub rss_before_kib: Option<u64>,
    /// Server VmRSS with every device signed in (after `--settle`), KiB.
    pub rss_after_kib: Option<u64>,
    /// (after − before) / signed-in devices, KiB.
    pub rss_per_device_kib: Option<f64>,
    /// Devices still connected at the end of the hold.
    pub held_to_end: u64,
}

/// (after − before) / devices, in KiB; `None` without both readings or devices.
pub fn per_device_kib(before: Option<u64>, after: Option<u64>, devices: u64) -> Option<f64> {
    match (before, after) {
        (Some(before), Some(after)) if devices > 0 => {
            Some((after as f64 - before as f64) / devices as f64)
        }
        (Some(_) | None, Some(_) | None) => None,
    }
}

/// The header line of a latency table.
pub fn latency_header() -> String {
    format!(
        "{:<34} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
        "latency", "samples", "p50", "p90", "p99", "p99.9", "max"
    )
}

/// One line of a latency table: `name`, then the sample count and percentiles of `p`.
pub fn latency_row(name: &str, p: &Percentiles) -> String {
    format!(
        "{:<34} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10}\n",
        name,
        p.count,
        fmt_us(p.p50_us),
        fmt_us(p.p90_us),
        fmt_us(p.p99_us),
        fmt_us(p.p999_us),
        fmt_us(p.max_us)
    )
}

/// The table line for the host's steal; empty when it is unknown.
pub fn steal_line(steal_percent: Option<f64>) -> String {
    steal_percent.map_or_else(String::new, |steal| {
        format!("Host steal (CPU time the hypervisor gave to other guests): {steal:.1} %\n")
    })
}

/// Microseconds for a table: `850 µs`, or `12.5 ms` from 10 ms on.
fn fmt_us(us: u64) -> String {
    if us >= 10_000 {
        format!("{:.1} ms", us as f64 / 1000.0)
    } else {
        format!("{us} µs")
    }
}

impl Render for FlowsReport {
    fn table(&self) -> String {
        let mut out = String::new();
        let rate = self
            .target_rate
            .map_or_else(|| "max".to_owned(), |r| format!("{r}/s"));
        let _ = writeln!(
            out,
            "flows against {} (rate {rate}, {} pairs, mix {})",
            self.url, self.pairs, self.mix
        );
        let _ = writeln!(
            out,
            "sign-ins: {} by token, {} by password, {} failed",
            self.sign_ins.token, self.sign_ins.password, self.sign_ins.failed
        );
        let _ = writeln!(
            out,
            "{} started, {} completed, {} failed in {:.2} s: {:.0} completed/s, {:.1} failed/s",
            self.started,
            self.completed,
            self.failed,
            self.elapsed_s,
            self.completed_per_s,
            self.failed_per_s
        );
        let kinds: Vec<String> = self
            .completed_by_kind
            .iter()
            .map(|(kind, n)| format!("{kind} {n}"))
            .collect();
        let _ = writeln!(out, "completed by kind: {}", kinds.join(", "));
        if self.late_starts > 0 {
            let _ = writeln!(out, "late starts (no free pair): {}", self.late_starts);
        }
        for (cause, n) in &self.failures {
            let _ = writeln!(out, "failed: {n} × {cause}");
        }
        out.push_str(&latency_header());
        let rows = [
            (
                "send → callee received",
                &self.latency.send_to_callee_received,
            ),
            (
                "send → caller received_by_peer",
                &self.latency.send_to_caller_received_by_peer,
            ),
            (
                "accept → caller accepted",
                &self.latency.accept_to_caller_accepted,
            ),
            (
                "accept → callee confirmed",
                &self.latency.accept_to_callee_confirmed,
            ),
        ];
        for (name, p) in rows {
            out.push_str(&latency_row(name, p));
        }
        if let Some(cpu) = &self.cpu_per_flow {
            let _ = write!(
                out,
                "CPU per completed flow: ringer-bench {:.0} µs user + {:.0} µs system",
                cpu.bench_user_us, cpu.bench_system_us
            );
            if let (Some(user), Some(system)) = (cpu.server_user_us, cpu.server_system_us) {
                let _ = write!(out, "; server {user:.0} µs user + {system:.0} µs system");
            }
            let _ = writeln!(out);
        }
        if let Some(bytes) = self.server_disk_bytes_per_flow {
            let _ = writeln!(
                out,
                "Server writes to disk per completed flow: {:.1} KiB",
                bytes / 1024.0
            );
        }
        if let Some(switches) = self.server_context_switches_per_flow {
            let _ = writeln!(
                out,
                "Server context switches per completed flow: {switches:.2}"
            );
        }
        out.push_str(&steal_line(self.host_steal_percent));
        out
    }
}

impl Render for IdleReport {
    fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "idle devices against {}", self.url);
        let _ = writeln!(
            out,
            "{} devices: {} by token, {} by password, {} failed",
            self.devices, self.sign_ins.token, self.sign_ins.password, self.sign_ins.failed
        );
        let _ = writeln!(
            out,
            "signed in in {:.2} s ({:.0}/s); {} still connected at the end",
            self.sign_in_s, self.sign_ins_per_s, self.held_to_end
        );
        let kib = |v: Option<u64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v} KiB"));
        let _ = writeln!(
            out,
            "server RSS: {} before, {} after, {} per device",
            kib(self.rss_before_kib),
            kib(self.rss_after_kib),
            self.rss_per_device_kib
                .map_or_else(|| "-".to_owned(), |v| format!("{v:.2} KiB"))
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_per_flow_divides_by_completed_flows() {
        let ms = Duration::from_millis;
        let bench = CpuTimes {
            user: ms(50),
            system: ms(90),
        };
        let server = CpuTimes {
            user: ms(170),
            system: ms(160),
        };
        let cpu = CpuPerFlow::of(bench, Some(server), 1000).expect("flows completed");
        assert_eq!(
            (cpu.bench_user_us, cpu.bench_system_us),
            (50.0, 90.0),
            "50 ms over 1,000 flows is 50 µs each"
        );
        assert_eq!(
            (cpu.server_user_us, cpu.server_system_us),
            (Some(170.0), Some(160.0))
        );
        assert_eq!(
            CpuPerFlow::of(bench, None, 1000).and_then(|c| c.server_user_us),
            None
        );
        assert_eq!(CpuPerFlow::of(bench, Some(server), 0), None);
    }

    #[test]
    fn per_flow_needs_a_total_and_a_flow() {
        assert_eq!(per_flow(Some(3_000), 4), Some(750.0));
        assert_eq!(per_flow(Some(3_000), 0), None);
        assert_eq!(per_flow(None, 4), None);
    }

    #[test]
    fn percentiles_of_a_known_distribution() {
        let mut h = histogram();
        for us in 1..=1000u64 {
            record(&mut h, Duration::from_micros(us));
        }
        let p = Percentiles::of(&h);
        assert_eq!(p.count, 1000);
        assert_eq!(p.p50_us, 500);
        assert_eq!(p.p90_us, 900);
        assert_eq!(p.p99_us, 990);
        assert_eq!(p.p999_us, 999);
        assert_eq!(p.max_us, 1000);
    }

    #[test]
    fn percentiles_keep_three_significant_digits_and_clamp() {
        let mut h = histogram();
        record(&mut h, Duration::from_micros(123_456));
        record(&mut h, Duration::ZERO);
        record(&mut h, Duration::from_secs(3600));
        let p = Percentiles::of(&h);
        assert_eq!(p.count, 3);
        assert_eq!(p.p50_us / 1000, 123);
        assert!(h.equivalent(p.max_us, MAX_LATENCY_US));
        assert_eq!(h.min(), 1);
    }

    #[test]
    fn empty_histogram_reports_zeros() {
        assert_eq!(Percentiles::of(&histogram()), Percentiles::default());
    }

    #[test]
    fn merged_histograms_count_everything() {
        let mut a = histogram();
        let mut b = histogram();
        record(&mut a, Duration::from_micros(10));
        record(&mut b, Duration::from_micros(30));
        a.add(&b).expect("same bounds");
        let p = Percentiles::of(&a);
        assert_eq!((p.count, p.p50_us, p.max_us), (2, 10, 30));
    }

    #[test]
    fn rates_and_memory_per_device() {
        assert_eq!(per_second(5000, Duration::from_millis(500)), 10_000.0);
        assert_eq!(per_second(5, Duration::ZERO), 0.0);
        assert_eq!(per_device_kib(Some(1000), Some(4000), 1000), Some(3.0));
        assert_eq!(per_device_kib(Some(1000), None, 1000), None);
        assert_eq!(per_device_kib(Some(1000), Some(2000), 0), None);
    }

    #[test]
    fn table_names_every_latency() {
        let report = FlowsReport {
            mode: "flows",
            url: "ws://127.0.0.1:1/".to_owned(),
            mix: "accept=1".to_owned(),
            target_rate: Some(10.0),
            pairs: 1,
            sign_ins: SignIns::default(),
            elapsed_s: 1.0,
            started: 1,
            completed: 1,
            failed: 0,
            completed_per_s: 1.0,
            failed_per_s: 0.0,
            completed_by_kind: BTreeMap::from([("accept", 1)]),
            failures: BTreeMap::new(),
            late_starts: 0,
            other_frames: 0,
            latency: FlowLatencies::default(),
            cpu_per_flow: Some(CpuPerFlow {
                bench_user_us: 50.0,
                bench_system_us: 90.0,
                server_user_us: Some(170.0),
                server_system_us: Some(160.0),
            }),
            server_disk_bytes_per_flow: Some(20_992.0),
            server_context_switches_per_flow: Some(15.666),
            host_steal_percent: Some(2.25),
        };
        let table = report.table();
        for name in [
            "send → callee received",
            "accept → callee confirmed",
            "p99.9",
            "ringer-bench 50 µs user + 90 µs system; server 170 µs user + 160 µs system",
            "Server writes to disk per completed flow: 20.5 KiB",
            "Server context switches per completed flow: 15.67",
            "Host steal (CPU time the hypervisor gave to other guests): 2.2 %",
        ] {
            assert!(table.contains(name), "{name} missing from\n{table}");
        }
        let json = serde_json::to_value(&report).expect("serialises");
        assert_eq!(json["latency"]["send_to_callee_received"]["p99_us"], 0);
        assert_eq!(json["cpu_per_flow"]["server_system_us"], 160.0);
        assert_eq!(json["server_disk_bytes_per_flow"], 20_992.0);
        assert_eq!(json["server_context_switches_per_flow"], 15.666);
        assert_eq!(json["host_steal_percent"], 2.25);
    }
}
