//! Token buckets, sans-IO: every call takes `now`, so the limits are tested in virtual time.
//!
//! Two users: each connection's frame rate ([`TokenBucket`]), and failed logins per uid and per
//! source address ([`LoginLimiter`]).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use ringer_proto::Uid;

/// A rate: at most `count` events in a burst, refilled at `count` per `per`. A `count` of 0
/// disables the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Burst size, and how many events `per` refills.
    pub count: u32,
    /// The refill period.
    pub per: Duration,
}

impl Rate {
    /// A rate of `count` events per `per`.
    pub fn new(count: u32, per: Duration) -> Self {
        Rate { count, per }
    }

    fn unlimited(&self) -> bool {
        self.count == 0 || self.per.is_zero()
    }

    /// Tokens refilled in `elapsed`.
    fn refill(&self, elapsed: Duration) -> f64 {
        elapsed.as_secs_f64() * f64::from(self.count) / self.per.as_secs_f64()
    }
}

/// One token bucket: starts full; each event takes a token.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: Rate,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: Rate, now: Instant) -> Self {
        TokenBucket {
            rate,
            tokens: f64::from(rate.count),
            last: now,
        }
    }

    /// Takes a token if there is one; false means the event is over the limit.
    pub fn try_take(&mut self, now: Instant) -> bool {
        if self.rate.unlimited() {
            return true;
        }
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// True when an event now would be within the limit; takes nothing.
    pub fn has_token(&mut self, now: Instant) -> bool {
        if self.rate.unlimited() {
            return true;
        }
        self.refill(now);
        self.tokens >= 1.0
    }

    /// Takes a token, or nothing if the bucket is empty.
    pub fn take_saturating(&mut self, now: Instant) {
        let _ = self.try_take(now);
    }

    /// True when the bucket has refilled completely: it then remembers nothing and can go.
    fn is_full(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= f64::from(self.rate.count)
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last);
        self.last = now;
        self.tokens = (self.tokens + self.rate.refill(elapsed)).min(f64::from(self.rate.count));
    }
}

/// A token bucket per key, for keys that come and go (uids, addresses). Full buckets are
/// forgotten, so memory follows the number of keys recently limited, bounded by `max_keys`.
#[derive(Debug)]
pub struct KeyedLimiter<K> {
    rate: Rate,
    buckets: HashMap<K, TokenBucket>,
    max_keys: usize,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    /// A limiter that holds at most `max_keys` buckets.
    pub fn new(rate: Rate, max_keys: usize) -> Self {
        KeyedLimiter {
            rate,
            buckets: HashMap::new(),
            max_keys,
        }
    }

    /// True when an event for `key` now would be within the limit.
    pub fn allows(&mut self, key: &K, now: Instant) -> bool {
        match self.buckets.get_mut(key) {
            Some(bucket) => bucket.has_token(now),
            None => true,
        }
    }

    /// Counts an event for `key`.
    pub fn record(&mut self, key: &K, now: Instant) {
        if self.rate.unlimited() {
            return;
        }
        if !self.buckets.contains_key(key) && self.buckets.len() >= self.max_keys {
            self.buckets.retain(|_, bucket| !bucket.is_full(now));
            if self.buckets.len() >= self.max_keys {
                // Under a flood of distinct keys, forgetting one key's failures is better than
                // growing without bound; the per-address limit still applies.
                return;
            }
        }
        let rate = self.rate;
        self.buckets
            .entry(key.clone())
            .or_insert_with(|| TokenBucket::new(rate, now))
            .take_saturating(now);
    }

    /// How many keys currently have a bucket.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    /// True when no key has a bucket.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}

/// Limits failed logins per uid and per source address (SPEC §2). Only failures count; a login
/// is refused before its password is checked while either bucket is empty.
#[derive(Debug)]
pub struct LoginLimiter {
    per_uid: KeyedLimiter<Uid>,
    per_ip: KeyedLimiter<IpAddr>,
}

/// The most uids or addresses a [`LoginLimiter`] remembers at once.
const MAX_LIMITED_KEYS: usize = 100_000;

impl LoginLimiter {
    /// A limiter allowing `per_uid` failures per uid and `per_ip` failures per address.
    pub fn new(per_uid: Rate, per_ip: Rate) -> Self {
        LoginLimiter {
            per_uid: KeyedLimiter::new(per_uid, MAX_LIMITED_KEYS),
            per_ip: KeyedLimiter::new(per_ip, MAX_LIMITED_KEYS),
        }
    }

    /// True when a login attempt for `uid` from `ip` may be checked now.
    pub fn allows(&mut self, uid: &Uid, ip: IpAddr, now: Instant) -> bool {
        self.per_uid.allows(uid, now) && self.per_ip.allows(&ip, now)
    }

    /// Counts a failed login.
    pub fn failed(&mut self, uid: &Uid, ip: IpAddr, now: Instant) {
        self.per_uid.record(uid, now);
        self.per_ip.record(&ip, now);
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn uid(s: &str) -> Uid {
        Uid::new(s).expect("valid uid")
    }

    #[test]
    fn bucket_allows_a_burst_then_refills_at_the_rate() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(Rate::new(3, Duration::from_secs(3)), t0);
        assert!(bucket.try_take(t0));
        assert!(bucket.try_take(t0));
        assert!(bucket.try_take(t0));
        assert!(!bucket.try_take(t0));
        assert!(!bucket.try_take(t0 + Duration::from_millis(900)));
        assert!(bucket.try_take(t0 + Duration::from_millis(1000)));
        assert!(!bucket.try_take(t0 + Duration::from_millis(1000)));
    }

    #[test]
    fn bucket_never_holds_more_than_its_burst() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(Rate::new(2, Duration::from_secs(1)), t0);
        let later = t0 + Duration::from_secs(3600);
        assert!(bucket.try_take(later));
        assert!(bucket.try_take(later));
        assert!(!bucket.try_take(later));
    }

    #[test]
    fn zero_count_means_unlimited() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(Rate::new(0, Duration::from_secs(1)), t0);
        for _ in 0..1000 {
            assert!(bucket.try_take(t0));
        }
    }

    #[test]
    fn login_limiter_counts_failures_per_uid() {
        let t0 = Instant::now();
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let mut limiter = LoginLimiter::new(
            Rate::new(2, Duration::from_secs(60)),
            Rate::new(10, Duration::from_secs(60)),
        );
        let alice = uid("alice");
        assert!(limiter.allows(&alice, ip, t0));
        limiter.failed(&alice, ip, t0);
        assert!(limiter.allows(&alice, ip, t0));
        limiter.failed(&alice, ip, t0);
        assert!(!limiter.allows(&alice, ip, t0));
        assert!(limiter.allows(&uid("bob"), ip, t0));
        assert!(limiter.allows(&alice, ip, t0 + Duration::from_secs(30)));
    }

    #[test]
    fn login_limiter_counts_failures_per_address() {
        let t0 = Instant::now();
        let ip = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        let other = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
        let mut limiter = LoginLimiter::new(
            Rate::new(10, Duration::from_secs(60)),
            Rate::new(3, Duration::from_secs(60)),
        );
        for name in ["a", "b", "c"] {
            limiter.failed(&uid(name), ip, t0);
        }
        assert!(!limiter.allows(&uid("d"), ip, t0));
        assert!(limiter.allows(&uid("d"), other, t0));
    }

    #[test]
    fn keyed_limiter_forgets_refilled_keys_when_full() {
        let t0 = Instant::now();
        let mut limiter = KeyedLimiter::new(Rate::new(1, Duration::from_secs(1)), 2);
        limiter.record(&1, t0);
        limiter.record(&2, t0);
        limiter.record(&3, t0);
        assert_eq!(limiter.len(), 2, "no room while both buckets are empty");
        limiter.record(&3, t0 + Duration::from_secs(5));
        assert_eq!(limiter.len(), 1);
        assert!(!limiter.allows(&3, t0 + Duration::from_secs(5)));
    }
}
