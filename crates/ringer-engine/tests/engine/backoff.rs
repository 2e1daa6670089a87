//! The reconnect backoff: bounds, growth, cap, reset, determinism.

use std::time::Duration;

use ringer_engine::Backoff;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn delays_stay_within_half_to_full_ceiling_and_double_to_30_s() {
    for seed in 0..50 {
        let mut b = Backoff::new(seed);
        let mut ceiling = ms(500);
        for _ in 0..20 {
            assert_eq!(b.ceiling(), ceiling);
            let d = b.next_delay();
            assert!(
                d >= ceiling / 2 && d <= ceiling,
                "seed {seed}: {d:?} vs {ceiling:?}"
            );
            ceiling = (ceiling * 2).min(Duration::from_secs(30));
        }
        assert_eq!(b.ceiling(), Duration::from_secs(30));
    }
}

#[test]
fn reset_starts_over() {
    let mut b = Backoff::new(7);
    for _ in 0..10 {
        b.next_delay();
    }
    b.reset();
    assert_eq!(b.ceiling(), ms(500));
    let d = b.next_delay();
    assert!(d >= ms(250) && d <= ms(500), "{d:?}");
}

#[test]
fn the_same_seed_gives_the_same_delays_and_seeds_spread() {
    let run = |seed| {
        let mut b = Backoff::new(seed);
        (0..10).map(|_| b.next_delay()).collect::<Vec<_>>()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
    // The jitter is not constant: many seeds give many different first delays.
    let firsts: std::collections::BTreeSet<_> = (0..100).map(|s| run(s)[0]).collect();
    assert!(firsts.len() > 50, "{}", firsts.len());
}
