//! The machine's floor for a message relayed through a server: a plain tokio-tungstenite echo.
//!
//! `send → callee received` crosses loopback twice and wakes two processes (the server, then the
//! load generator), as an echo's round trip does; the echo does nothing else. So the echo's
//! round trip at a given rate is the least that figure can be on this machine, whatever the
//! server does. The echo server is this same program, started as a child process
//! (`ringer-bench echo-server`, hidden, in [`crate::echo_server`]), so that it sleeps and wakes
//! as `ringer-server` does, with `ringer-server`'s WebSocket settings; `--shape relay` passes
//! each message through the same task hand-offs as `ringer-server`, `--shape relay-one-task`
//! through the same hub with each connection in one task.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use ringer_proto::limits::MAX_FRAME_BYTES;
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::Command;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use crate::cli::Rate;
use crate::device::ws_config;
use crate::echo_server::Shape;
use crate::flows::Stop;
use crate::procfs::{self, HostCpu};
use crate::report::{self, Percentiles, Render};

/// How long the echo server may take to start and one echo may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What `echo` does.
#[derive(Debug, Clone)]
pub struct EchoOptions {
    /// This program, to start as the echo server.
    pub server_exe: PathBuf,
    /// Round trips per second, or back to back.
    pub rate: Rate,
    /// When to stop.
    pub stop: Stop,
    /// Bytes per message (a text message of that many `x`).
    pub size: usize,
    /// The echo server's threads: 0 for one per CPU (tokio's multi-thread runtime, as
    /// `ringer-server` runs), 1 for a current-thread runtime.
    pub server_threads: usize,
    /// How the echo server hands a message from reading to writing.
    pub shape: Shape,
}

/// The result of `echo`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EchoReport {
    /// `"echo"`.
    pub mode: &'static str,
    /// Target rate, round trips/s; `None` for back to back.
    pub target_rate: Option<f64>,
    /// Bytes per message.
    pub size: usize,
    /// The echo server's threads (0: one per CPU).
    pub server_threads: usize,
    /// How the echo server handed messages from reading to writing.
    pub shape: Shape,
    /// Round trips completed.
    pub round_trips: u64,
    /// Seconds from the first send to the last echo.
    pub elapsed_s: f64,
    /// Client sends → client has the echo, in microseconds.
    pub round_trip: Percentiles,
    /// As in `flows`: the hypervisor's share of the machine's CPU time meanwhile.
    pub host_steal_percent: Option<f64>,
}

/// Starts the echo server, times round trips through it, and reports.
pub async fn run(options: EchoOptions) -> anyhow::Result<EchoReport> {
    if options.size == 0 || options.size > MAX_FRAME_BYTES {
        bail!(
            "--size must be between 1 and {MAX_FRAME_BYTES} bytes, the protocol's frame limit \
             (got {})",
            options.size
        );
    }
    let mut child = Command::new(&options.server_exe)
        .args(["echo-server", "--listen", "127.0.0.1:0", "--threads"])
        .arg(options.server_threads.to_string())
        .arg("--shape")
        .arg(options.shape.name())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", options.server_exe.display()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow!("no stdout from the echo server"))?;
    let line = tokio::time::timeout(TIMEOUT, BufReader::new(stdout).lines().next_line())
        .await
        .map_err(|_| anyhow!("the echo server did not start within {TIMEOUT:?}"))?
        .context("reading the echo server's address")?
        .ok_or_else(|| anyhow!("the echo server exited before listening"))?;
    let addr: SocketAddr = line
        .trim()
        .parse()
        .with_context(|| format!("the echo server printed {line:?}, not an address"))?;
    let result = time_round_trips(addr, &options).await;
    // Dropping the child kills it; its stdin closing would end it too.
    drop(child);
    result
}

async fn time_round_trips(addr: SocketAddr, options: &EchoOptions) -> anyhow::Result<EchoReport> {
    let tcp = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connect {addr}"))?;
    tcp.set_nodelay(true).context("nodelay")?;
    let (mut ws, _) = tokio_tungstenite::client_async_with_config(
        format!("ws://{addr}/"),
        tcp,
        Some(ws_config()),
    )
    .await
    .context("WebSocket upgrade")?;
    let payload = "x".repeat(options.size);
    let gap = match options.rate {
        Rate::Max => None,
        Rate::PerSecond(rate) => Some(Duration::from_secs_f64(1.0 / rate)),
    };
    let mut histogram = report::histogram();
    let host_before = procfs::host_cpu().ok();
    let start = Instant::now();
    let mut round_trips = 0u64;
    let mut last_echo = start;
    loop {
        let due = gap.map_or(Instant::now(), |gap| {
            start + gap.mul_f64(round_trips as f64)
        });
        let stop = match options.stop {
            Stop::Count(count) => round_trips >= count,
            Stop::After(duration) => due.saturating_duration_since(start) >= duration,
        };
        if stop {
            break;
        }
        tokio::time::sleep_until(due).await;
        let sent = Instant::now();
        ws.send(Message::text(payload.clone()))
            .await
            .context("send")?;
        let echo = tokio::time::timeout(TIMEOUT, ws.next())
            .await
            .map_err(|_| anyhow!("no echo within {TIMEOUT:?}"))?
            .ok_or_else(|| anyhow!("the echo server closed the connection"))?
            .context("receive")?;
        last_echo = Instant::now();
        if echo.len() != options.size {
            bail!("echo of {} bytes for {} sent", echo.len(), options.size);
        }
        report::record(&mut histogram, last_echo - sent);
        round_trips += 1;
    }
    let host = procfs::host_cpu()
        .ok()
        .zip(host_before)
        .map(|(now, then)| now.since(then));
    let elapsed = last_echo.saturating_duration_since(start);
    Ok(EchoReport {
        mode: "echo",
        target_rate: match options.rate {
            Rate::Max => None,
            Rate::PerSecond(rate) => Some(rate),
        },
        size: options.size,
        server_threads: options.server_threads,
        shape: options.shape,
        round_trips,
        elapsed_s: elapsed.as_secs_f64(),
        round_trip: Percentiles::of(&histogram),
        host_steal_percent: host.and_then(HostCpu::steal_percent),
    })
}

impl Render for EchoReport {
    fn table(&self) -> String {
        let rate = self
            .target_rate
            .map_or_else(|| "back to back".to_owned(), |r| format!("{r}/s"));
        let shape = match self.shape {
            Shape::Direct => "",
            Shape::Relay => ", relayed reader → hub → writer",
            Shape::RelayOneTask => ", relayed connection → hub → connection",
        };
        let mut out = format!(
            "tokio-tungstenite echo over loopback ({} B messages, {rate}{shape}): {} round trips in {:.2} s\n",
            self.size, self.round_trips, self.elapsed_s
        );
        out.push_str(&report::latency_header());
        out.push_str(&report::latency_row(
            "send → echo received",
            &self.round_trip,
        ));
        out.push_str(&report::steal_line(self.host_steal_percent));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_json_say_what_was_measured() {
        let report = EchoReport {
            mode: "echo",
            target_rate: Some(10.0),
            size: 160,
            server_threads: 0,
            shape: Shape::Relay,
            round_trips: 200,
            elapsed_s: 19.9,
            round_trip: Percentiles {
                count: 200,
                p50_us: 154,
                p90_us: 181,
                p99_us: 219,
                p999_us: 262,
                max_us: 12_500,
            },
            host_steal_percent: None,
        };
        let table = report.table();
        for part in [
            "160 B messages, 10/s, relayed reader → hub → writer): 200 round trips in 19.90 s",
            "send → echo received",
            "154 µs",
            "12.5 ms",
        ] {
            assert!(table.contains(part), "{part} missing from\n{table}");
        }
        assert!(
            !table.contains("steal"),
            "no steal line when unknown:\n{table}"
        );
        let json = serde_json::to_value(&report).expect("serialises");
        assert_eq!(json["round_trip"]["p50_us"], 154);
        assert_eq!(json["host_steal_percent"], serde_json::Value::Null);
        assert_eq!(json["shape"], "relay");
        let one_task = EchoReport {
            shape: Shape::RelayOneTask,
            ..report
        };
        assert!(
            one_task
                .table()
                .contains("10/s, relayed connection → hub → connection)"),
            "{}",
            one_task.table()
        );
        let json = serde_json::to_value(&one_task).expect("serialises");
        assert_eq!(json["shape"], Shape::RelayOneTask.name());
    }
}
