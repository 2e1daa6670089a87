//! `flows`: complete invitation flows between caller/callee pairs, at a fixed rate or as fast
//! as the pairs allow.
//!
//! Each pair (caller `bench-2k`, callee `bench-2k+1`) is one task that owns both connections
//! and plays one flow at a time as a script: send a frame, wait for the frame it causes. So each
//! latency is measured on the one socket where its frame arrives, with no cross-task hand-off.
//! A dispatcher hands flows to idle pairs; a pair that fails a flow is retired (its devices may
//! be left in an unknown state), so one failure cannot cascade into more.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hdrhistogram::Histogram;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::cli::{FlowKind, Mix, Rate};
use crate::device::{Device, SignedIn, Target, Via};
use crate::frames::{self, Incoming, Kind, Leftover};
use crate::procfs::{self, CpuTimes, HostCpu, ThreadSwitches};
use crate::report::{self, CpuPerFlow, FlowLatencies, FlowsReport, Percentiles, SignIns};
use crate::users::{SignInOptions, Tokens, uid_of};

/// Idle devices ping this often so that the server's idle timeout (30 s) never closes them.
pub const PING_EVERY: Duration = Duration::from_secs(10);

/// When to stop starting flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// After this long.
    After(Duration),
    /// After this many flows.
    Count(u64),
}

/// Everything `flows` needs.
#[derive(Debug, Clone)]
pub struct FlowsOptions {
    /// Whom to sign in, where and how.
    pub sign_in: SignInOptions,
    /// Caller/callee pairs (users `first_user .. first_user + 2 * pairs`).
    pub pairs: usize,
    /// Weights of the flow kinds.
    pub mix: Mix,
    /// Start rate.
    pub rate: Rate,
    /// When to stop.
    pub stop: Stop,
    /// A flow not done in this long fails.
    pub flow_timeout: Duration,
    /// Least time between two flow starts on one pair.
    pub pair_gap: Duration,
    /// The server's process id, to report its CPU time per flow.
    pub server_pid: Option<u32>,
}

/// Runs the flows and reports.
pub async fn run(options: FlowsOptions) -> anyhow::Result<FlowsReport> {
    // A wrong --server-pid should fail before the sign-ins, not after them.
    if let Some(pid) = options.server_pid {
        procfs::cpu_times(pid)?;
    }
    let mut tokens = Tokens::load(&options.sign_in.work)?;
    let uids: Vec<String> = (0..options.pairs * 2)
        .map(|i| uid_of(options.sign_in.first_user + i))
        .collect();
    let (devices, sign_ins) = sign_in_all(
        &options.sign_in.target,
        &uids,
        &mut tokens,
        &options.sign_in.password,
        &options.sign_in.source_ips,
        options.sign_in.concurrency,
    )
    .await;
    tokens.save()?;

    let mut pairs = Vec::new();
    let mut devices = devices.into_iter();
    let mut uid_iter = uids.chunks(2);
    while let (Some(caller), Some(callee), Some(names)) =
        (devices.next(), devices.next(), uid_iter.next())
    {
        if let (Some(mut caller), Some(mut callee)) = (caller, callee) {
            clean_up(&mut caller.device, &caller.leftovers).await;
            clean_up(&mut callee.device, &callee.leftovers).await;
            let callee_uid = names.get(1).cloned().unwrap_or_default();
            pairs.push(Pair {
                caller: caller.device,
                callee: callee.device,
                callee_uid,
            });
        }
    }
    if pairs.is_empty() {
        anyhow::bail!(
            "no pair could sign in ({} sign-ins failed)",
            sign_ins.failed
        );
    }
    let pair_count = pairs.len();
    let before = UsageSample::take(options.server_pid)?;
    let drive = drive(pairs, &options).await;
    // A server that is gone by now loses its figures, not the report.
    let after = UsageSample::take(options.server_pid).or_else(|err| {
        eprintln!(
            "ringer-bench: {err:#}; the report has no server CPU time, disk writes or context switches"
        );
        UsageSample::take(None)
    })?;
    let usage = after.since(&before);
    Ok(build_report(&options, pair_count, sign_ins, drive, usage))
}

/// CPU time used so far by this process and, if its pid is known, the server, with the bytes
/// the server wrote to disk and its threads' context switches.
#[derive(Debug, Clone)]
struct UsageSample {
    bench: CpuTimes,
    server: Option<CpuTimes>,
    /// `None` also where `/proc/PID/io` cannot be read (a kernel without I/O accounting): the
    /// figure is left out, the run goes on.
    server_disk_writes: Option<u64>,
    /// `None` where `/proc/PID/task` cannot be read, likewise.
    server_switches: Option<ThreadSwitches>,
    /// `None` where `/proc/stat` cannot be read, likewise.
    host: Option<HostCpu>,
}

/// What was used between two [`UsageSample`]s.
#[derive(Debug, Clone, Copy)]
struct Usage {
    bench: CpuTimes,
    server: Option<CpuTimes>,
    server_disk_writes: Option<u64>,
    server_switches: Option<u64>,
    host: Option<HostCpu>,
}

impl UsageSample {
    fn take(server_pid: Option<u32>) -> anyhow::Result<UsageSample> {
        Ok(UsageSample {
            bench: procfs::cpu_times(std::process::id())?,
            server: server_pid.map(procfs::cpu_times).transpose()?,
            server_disk_writes: server_pid.and_then(|pid| procfs::disk_writes(pid).ok()),
            server_switches: server_pid.and_then(|pid| procfs::thread_switches(pid).ok()),
            host: procfs::host_cpu().ok(),
        })
    }

    fn since(&self, earlier: &UsageSample) -> Usage {
        Usage {
            bench: self.bench.since(earlier.bench),
            server: self
                .server
                .zip(earlier.server)
                .map(|(now, then)| now.since(then)),
            server_disk_writes: self
                .server_disk_writes
                .zip(earlier.server_disk_writes)
                .map(|(now, then)| now.saturating_sub(then)),
            server_switches: self
                .server_switches
                .as_ref()
                .zip(earlier.server_switches.as_ref())
                .map(|(now, then)| now.since(then)),
            host: self
                .host
                .zip(earlier.host)
                .map(|(now, then)| now.since(then)),
        }
    }
}

/// A signed-in device with what its welcome said.
struct Ready {
    device: Device,
    leftovers: Vec<Leftover>,
}

/// Signs in every uid (in order), `concurrency` at a time; `None` where it failed.
async fn sign_in_all(
    target: &Target,
    uids: &[String],
    tokens: &mut Tokens,
    password: &str,
    sources: &[IpAddr],
    concurrency: usize,
) -> (Vec<Option<Ready>>, SignIns) {
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut set = JoinSet::new();
    for (i, uid) in uids.iter().enumerate() {
        let target = target.clone();
        let uid = uid.clone();
        let token = tokens.get(&uid).map(str::to_owned);
        let password = password.to_owned();
        let source = source_for(sources, i);
        let permits = Arc::clone(&permits);
        set.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let result = Device::sign_in(&target, source, &uid, token.as_deref(), &password).await;
            (i, uid, result)
        });
    }
    let mut out: Vec<Option<Ready>> = (0..uids.len()).map(|_| None).collect();
    let mut stats = SignIns::default();
    while let Some(joined) = set.join_next().await {
        let Ok((i, uid, result)) = joined else {
            stats.failed += 1;
            continue;
        };
        match result {
            Ok(SignedIn {
                device,
                via,
                new_token,
                leftovers,
            }) => {
                match via {
                    Via::Token => stats.token += 1,
                    Via::Password => stats.password += 1,
                }
                if let Some(token) = new_token {
                    tokens.set(&uid, token);
                }
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(Ready { device, leftovers });
                }
            }
            Err(err) => {
                eprintln!("ringer-bench: {err:#}");
                stats.failed += 1;
            }
        }
    }
    (out, stats)
}

/// The source address of device `i`.
pub fn source_for(sources: &[IpAddr], i: usize) -> Option<IpAddr> {
    if sources.is_empty() {
        None
    } else {
        sources.get(i % sources.len()).copied()
    }
}

/// Ends the live invitations an interrupted earlier run left on this device, and waits for the
/// replies, so that they cannot disturb the flows (e.g. a callee still in a call is busy).
async fn clean_up(device: &mut Device, leftovers: &[Leftover]) {
    let mut pending = Vec::new();
    for leftover in leftovers {
        let req = device.req();
        let id = leftover.id.as_str();
        let frame = match (leftover.caller, leftover.state.as_str()) {
            (true, "pending" | "ringing") => frames::cancel(req, id),
            (false, "pending" | "ringing") => frames::refuse(req, id),
            (_, _) => frames::hang_up(req, id),
        };
        if device.send(frame).await.is_ok() {
            pending.push(req);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    for req in pending {
        if device.reply(req, deadline).await.is_err() {
            break;
        }
    }
}

/// One flow to play.
struct Go {
    kind: FlowKind,
    id: String,
}

/// A caller and a callee device.
struct Pair {
    caller: Device,
    callee: Device,
    callee_uid: String,
}

/// What one pair measured.
struct PairStats {
    latencies: [Histogram<u64>; 4],
    completed: BTreeMap<FlowKind, u64>,
    failures: BTreeMap<String, u64>,
    other_frames: u64,
    last_end: Option<Instant>,
}

impl PairStats {
    fn new() -> Self {
        PairStats {
            latencies: std::array::from_fn(|_| report::histogram()),
            completed: BTreeMap::new(),
            failures: BTreeMap::new(),
            other_frames: 0,
            last_end: None,
        }
    }

    fn merge(&mut self, other: PairStats) {
        for (mine, theirs) in self.latencies.iter_mut().zip(&other.latencies) {
            // Same bounds on both sides, so adding cannot fail.
            let _ = mine.add(theirs);
        }
        for (kind, n) in other.completed {
            *self.completed.entry(kind).or_default() += n;
        }
        for (cause, n) in other.failures {
            *self.failures.entry(cause).or_default() += n;
        }
        self.other_frames += other.other_frames;
        self.last_end = self.last_end.max(other.last_end);
    }
}

/// Counters the progress line reads.
#[derive(Default)]
struct Counters {
    started: AtomicU64,
    completed: AtomicU64,
    failed: AtomicU64,
}

/// What [`drive`] returns.
struct Driven {
    stats: PairStats,
    started: u64,
    late_starts: u64,
    start: Instant,
}

async fn drive(pairs: Vec<Pair>, options: &FlowsOptions) -> Driven {
    let counters = Arc::new(Counters::default());
    let (idle_tx, mut idle_rx) = mpsc::channel::<usize>(pairs.len());
    let mut go_txs = Vec::with_capacity(pairs.len());
    let mut tasks = JoinSet::new();
    for (index, pair) in pairs.into_iter().enumerate() {
        let (go_tx, go_rx) = mpsc::channel::<Go>(1);
        go_txs.push(go_tx);
        let _ = idle_tx.try_send(index);
        tasks.spawn(pair_task(
            pair,
            index,
            go_rx,
            idle_tx.clone(),
            Arc::clone(&counters),
            options.flow_timeout,
            options.pair_gap,
        ));
    }
    drop(idle_tx);
    let progress = options
        .sign_in
        .progress
        .then(|| tokio::spawn(progress_line(Arc::clone(&counters))));

    let mut rng = SmallRng::from_entropy();
    let run_id: u32 = rng.r#gen();
    let total = options.mix.total();
    let start = Instant::now();
    let end = match options.stop {
        Stop::After(duration) => Some(start + duration),
        Stop::Count(_) => None,
    };
    let mut started = 0u64;
    let mut late_starts = 0u64;
    loop {
        if let Stop::Count(count) = options.stop
            && started >= count
        {
            break;
        }
        if let Rate::PerSecond(rate) = options.rate {
            let due = start + Duration::from_secs_f64(started as f64 / rate);
            tokio::time::sleep_until(due).await;
        }
        if end.is_some_and(|end| Instant::now() >= end) {
            break;
        }
        let index = match idle_rx.try_recv() {
            Ok(index) => index,
            Err(mpsc::error::TryRecvError::Empty) => {
                if matches!(options.rate, Rate::PerSecond(_)) {
                    late_starts += 1;
                }
                let next = match end {
                    Some(end) => tokio::time::timeout_at(end, idle_rx.recv())
                        .await
                        .unwrap_or(None),
                    None => idle_rx.recv().await,
                };
                match next {
                    Some(index) => index,
                    None => break,
                }
            }
            Err(mpsc::error::TryRecvError::Disconnected) => break,
        };
        let kind = options.mix.pick(rng.gen_range(0..total));
        let id = format!("bench-{run_id:08x}-{started}");
        let Some(go_tx) = go_txs.get(index) else {
            continue;
        };
        if go_tx.send(Go { kind, id }).await.is_ok() {
            started += 1;
            counters.started.fetch_add(1, Ordering::Relaxed);
        }
    }
    drop(go_txs);
    let mut stats = PairStats::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(pair_stats) = joined {
            stats.merge(pair_stats);
        }
    }
    if let Some(progress) = progress {
        progress.abort();
        eprintln!();
    }
    Driven {
        stats,
        started,
        late_starts,
        start,
    }
}

async fn progress_line(counters: Arc<Counters>) {
    let start = Instant::now();
    let mut last = 0u64;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.tick().await;
    loop {
        tick.tick().await;
        let completed = counters.completed.load(Ordering::Relaxed);
        eprint!(
            "\r[{:>5.1} s] {} started, {} completed, {} failed, {} completed/s   ",
            start.elapsed().as_secs_f64(),
            counters.started.load(Ordering::Relaxed),
            completed,
            counters.failed.load(Ordering::Relaxed),
            completed - last
        );
        last = completed;
    }
}

async fn pair_task(
    mut pair: Pair,
    index: usize,
    mut go_rx: mpsc::Receiver<Go>,
    idle_tx: mpsc::Sender<usize>,
    counters: Arc<Counters>,
    flow_timeout: Duration,
    gap: Duration,
) -> PairStats {
    let mut stats = PairStats::new();
    loop {
        let go = match tokio::time::timeout(PING_EVERY, go_rx.recv()).await {
            Err(_) => {
                let pinged = pair.caller.send(frames::ping()).await.is_ok()
                    && pair.callee.send(frames::ping()).await.is_ok();
                if !pinged {
                    break;
                }
                continue;
            }
            Ok(None) => break,
            Ok(Some(go)) => go,
        };
        let begun = Instant::now();
        let deadline = begun + flow_timeout;
        match pair.play(&go, deadline, &mut stats).await {
            Ok(()) => {
                *stats.completed.entry(go.kind).or_default() += 1;
                counters.completed.fetch_add(1, Ordering::Relaxed);
                stats.last_end = Some(Instant::now());
            }
            Err(cause) => {
                *stats.failures.entry(cause).or_default() += 1;
                counters.failed.fetch_add(1, Ordering::Relaxed);
                stats.last_end = Some(Instant::now());
                break;
            }
        }
        tokio::time::sleep_until(begun + gap).await;
        if idle_tx.send(index).await.is_err() {
            break;
        }
    }
    stats
}

/// Latency slots in [`PairStats::latencies`].
const SEND_TO_CALLEE: usize = 0;
const SEND_TO_CALLER: usize = 1;
const ACCEPT_TO_CALLER: usize = 2;
const ACCEPT_TO_CALLEE: usize = 3;

impl Pair {
    /// Plays one flow; `Err` names why it failed.
    async fn play(
        &mut self,
        go: &Go,
        deadline: Instant,
        stats: &mut PairStats,
    ) -> Result<(), String> {
        let id = go.id.as_str();
        let other = &mut stats.other_frames;
        // Each latency runs from just before the frame is handed to the socket (its text is
        // made first) to the arrival of the answer, before this tool parses it.
        let invite = frames::invite(self.caller.req(), id, &self.callee_uid);
        let sent = Instant::now();
        send(&mut self.caller, invite).await?;
        expect(&mut self.callee, id, Kind::Invitation, deadline, other).await?;
        let at = self.callee.received_at();
        report::record(&mut stats.latencies[SEND_TO_CALLEE], at - sent);
        send(&mut self.callee, frames::received(id)).await?;
        expect(&mut self.caller, id, Kind::ReceivedByPeer, deadline, other).await?;
        let at = self.caller.received_at();
        report::record(&mut stats.latencies[SEND_TO_CALLER], at - sent);
        match go.kind {
            FlowKind::Accept => {
                let accept = frames::accept(self.callee.req(), id);
                let accepted = Instant::now();
                send(&mut self.callee, accept).await?;
                expect(&mut self.caller, id, Kind::Accepted, deadline, other).await?;
                let at = self.caller.received_at();
                report::record(&mut stats.latencies[ACCEPT_TO_CALLER], at - accepted);
                send(&mut self.caller, frames::confirm(id)).await?;
                expect(&mut self.callee, id, Kind::AcceptConfirmed, deadline, other).await?;
                let at = self.callee.received_at();
                report::record(&mut stats.latencies[ACCEPT_TO_CALLEE], at - accepted);
                let req = self.callee.req();
                send(&mut self.callee, frames::hang_up(req, id)).await?;
                self.both_ended(id, Kind::CallEnded, "hangup", deadline, other)
                    .await
            }
            FlowKind::Refuse => {
                let req = self.callee.req();
                send(&mut self.callee, frames::refuse(req, id)).await?;
                self.both_ended(id, Kind::Refused, "declined", deadline, other)
                    .await
            }
            FlowKind::Cancel => {
                let req = self.caller.req();
                send(&mut self.caller, frames::cancel(req, id)).await?;
                self.both_ended(id, Kind::Canceled, "canceled", deadline, other)
                    .await
            }
            FlowKind::Expire => {
                self.both_ended(id, Kind::Failed, "invitation_expire", deadline, other)
                    .await
            }
        }
    }

    /// The end of a flow: the callee, then the caller, sees `want` with `reason`.
    async fn both_ended(
        &mut self,
        id: &str,
        want: Kind,
        reason: &str,
        deadline: Instant,
        other: &mut u64,
    ) -> Result<(), String> {
        ended(&mut self.callee, id, want, reason, deadline, other).await?;
        ended(&mut self.caller, id, want, reason, deadline, other).await
    }
}

async fn send(device: &mut Device, text: String) -> Result<(), String> {
    device
        .send(text)
        .await
        .map_err(|_| "send failed".to_owned())
}

/// Waits for `want` about invitation `id`; any error frame, or another outcome of the same
/// invitation, fails the flow. Unrelated frames are skipped and counted.
async fn expect(
    device: &mut Device,
    id: &str,
    want: Kind,
    deadline: Instant,
    other: &mut u64,
) -> Result<Incoming, String> {
    loop {
        let frame = device
            .recv(deadline)
            .await
            .map_err(|err| format!("{} waiting for {want:?}", first_words(&err.to_string())))?;
        if frame.kind == want && frame.is_about(id) {
            return Ok(frame);
        }
        match frame.kind {
            Kind::Error => {
                return Err(format!(
                    "error {} waiting for {want:?}",
                    frame.code.as_deref().unwrap_or("?")
                ));
            }
            Kind::Accepted
            | Kind::Refused
            | Kind::Canceled
            | Kind::Failed
            | Kind::CallEnded
            | Kind::AcceptConfirmed
            | Kind::ReceivedByPeer
            | Kind::Invitation
                if frame.is_about(id) =>
            {
                return Err(format!(
                    "{:?}({}) instead of {want:?}",
                    frame.kind,
                    frame.reason.as_deref().unwrap_or("")
                ));
            }
            Kind::Ok | Kind::Pong => {}
            Kind::Welcome
            | Kind::Invitation
            | Kind::ReceivedByPeer
            | Kind::Accepted
            | Kind::Refused
            | Kind::Canceled
            | Kind::Failed
            | Kind::AcceptConfirmed
            | Kind::CallEnded
            | Kind::Other => *other += 1,
        }
    }
}

/// [`expect`] for an ending frame that must carry `reason`.
async fn ended(
    device: &mut Device,
    id: &str,
    want: Kind,
    reason: &str,
    deadline: Instant,
    other: &mut u64,
) -> Result<(), String> {
    let frame = expect(device, id, want, deadline, other).await?;
    match frame.reason.as_deref() {
        Some(got) if got == reason => Ok(()),
        got => Err(format!(
            "{want:?}({}) instead of reason {reason}",
            got.unwrap_or("")
        )),
    }
}

/// A short, low-cardinality cause for the failure table.
fn first_words(text: &str) -> String {
    text.split(':').next().unwrap_or(text).trim().to_owned()
}

fn build_report(
    options: &FlowsOptions,
    pairs: usize,
    sign_ins: SignIns,
    driven: Driven,
    usage: Usage,
) -> FlowsReport {
    let Driven {
        stats,
        started,
        late_starts,
        start,
    } = driven;
    let elapsed = stats
        .last_end
        .map_or(Duration::ZERO, |end| end.saturating_duration_since(start));
    let completed: u64 = stats.completed.values().sum();
    let failed: u64 = stats.failures.values().sum();
    let [send_callee, send_caller, accept_caller, accept_callee] = &stats.latencies;
    FlowsReport {
        mode: "flows",
        url: options.sign_in.target.url.clone(),
        mix: options.mix.to_string(),
        target_rate: match options.rate {
            Rate::Max => None,
            Rate::PerSecond(rate) => Some(rate),
        },
        pairs,
        sign_ins,
        elapsed_s: elapsed.as_secs_f64(),
        started,
        completed,
        failed,
        completed_per_s: report::per_second(completed, elapsed),
        failed_per_s: report::per_second(failed, elapsed),
        completed_by_kind: FlowKind::ALL
            .iter()
            .map(|kind| (kind.name(), stats.completed.get(kind).copied().unwrap_or(0)))
            .collect(),
        failures: stats.failures,
        late_starts,
        other_frames: stats.other_frames,
        latency: FlowLatencies {
            send_to_callee_received: Percentiles::of(send_callee),
            send_to_caller_received_by_peer: Percentiles::of(send_caller),
            accept_to_caller_accepted: Percentiles::of(accept_caller),
            accept_to_callee_confirmed: Percentiles::of(accept_callee),
        },
        cpu_per_flow: CpuPerFlow::of(usage.bench, usage.server, completed),
        server_disk_bytes_per_flow: report::per_flow(usage.server_disk_writes, completed),
        server_context_switches_per_flow: report::per_flow(usage.server_switches, completed),
        host_steal_percent: usage.host.and_then(HostCpu::steal_percent),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_round_robin() {
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        assert_eq!(source_for(&[], 3), None);
        assert_eq!(source_for(&[a, b], 0), Some(a));
        assert_eq!(source_for(&[a, b], 3), Some(b));
    }

    #[test]
    fn failure_causes_stay_short() {
        assert_eq!(first_words("timed out"), "timed out");
        assert_eq!(
            first_words("closed by the server: Some(CloseFrame { .. })"),
            "closed by the server"
        );
    }
}
