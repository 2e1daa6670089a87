//! Heartbeats on virtual time: ping when quiet, reconnect when the server is silent.

use std::time::Duration;

use ringer_engine::{ConnectionState, Event, Transmit};
use ringer_proto::{ClientFrame, ServerFrame};

use crate::harness::{Harness, SERVER, invite};

const INTERVAL: Duration = Duration::from_secs(10);
const TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn pings_when_nothing_was_sent_for_an_interval() {
    let mut h = Harness::connected();
    let start = h.now;
    assert_eq!(h.engine.poll_timeout(), Some(start + INTERVAL));
    assert!(h.fire());
    assert_eq!(h.now, start + INTERVAL);
    assert_eq!(h.frames(), vec![ClientFrame::Ping {}]);
    // Sending something else postpones the next ping.
    h.advance(Duration::from_secs(4));
    h.engine.send(invite("c1"), h.now).expect("send");
    h.clear();
    assert_eq!(
        h.engine.poll_timeout(),
        Some(start + INTERVAL + Duration::from_secs(4) + INTERVAL)
    );
}

#[test]
fn silence_for_the_timeout_disconnects_and_reconnects() {
    let mut h = Harness::connected();
    let start = h.now;
    let mut pings = 0;
    while h.engine.connection_state() == ConnectionState::Connected {
        assert!(h.fire(), "a timer is always armed while connected");
        pings += h
            .frames()
            .iter()
            .filter(|f| **f == ClientFrame::Ping {})
            .count();
    }
    assert_eq!(h.now, start + TIMEOUT);
    assert_eq!(pings, 2, "pings at 10 s and 20 s, dead at 30 s");
    assert_eq!(h.engine.connection_state(), ConnectionState::Reconnecting);
    assert!(h.events().contains(&Event::ConnectionStateChanged {
        state: ConnectionState::Reconnecting,
        reason: ringer_engine::ConnectionChangeReason::Interrupted
    }));
    assert_eq!(h.engine.poll_timeout(), None);
}

#[test]
fn the_silence_timeout_transmits_disconnect() {
    let mut h = Harness::connected();
    h.advance(TIMEOUT);
    h.engine.handle_timeout(h.now);
    assert_eq!(h.take_transmits(), vec![Transmit::Disconnect]);
}

#[test]
fn anything_received_keeps_the_connection_alive() {
    let mut h = Harness::connected();
    let start = h.now;
    for _ in 0..10 {
        h.advance(Duration::from_secs(20));
        h.frame(ServerFrame::Pong {});
        h.engine.handle_timeout(h.now);
    }
    assert_eq!(h.engine.connection_state(), ConnectionState::Connected);
    assert_eq!(h.now, start + Duration::from_secs(200));
}

#[test]
fn the_servers_interval_overrides_the_config() {
    let mut h = Harness::new();
    let login = h.open();
    let mut w = crate::harness::welcome(login.req().expect("req"), SERVER, Vec::new());
    if let ServerFrame::Welcome(welcome) = &mut w {
        welcome.heartbeat_interval_ms = 3_000;
    }
    h.frame(w);
    assert_eq!(
        h.engine.poll_timeout(),
        Some(h.now + Duration::from_secs(3))
    );
    // A server asking for rare pings stretches the silence timeout to two intervals.
    let mut h = Harness::new();
    let login = h.open();
    let mut w = crate::harness::welcome(login.req().expect("req"), SERVER, Vec::new());
    if let ServerFrame::Welcome(welcome) = &mut w {
        welcome.heartbeat_interval_ms = 25_000;
    }
    h.frame(w);
    let start = h.now;
    h.advance(Duration::from_secs(30));
    h.frame(ServerFrame::Pong {});
    h.advance(Duration::from_secs(49));
    h.engine.handle_timeout(h.now);
    assert_eq!(h.engine.connection_state(), ConnectionState::Connected);
    h.advance(Duration::from_secs(1));
    h.engine.handle_timeout(h.now);
    assert_eq!(h.engine.connection_state(), ConnectionState::Reconnecting);
    assert_eq!(h.now, start + Duration::from_secs(80));
}

#[test]
fn no_timer_without_a_connection() {
    let mut h = Harness::new();
    assert_eq!(h.engine.poll_timeout(), None);
    h.engine.handle_timeout(h.now);
    assert_eq!(h.take_transmits(), vec![]);
}
