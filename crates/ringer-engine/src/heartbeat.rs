//! Heartbeat timers of a logged-in connection: ping when we have been quiet, give up when the
//! server has been.

use std::time::{Duration, Instant};

/// When the engine last sent and last heard something on the current connection.
#[derive(Debug, Clone)]
pub(crate) struct Heartbeat {
    interval: Duration,
    timeout: Duration,
    last_sent: Instant,
    last_received: Instant,
}

impl Heartbeat {
    /// Starts the timers at `now`. The timeout is stretched to at least two intervals: a server
    /// asking for rare pings must not be declared dead between them.
    pub fn new(now: Instant, interval: Duration, timeout: Duration) -> Self {
        let interval = interval.max(Duration::from_millis(1));
        Heartbeat {
            interval,
            timeout: timeout.max(interval.saturating_mul(2)),
            last_sent: now,
            last_received: now,
        }
    }

    /// Something went out.
    pub fn on_sent(&mut self, now: Instant) {
        self.last_sent = self.last_sent.max(now);
    }

    /// Something came in.
    pub fn on_received(&mut self, now: Instant) {
        self.last_received = self.last_received.max(now);
    }

    /// When to send a ping if nothing else goes out first.
    pub fn ping_at(&self) -> Instant {
        self.last_sent + self.interval
    }

    /// When the connection counts as dead if nothing comes in first.
    pub fn dead_at(&self) -> Instant {
        self.last_received + self.timeout
    }

    /// The earlier of the two.
    pub fn next_deadline(&self) -> Instant {
        self.ping_at().min(self.dead_at())
    }

    /// The silence timeout in use.
    #[cfg(test)]
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_is_at_least_two_intervals() {
        let now = Instant::now();
        let hb = Heartbeat::new(now, Duration::from_secs(20), Duration::from_secs(30));
        assert_eq!(hb.timeout(), Duration::from_secs(40));
        let hb = Heartbeat::new(now, Duration::from_secs(10), Duration::from_secs(30));
        assert_eq!(hb.timeout(), Duration::from_secs(30));
        assert_eq!(hb.next_deadline(), now + Duration::from_secs(10));
    }

    #[test]
    fn sending_and_receiving_push_the_deadlines() {
        let now = Instant::now();
        let mut hb = Heartbeat::new(now, Duration::from_secs(10), Duration::from_secs(30));
        hb.on_sent(now + Duration::from_secs(5));
        hb.on_received(now + Duration::from_secs(7));
        assert_eq!(hb.ping_at(), now + Duration::from_secs(15));
        assert_eq!(hb.dead_at(), now + Duration::from_secs(37));
        // Time never runs backwards for the timers.
        hb.on_sent(now);
        assert_eq!(hb.ping_at(), now + Duration::from_secs(15));
    }
}
