//! Wall-clock stamps derived from the monotonic `now` the shell passes in.

use std::time::{Duration, Instant};

use ringer_proto::UnixMillis;

/// One moment known on both clocks; every wall time is derived from it, so the switchboard never
/// reads a clock.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WallClock {
    epoch: Instant,
    epoch_unix_ms: UnixMillis,
}

impl WallClock {
    pub(crate) fn new(epoch: Instant, epoch_unix_ms: UnixMillis) -> Self {
        WallClock {
            epoch,
            epoch_unix_ms,
        }
    }

    /// The wall time of `now`, in milliseconds since the Unix epoch.
    pub(crate) fn at(&self, now: Instant) -> UnixMillis {
        match now.checked_duration_since(self.epoch) {
            Some(after) => self.epoch_unix_ms.saturating_add(millis(after)),
            None => self
                .epoch_unix_ms
                .saturating_sub(millis(self.epoch.duration_since(now))),
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_time_follows_the_monotonic_clock_both_ways() {
        let epoch = Instant::now() + Duration::from_secs(10);
        let clock = WallClock::new(epoch, 1_000_000);
        assert_eq!(clock.at(epoch), 1_000_000);
        assert_eq!(clock.at(epoch + Duration::from_millis(1500)), 1_001_500);
        assert_eq!(clock.at(epoch - Duration::from_millis(250)), 999_750);
    }
}
