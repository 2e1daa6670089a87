//! A TCP proxy in front of the server that a test can cut (every connection through it drops
//! abruptly, without a WebSocket close) and block (new connections are dropped at once), so that
//! a real client loses its socket the way it does when a network goes away.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// A running proxy.
pub struct Proxy {
    pub url: String,
    shared: Arc<Shared>,
}

struct Shared {
    upstream: SocketAddr,
    blocked: AtomicBool,
    /// Cancelled to cut every connection made since the last cut.
    cut: Mutex<CancellationToken>,
}

impl Proxy {
    /// A proxy on 127.0.0.1:0 forwarding to `upstream`.
    pub async fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let addr = listener.local_addr().expect("the proxy's address");
        let shared = Arc::new(Shared {
            upstream,
            blocked: AtomicBool::new(false),
            cut: Mutex::new(CancellationToken::new()),
        });
        tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Proxy {
            url: format!("ws://{addr}"),
            shared,
        }
    }

    /// Drops every connection through the proxy and refuses new ones until [`Proxy::unblock`].
    pub fn cut_and_block(&self) {
        self.shared.blocked.store(true, Ordering::SeqCst);
        let fresh = CancellationToken::new();
        let old = std::mem::replace(
            &mut *self
                .shared
                .cut
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
            fresh,
        );
        old.cancel();
    }

    /// Lets new connections through again.
    pub fn unblock(&self) {
        self.shared.blocked.store(false, Ordering::SeqCst);
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    while let Ok((inbound, _)) = listener.accept().await {
        if shared.blocked.load(Ordering::SeqCst) {
            drop(inbound);
            continue;
        }
        let cut = shared
            .cut
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        tokio::spawn(forward(inbound, shared.upstream, cut));
    }
}

async fn forward(mut inbound: TcpStream, upstream: SocketAddr, cut: CancellationToken) {
    let Ok(mut outbound) = TcpStream::connect(upstream).await else {
        return;
    };
    tokio::select! {
        () = cut.cancelled() => {}
        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
    }
    // Both sockets drop here: each side sees its TCP connection end with no WebSocket close.
}
