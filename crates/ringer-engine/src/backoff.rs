//! Reconnect backoff: jittered exponential, 0.5 s doubling to 30 s (SPEC §8).

use std::time::Duration;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// Jittered exponential reconnect backoff (0.5 s doubling to 30 s), seeded.
///
/// "Equal jitter": the n-th delay (from 0) is uniformly drawn from `[b/2, b]` where
/// `b = min(30 s, 0.5 s * 2^n)`, so retries never bunch at zero yet clients spread out.
#[derive(Debug, Clone)]
pub struct Backoff {
    rng: SmallRng,
    attempt: u32,
}

impl Backoff {
    /// The first delay's upper bound.
    pub const INITIAL: Duration = Duration::from_millis(500);
    /// The largest delay.
    pub const MAX: Duration = Duration::from_secs(30);

    /// A backoff whose jitter comes from `seed`.
    pub fn new(seed: u64) -> Self {
        Backoff {
            rng: SmallRng::seed_from_u64(seed),
            attempt: 0,
        }
    }

    /// The upper bound of the next delay.
    pub fn ceiling(&self) -> Duration {
        // 2^6 * 0.5 s already exceeds 30 s; the cap keeps the shift small.
        let factor = 1u32 << self.attempt.min(6);
        Self::INITIAL.saturating_mul(factor).min(Self::MAX)
    }

    /// How long to wait before the next dial; each call doubles the ceiling up to 30 s.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self.ceiling();
        let half = ceiling / 2;
        let jitter_ms = self.rng.gen_range(0..=duration_ms(ceiling - half));
        self.attempt = self.attempt.saturating_add(1);
        half + Duration::from_millis(jitter_ms)
    }

    /// Back to the first delay, after a successful login.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
