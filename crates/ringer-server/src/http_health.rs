//! The HTTP side of the port: reads a request head before tungstenite sees the stream, answers
//! `GET /health` and refusals itself, and replays the head to tungstenite for a WebSocket
//! upgrade.
//!
//! Reading the head ourselves (instead of peeking the socket) works the same under TLS.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

/// Largest request head accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;

/// What a request head asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// A WebSocket upgrade (any path).
    Upgrade,
    /// `GET /health` without an upgrade.
    Health,
    /// Anything else.
    Other,
}

/// Why no request could be read.
#[derive(Debug, thiserror::Error)]
pub enum HeadError {
    /// The connection failed or closed before the head ended.
    #[error("connection closed before the request head ended")]
    Io(#[from] io::Error),
    /// The head is larger than [`MAX_HEAD_BYTES`].
    #[error("request head is larger than {MAX_HEAD_BYTES} bytes")]
    TooLarge,
}

/// Reads from `stream` until the end of an HTTP request head; returns what it asks for and every
/// byte read (which may run past the head), for [`Prefixed`].
pub async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
) -> Result<(Request, Vec<u8>), HeadError> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        if let Some(end) = find_head_end(&buf) {
            let request = classify(&buf[..end]);
            return Ok((request, buf));
        }
        if buf.len() >= MAX_HEAD_BYTES {
            return Err(HeadError::TooLarge);
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(HeadError::Io(io::ErrorKind::UnexpectedEof.into()));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Writes a complete HTTP/1.1 response with `Connection: close` and shuts the stream down.
pub async fn respond<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: &str,
    content_type: &str,
    body: &str,
) -> io::Result<()> {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.flush().await?;
    stream.shutdown().await
}

/// The body of a `GET /health` answer.
pub fn health_body(connections: usize) -> String {
    format!("{{\"status\":\"ok\",\"connections\":{connections}}}\n")
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

fn classify(head: &[u8]) -> Request {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let upgrade = lines.any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("upgrade")
                && value.trim().eq_ignore_ascii_case("websocket")
        })
    });
    let path = target.split('?').next().unwrap_or("");
    if upgrade {
        Request::Upgrade
    } else if (method == "GET" || method == "HEAD") && path == "/health" {
        Request::Health
    } else {
        Request::Other
    }
}

/// A stream that first yields bytes already read from it, then reads on.
#[derive(Debug)]
pub struct Prefixed<S> {
    prefix: Vec<u8>,
    pos: usize,
    inner: S,
}

impl<S> Prefixed<S> {
    /// Replays `prefix` before reading from `inner`.
    pub fn new(prefix: Vec<u8>, inner: S) -> Self {
        Prefixed {
            prefix,
            pos: 0,
            inner,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.pos < self.prefix.len() {
            let n = buf.remaining().min(self.prefix.len() - self.pos);
            let start = self.pos;
            buf.put_slice(&self.prefix[start..start + n]);
            self.pos += n;
            if self.pos == self.prefix.len() {
                self.prefix = Vec::new();
                self.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_requests() {
        let health = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        assert_eq!(classify(health), Request::Health);
        let probe = b"GET /health?full=1 HTTP/1.1\r\n\r\n";
        assert_eq!(classify(probe), Request::Health);
        let upgrade = b"GET / HTTP/1.1\r\nConnection: Upgrade\r\nupgrade: WebSocket\r\n\r\n";
        assert_eq!(classify(upgrade), Request::Upgrade);
        let upgrade_health = b"GET /health HTTP/1.1\r\nUpgrade: websocket\r\n\r\n";
        assert_eq!(classify(upgrade_health), Request::Upgrade);
        assert_eq!(classify(b"GET / HTTP/1.1\r\n\r\n"), Request::Other);
        assert_eq!(classify(b"POST /health HTTP/1.1\r\n\r\n"), Request::Other);
    }

    #[tokio::test]
    async fn reads_a_head_and_replays_everything() {
        let sent = b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\nextra".to_vec();
        let mut reader = &sent[..];
        let (request, read) = read_head(&mut reader).await.expect("a complete head");
        assert_eq!(request, Request::Upgrade);
        let mut replay = Prefixed::new(read, reader);
        let mut all = Vec::new();
        replay.read_to_end(&mut all).await.expect("in-memory read");
        assert_eq!(all, sent);
    }

    #[tokio::test]
    async fn refuses_an_endless_head() {
        let sent = vec![b'a'; MAX_HEAD_BYTES + 10];
        let mut reader = &sent[..];
        let result = read_head(&mut reader).await;
        assert!(matches!(result, Err(HeadError::TooLarge)));
    }
}
