//! The hidden `echo-server` that `echo` starts: echoes every text or binary message on every
//! connection, with `ringer-server`'s WebSocket settings.
//!
//! Three shapes. **Direct**: each connection is one task that reads a message and writes it
//! back. **Relay**: the shape of `ringer-server`'s connections: a reader task hands each message
//! to one hub task shared by all connections, which queues it (without waiting) for the
//! connection's writer task, which writes it, flushing when its queue is empty. The difference
//! between the two is what the task hand-offs of that shape cost, with no Ringer code in them.
//! **Relay, one task**: the same hub, but each connection's reads and writes share one task, so
//! a readable socket wakes one task instead of two (the alternative measured in the seventh
//! round of docs/performance.md).

use std::net::SocketAddr;

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

// The hub's input queue, its batch and a connection's outbound queue are `ringer-server`'s own.
use ringer_server::config::DEFAULT_OUTBOUND_QUEUE as OUTBOUND_QUEUE;
use ringer_server::hub::{INPUT_BATCH as HUB_BATCH, INPUT_QUEUE as HUB_QUEUE};

/// A message for the hub: where the echo goes, and the message.
type Relayed = (mpsc::Sender<Message>, Message);

/// How the echo server hands a message from reading to writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// The task that read a message writes it back.
    Direct,
    /// Reader task → shared hub task → the connection's writer task, as `ringer-server`.
    Relay,
    /// Connection task → shared hub task → the same connection task.
    #[value(name = "relay-one-task")]
    #[serde(rename = "relay-one-task")]
    RelayOneTask,
}

impl Shape {
    /// The name on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Direct => "direct",
            Shape::Relay => "relay",
            Shape::RelayOneTask => "relay-one-task",
        }
    }
}

/// Listens on `listen`, prints the bound address on stdout, and echoes on every connection
/// until stdin closes (the parent is gone).
pub async fn serve(listen: SocketAddr, shape: Shape) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("bind {listen}"))?;
    let bound = listener.local_addr().context("local address")?;
    announce(bound)?;
    let hub = match shape {
        Shape::Direct => None,
        Shape::Relay | Shape::RelayOneTask => {
            let (tx, rx) = mpsc::channel(HUB_QUEUE);
            tokio::spawn(hub(rx));
            Some(tx)
        }
    };
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    loop {
        tokio::select! {
            line = stdin.next_line() => {
                if !matches!(line, Ok(Some(_))) {
                    return Ok(());
                }
            }
            accepted = listener.accept() => {
                let (tcp, _) = accepted.context("accept")?;
                tokio::spawn(connection(tcp, shape, hub.clone()));
            }
        }
    }
}

#[allow(clippy::print_stdout)] // the parent reads the address from our stdout
fn announce(bound: SocketAddr) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{bound}")?;
    out.flush()?;
    Ok(())
}

async fn connection(tcp: TcpStream, shape: Shape, hub: Option<mpsc::Sender<Relayed>>) {
    if tcp.set_nodelay(true).is_err() {
        return;
    }
    let Ok(ws) = tokio_tungstenite::accept_async_with_config(
        tcp,
        Some(ringer_server::connection::ws_config()),
    )
    .await
    else {
        return;
    };
    match hub {
        None => echo_directly(ws).await,
        Some(hub) if shape == Shape::RelayOneTask => echo_through_one_task(ws, hub).await,
        Some(hub) => echo_through(ws, hub).await,
    }
}

async fn echo_directly(mut ws: WebSocketStream<TcpStream>) {
    while let Some(Ok(message)) = ws.next().await {
        if (message.is_text() || message.is_binary()) && ws.send(message).await.is_err() {
            return;
        }
    }
}

async fn echo_through(ws: WebSocketStream<TcpStream>, hub: mpsc::Sender<Relayed>) {
    let (mut sink, mut stream) = ws.split();
    let (out, mut queued) = mpsc::channel::<Message>(OUTBOUND_QUEUE);
    tokio::spawn(async move {
        while let Some(message) = queued.recv().await {
            if write_queued(&mut sink, message, &mut queued).await.is_err() {
                return;
            }
        }
    });
    while let Some(Ok(message)) = stream.next().await {
        if (message.is_text() || message.is_binary())
            && hub.send((out.clone(), message)).await.is_err()
        {
            return;
        }
    }
}

/// As [`echo_through`], with the connection's reads and writes in one task: no split stream,
/// so a readable socket wakes one task, where tokio-tungstenite wakes both halves' tasks.
async fn echo_through_one_task(mut ws: WebSocketStream<TcpStream>, hub: mpsc::Sender<Relayed>) {
    let (out, mut queued) = mpsc::channel::<Message>(OUTBOUND_QUEUE);
    loop {
        tokio::select! {
            biased;
            Some(message) = queued.recv() => {
                if write_queued(&mut ws, message, &mut queued).await.is_err() {
                    return;
                }
            }
            message = ws.next() => {
                let Some(Ok(message)) = message else {
                    return;
                };
                if (message.is_text() || message.is_binary())
                    && hub.send((out.clone(), message)).await.is_err()
                {
                    return;
                }
            }
        }
    }
}

/// Writes `first` and whatever is queued behind it, then flushes once (as `ringer-server`'s
/// writer does).
async fn write_queued<Si>(
    sink: &mut Si,
    first: Message,
    queued: &mut mpsc::Receiver<Message>,
) -> Result<(), tokio_tungstenite::tungstenite::Error>
where
    Si: futures_util::Sink<Message, Error = tokio_tungstenite::tungstenite::Error> + Unpin,
{
    let mut next = Some(first);
    while let Some(message) = next {
        sink.feed(message).await?;
        next = queued.try_recv().ok();
    }
    sink.flush().await
}

/// Queues each message for its connection's writer; a full queue drops the message (the
/// client then reports a missing echo), as `ringer-server` cuts a slow consumer.
async fn hub(mut inputs: mpsc::Receiver<Relayed>) {
    let mut batch = Vec::with_capacity(HUB_BATCH);
    while inputs.recv_many(&mut batch, HUB_BATCH).await > 0 {
        for (out, message) in batch.drain(..) {
            let _ = out.try_send(message);
        }
    }
}
