//! What the bench reads from `/proc`: a process's resident memory, the CPU time it has used,
//! its threads' context switches and what it has written to disk, and how much CPU time the
//! machine's hypervisor took.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;

/// The unit of the CPU times in `/proc/PID/stat`: the kernel reports them in USER_HZ ticks,
/// which the Linux ABI fixes at 100 per second whatever the kernel's own tick rate.
const USER_HZ: u32 = 100;

/// CPU time a process has used, all of its threads together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CpuTimes {
    /// In user space.
    pub user: Duration,
    /// In the kernel on its behalf (system calls, page faults).
    pub system: Duration,
}

impl CpuTimes {
    /// What was used between `earlier` and `self`.
    pub fn since(self, earlier: CpuTimes) -> CpuTimes {
        CpuTimes {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
        }
    }
}

/// The resident memory of process `pid`, in KiB (`VmRSS` of `/proc/PID/status`).
pub fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    read(pid, "status", "VmRSS line", parse_vm_rss)
}

/// The `VmRSS:` value of a /proc status text, in KiB.
pub fn parse_vm_rss(status: &str) -> Option<u64> {
    labelled(status, "VmRSS:")
        .and_then(|rest| rest.strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
}

/// The bytes process `pid` has written to files so far (`write_bytes` of `/proc/PID/io`),
/// counted as its writes dirty the page cache, whether or not they have reached the disk yet;
/// socket sends are not in it.
pub fn disk_writes(pid: u32) -> anyhow::Result<u64> {
    read(pid, "io", "write_bytes line", parse_write_bytes)
}

/// The `write_bytes:` value of a /proc io text.
pub fn parse_write_bytes(io: &str) -> Option<u64> {
    labelled(io, "write_bytes:").and_then(|bytes| bytes.parse().ok())
}

/// The CPU time process `pid` has used so far (`utime` and `stime` of `/proc/PID/stat`).
pub fn cpu_times(pid: u32) -> anyhow::Result<CpuTimes> {
    read(pid, "stat", "CPU times", parse_cpu_times)
}

/// `utime` and `stime` (fields 14 and 15) of a /proc stat line. The process name, field 2, is
/// in parentheses and may itself hold spaces and parentheses, so fields are counted after the
/// last `)`.
pub fn parse_cpu_times(stat: &str) -> Option<CpuTimes> {
    let (_, after_name) = stat.rsplit_once(')')?;
    // After the name: state (field 3) first, so utime is the 12th and stime the 13th.
    let mut fields = after_name.split_whitespace().skip(11);
    let ticks = |field: Option<&str>| -> Option<Duration> {
        let ticks: u64 = field?.parse().ok()?;
        Some(Duration::from_millis(
            ticks.checked_mul(1000)? / u64::from(USER_HZ),
        ))
    };
    Some(CpuTimes {
        user: ticks(fields.next())?,
        system: ticks(fields.next())?,
    })
}

/// Context switches so far of each thread of a process, by thread id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThreadSwitches(pub BTreeMap<u32, u64>);

impl ThreadSwitches {
    /// The switches made between `earlier` and `self`: a thread in both counts the difference,
    /// a thread started since counts all of its own. A thread that ended in between is in
    /// neither total; its switches since `earlier` are lost (the kernel keeps no count for a
    /// thread that has gone), so the result can only fall short.
    pub fn since(&self, earlier: &ThreadSwitches) -> u64 {
        self.0
            .iter()
            .map(|(tid, now)| now.saturating_sub(earlier.0.get(tid).copied().unwrap_or(0)))
            .sum()
    }
}

/// The context switches of every thread of process `pid` (`voluntary_ctxt_switches` plus
/// `nonvoluntary_ctxt_switches` of each `/proc/PID/task/TID/status`). The process's own
/// `status` counts only its first thread, and a server's work is done by the others.
pub fn thread_switches(pid: u32) -> anyhow::Result<ThreadSwitches> {
    let dir = format!("/proc/{pid}/task");
    let mut switches = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("cannot read {dir}"))? {
        let entry = entry.with_context(|| format!("cannot read {dir}"))?;
        let Some(tid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        // A thread that ends between the listing and this read is simply not counted.
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let count = parse_context_switches(&status)
            .with_context(|| format!("no context switch counts in {dir}/{tid}/status"))?;
        switches.insert(tid, count);
    }
    Ok(ThreadSwitches(switches))
}

/// `voluntary_ctxt_switches` plus `nonvoluntary_ctxt_switches` of a /proc status text.
pub fn parse_context_switches(status: &str) -> Option<u64> {
    let count = |label| labelled(status, label).and_then(|n| n.parse::<u64>().ok());
    count("voluntary_ctxt_switches:")?.checked_add(count("nonvoluntary_ctxt_switches:")?)
}

/// The CPU time of the whole machine, all CPUs together, in USER_HZ ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HostCpu {
    /// Every state: user, nice, system, idle, iowait, irq, softirq and steal.
    pub total: u64,
    /// Time a CPU of this virtual machine could have run but the hypervisor ran something else.
    pub steal: u64,
}

impl HostCpu {
    /// What passed between `earlier` and `self`.
    pub fn since(self, earlier: HostCpu) -> HostCpu {
        HostCpu {
            total: self.total.saturating_sub(earlier.total),
            steal: self.steal.saturating_sub(earlier.steal),
        }
    }

    /// Steal as a percentage of all CPU time; `None` if no time passed.
    pub fn steal_percent(self) -> Option<f64> {
        (self.total > 0).then(|| self.steal as f64 * 100.0 / self.total as f64)
    }
}

/// The machine's CPU time so far (the `cpu` line of `/proc/stat`).
pub fn host_cpu() -> anyhow::Result<HostCpu> {
    read_path("/proc/stat", "cpu line", parse_host_cpu)
}

/// The all-CPU `cpu` line of a /proc/stat text. `guest` and `guest_nice`, after `steal`, are
/// already counted in `user` and `nice`, so they are not added to the total; kernels older
/// than 2.6.11 have no `steal` field and count as none.
pub fn parse_host_cpu(stat: &str) -> Option<HostCpu> {
    let fields = stat
        .lines()
        .find_map(|line| line.strip_prefix("cpu "))?
        .split_whitespace()
        .take(8)
        .map(str::parse::<u64>)
        .collect::<Result<Vec<u64>, _>>()
        .ok()?;
    if fields.len() < 4 {
        return None;
    }
    Some(HostCpu {
        total: fields.iter().try_fold(0u64, |sum, n| sum.checked_add(*n))?,
        steal: fields.get(7).copied().unwrap_or(0),
    })
}

/// Reads `/proc/PID/FILE` and takes `what` out of it with `parse`.
fn read<T>(
    pid: u32,
    file: &str,
    what: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> anyhow::Result<T> {
    read_path(&format!("/proc/{pid}/{file}"), what, parse)
}

/// Reads `path` and takes `what` out of it with `parse`.
fn read_path<T>(
    path: &str,
    what: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    parse(&text).with_context(|| format!("no {what} in {path}"))
}

/// The trimmed rest of the line that starts with `label` (`Label:   value`).
fn labelled<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|line| line.strip_prefix(label))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_host_cpu_without_guest_time() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        let stat = "cpu  100 2 30 800 10 1 7 50 40 0\ncpu0 50 1 15 400 5 0 4 25 20 0\nintr 1\n";
        assert_eq!(
            parse_host_cpu(stat),
            Some(HostCpu {
                total: 1000,
                steal: 50
            })
        );
        let later = HostCpu {
            total: 1200,
            steal: 90,
        };
        let window = later.since(HostCpu {
            total: 1000,
            steal: 50,
        });
        assert_eq!(window.steal_percent(), Some(20.0));
        assert_eq!(HostCpu::default().steal_percent(), None);
    }

    #[test]
    fn host_cpu_needs_the_all_cpu_line_with_numbers() {
        assert_eq!(parse_host_cpu("cpu0 1 2 3 4 5 6 7 8\n"), None);
        assert_eq!(parse_host_cpu("cpu  1 2 x 4 5 6 7 8\n"), None);
        assert_eq!(parse_host_cpu("cpu  1 2\n"), None);
        // A kernel without a steal field.
        assert_eq!(
            parse_host_cpu("cpu  1 2 3 4\n"),
            Some(HostCpu {
                total: 10,
                steal: 0
            })
        );
    }

    #[test]
    fn this_machine_has_a_host_cpu_line() {
        let cpu = host_cpu().expect("/proc/stat readable");
        assert!(cpu.total > 0 && cpu.steal <= cpu.total, "{cpu:?}");
    }

    #[test]
    fn reads_vm_rss() {
        let status = "Name:\tringer-server\nVmPeak:\t  999 kB\nVmRSS:\t   12345 kB\nThreads:\t3\n";
        assert_eq!(parse_vm_rss(status), Some(12_345));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
    }

    #[test]
    fn reads_write_bytes_not_cancelled_write_bytes() {
        let io = "rchar: 6976\nwchar: 10\nsyscr: 10\nsyscw: 1\nread_bytes: 0\n\
                  cancelled_write_bytes: 77\nwrite_bytes: 40960\n";
        assert_eq!(parse_write_bytes(io), Some(40_960));
        assert_eq!(parse_write_bytes("cancelled_write_bytes: 77\n"), None);
    }

    #[test]
    fn reads_cpu_times_after_a_name_with_spaces_and_parentheses() {
        // Fields 14 and 15 are 1234 and 56 ticks; the name would shift them if split naively.
        let stat = "4242 (tokio (rt) w) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 56 0 0 20 0 \
                    5 0 100 2000000 3000 18446744073709551615";
        let times = parse_cpu_times(stat).expect("parsed");
        assert_eq!(times.user, Duration::from_millis(12_340));
        assert_eq!(times.system, Duration::from_millis(560));
        assert_eq!(parse_cpu_times("4242 (x) S 1 2"), None);
        assert_eq!(parse_cpu_times("no name here"), None);
    }

    #[test]
    fn cpu_times_since_subtracts_and_never_goes_negative() {
        let ms = Duration::from_millis;
        let later = CpuTimes {
            user: ms(50),
            system: ms(20),
        };
        let earlier = CpuTimes {
            user: ms(30),
            system: ms(25),
        };
        assert_eq!(
            later.since(earlier),
            CpuTimes {
                user: ms(20),
                system: Duration::ZERO
            }
        );
    }

    #[test]
    fn reads_both_kinds_of_context_switch() {
        let status = "Name:\tringer-server\nThreads:\t5\nvoluntary_ctxt_switches:\t1500\n\
                      nonvoluntary_ctxt_switches:\t42\n";
        assert_eq!(parse_context_switches(status), Some(1542));
        assert_eq!(
            parse_context_switches("voluntary_ctxt_switches:\t1500\n"),
            None
        );
        assert_eq!(
            parse_context_switches(
                "voluntary_ctxt_switches:\tmany\nnonvoluntary_ctxt_switches:\t42\n"
            ),
            None
        );
    }

    #[test]
    fn switches_since_count_new_threads_whole_and_gone_ones_not_at_all() {
        let earlier = ThreadSwitches(BTreeMap::from([(10, 100), (11, 50), (12, 7)]));
        // 10 went on (+20), 11 ended, 13 started since (30 of its own).
        let now = ThreadSwitches(BTreeMap::from([(10, 120), (12, 7), (13, 30)]));
        assert_eq!(now.since(&earlier), 50);
        assert_eq!(earlier.since(&earlier), 0);
    }

    #[test]
    fn counts_the_switches_of_this_process_s_threads() -> anyhow::Result<()> {
        let pid = std::process::id();
        let before = thread_switches(pid)?;
        // A thread that sleeps switches out at least once, and is counted while it lives.
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let sleeper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            rx.recv()
        });
        std::thread::sleep(Duration::from_millis(50));
        let during = thread_switches(pid)?;
        tx.send(()).expect("sleeper waiting");
        sleeper.join().expect("sleeper ran").expect("message");
        assert!(during.since(&before) >= 1, "{before:?} → {during:?}");
        Ok(())
    }

    #[test]
    fn reads_this_process() -> anyhow::Result<()> {
        assert!(rss_kib(std::process::id())? > 0);
        // Burn a little CPU so that at least one tick is counted.
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let times = cpu_times(std::process::id())?;
        assert!(times.user + times.system > Duration::ZERO);
        disk_writes(std::process::id())?;
        Ok(())
    }
}
