//! `idle`: many devices signed in and held, pinging every 10 s as real clients do; measures
//! how long signing all of them in takes and the server's resident memory per device.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::device::{Device, SignedIn, Target, Via};
use crate::flows::{PING_EVERY, source_for};
use crate::frames;
use crate::procfs::rss_kib;
use crate::report::{self, IdleReport, SignIns};
use crate::users::{SignInOptions, Tokens, uid_of};

/// Everything `idle` needs.
#[derive(Debug, Clone)]
pub struct IdleOptions {
    /// Whom to sign in, where and how.
    pub sign_in: SignInOptions,
    /// Devices (one per user).
    pub devices: usize,
    /// The server's pid, for its memory.
    pub server_pid: Option<u32>,
    /// How long to hold after the last sign-in.
    pub hold: Duration,
    /// Wait before reading the memory.
    pub settle: Duration,
}

/// One device's sign-in, as reported to the coordinator.
struct Outcome {
    uid: String,
    result: anyhow::Result<(Via, Option<String>)>,
}

/// Signs the devices in, holds them, and reports.
pub async fn run(options: IdleOptions) -> anyhow::Result<IdleReport> {
    let mut tokens = Tokens::load(&options.sign_in.work)?;
    let rss_before = options.server_pid.map(rss_kib).transpose()?;
    let permits = Arc::new(Semaphore::new(options.sign_in.concurrency));
    let (outcome_tx, mut outcome_rx) = mpsc::unbounded_channel::<Outcome>();
    let (stop_tx, stop_rx) = watch::channel(false);
    let held = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..options.devices {
        let uid = uid_of(options.sign_in.first_user + i);
        let token = tokens.get(&uid).map(str::to_owned);
        tasks.spawn(device_task(
            options.sign_in.target.clone(),
            source_for(&options.sign_in.source_ips, i),
            uid,
            token,
            options.sign_in.password.clone(),
            Arc::clone(&permits),
            outcome_tx.clone(),
            stop_rx.clone(),
            Arc::clone(&held),
        ));
    }
    drop(outcome_tx);

    let mut sign_ins = SignIns::default();
    let mut last_progress = Instant::now();
    let mut done = 0usize;
    let mut last_welcome = start;
    while let Some(outcome) = outcome_rx.recv().await {
        done += 1;
        match outcome.result {
            Ok((via, new_token)) => {
                last_welcome = Instant::now();
                match via {
                    Via::Token => sign_ins.token += 1,
                    Via::Password => sign_ins.password += 1,
                }
                if let Some(token) = new_token {
                    tokens.set(&outcome.uid, token);
                }
            }
            Err(err) => {
                sign_ins.failed += 1;
                if sign_ins.failed <= 10 {
                    eprintln!("ringer-bench: {err:#}");
                }
            }
        }
        if options.sign_in.progress && last_progress.elapsed() >= Duration::from_millis(500) {
            last_progress = Instant::now();
            eprint!(
                "\r[{:>5.1} s] {done}/{} signed in ({} failed)   ",
                start.elapsed().as_secs_f64(),
                options.devices,
                sign_ins.failed
            );
        }
        if done == options.devices {
            break;
        }
    }
    if options.sign_in.progress {
        eprintln!();
    }
    let sign_in_time = last_welcome.saturating_duration_since(start);
    tokens.save()?;

    tokio::time::sleep(options.settle).await;
    let rss_after = options.server_pid.map(rss_kib).transpose()?;
    tokio::time::sleep(options.hold.saturating_sub(options.settle)).await;
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}

    let signed_in = sign_ins.token + sign_ins.password;
    Ok(IdleReport {
        mode: "idle",
        url: options.sign_in.target.url.clone(),
        devices: options.devices,
        sign_ins,
        sign_in_s: sign_in_time.as_secs_f64(),
        sign_ins_per_s: report::per_second(signed_in, sign_in_time),
        rss_before_kib: rss_before,
        rss_after_kib: rss_after,
        rss_per_device_kib: report::per_device_kib(rss_before, rss_after, signed_in),
        held_to_end: held.load(Ordering::Relaxed),
    })
}

#[allow(clippy::too_many_arguments)]
async fn device_task(
    target: Target,
    source: Option<IpAddr>,
    uid: String,
    token: Option<String>,
    password: String,
    permits: Arc<Semaphore>,
    outcomes: mpsc::UnboundedSender<Outcome>,
    mut stop: watch::Receiver<bool>,
    held: Arc<AtomicU64>,
) {
    let permit = permits.acquire_owned().await;
    let signed = Device::sign_in(&target, source, &uid, token.as_deref(), &password).await;
    drop(permit);
    let mut device = match signed {
        Ok(SignedIn {
            device,
            via,
            new_token,
            ..
        }) => {
            let _ = outcomes.send(Outcome {
                uid,
                result: Ok((via, new_token)),
            });
            device
        }
        Err(err) => {
            let _ = outcomes.send(Outcome {
                uid,
                result: Err(err),
            });
            return;
        }
    };
    drop(outcomes);
    let mut next_ping = Instant::now() + PING_EVERY;
    loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            frame = device.recv_until(next_ping) => match frame {
                Ok(Some(_)) => {}
                Ok(None) => {
                    if device.send(frames::ping()).await.is_err() {
                        return;
                    }
                    next_ping = Instant::now() + PING_EVERY;
                }
                Err(_) => return,
            },
        }
    }
    held.fetch_add(1, Ordering::Relaxed);
    device.close().await;
}
