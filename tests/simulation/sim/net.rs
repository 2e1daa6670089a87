//! The virtual network: one connection per socket, a FIFO pipe in each direction, each with its
//! own delivery delay. Frames travel as JSON text, so the codec is exercised on every hop.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// What travels through a pipe: a frame's JSON text, or the end of the stream (the sender closed
/// the socket after everything it had sent before).
#[derive(Debug, Clone)]
pub enum Packet {
    Frame(String),
    Close,
}

/// One direction of a connection: packets in order, each with the instant it arrives.
#[derive(Debug)]
pub struct Pipe {
    queue: VecDeque<(Instant, u64, Packet)>,
    pub delay: Duration,
    /// When the last packet arrives; a later one never overtakes it (TCP keeps order).
    last: Option<Instant>,
    /// Packets vanish (a half-open connection: nobody is told).
    pub blackholed: bool,
}

impl Pipe {
    pub fn new(delay: Duration) -> Self {
        Pipe {
            queue: VecDeque::new(),
            delay,
            last: None,
            blackholed: false,
        }
    }

    /// Sends a packet at `now`; `seq` orders packets that arrive at the same instant.
    pub fn push(&mut self, now: Instant, seq: u64, packet: Packet) {
        if self.blackholed {
            return;
        }
        let mut at = now + self.delay;
        if let Some(last) = self.last {
            at = at.max(last);
        }
        self.last = Some(at);
        self.queue.push_back((at, seq, packet));
    }

    /// When and in what order the next packet arrives.
    pub fn head(&self) -> Option<(Instant, u64)> {
        self.queue.front().map(|(at, seq, _)| (*at, *seq))
    }

    pub fn pop(&mut self) -> Option<Packet> {
        self.queue.pop_front().map(|(_, _, p)| p)
    }

    /// Everything in flight is lost.
    pub fn clear(&mut self) {
        self.queue.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

/// One socket between a device and the server.
#[derive(Debug)]
pub struct Conn {
    pub device: usize,
    /// Which run of the server accepted it; a restarted server knows nothing of older ones.
    pub server_gen: u32,
    /// Device to server.
    pub up: Pipe,
    /// Server to device.
    pub down: Pipe,
    /// The device still treats this socket as its own.
    pub engine_open: bool,
    /// The server (shell and switchboard) still treats this socket as open.
    pub server_open: bool,
}

impl Conn {
    pub fn is_finished(&self) -> bool {
        !self.engine_open && !self.server_open && self.up.is_empty() && self.down.is_empty()
    }
}
