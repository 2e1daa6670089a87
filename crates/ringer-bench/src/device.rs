//! One simulated device: a plain WebSocket connection from a chosen source address, signed in
//! with a stored token (or a password the first time).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::frames::{self, Incoming, Kind};

/// How long dialing plus signing in may take before the device counts as failed.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(30);

/// Where the server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL as given.
    pub url: String,
    /// Its socket address.
    pub addr: SocketAddr,
}

impl Target {
    /// Parses `ws://HOST:PORT[/path]` where HOST is an IP address.
    pub fn parse(url: &str) -> anyhow::Result<Target> {
        let rest = url
            .strip_prefix("ws://")
            .ok_or_else(|| anyhow!("{url:?}: only plain ws://IP:PORT URLs are supported"))?;
        let authority = rest.split('/').next().unwrap_or(rest);
        let addr: SocketAddr = authority
            .parse()
            .with_context(|| format!("{url:?}: expected ws://IP:PORT"))?;
        Ok(Target {
            url: format!("ws://{addr}/"),
            addr,
        })
    }
}

/// How a device signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// With its stored session token.
    Token,
    /// With its password (no token stored, or the stored one was refused).
    Password,
}

/// A signed-in device.
pub struct Device {
    ws: WebSocketStream<TcpStream>,
    next_req: u64,
    /// When the last text message arrived, before it was parsed: latencies end here, so that
    /// they measure the server and the network, not this tool's JSON parsing.
    received_at: Instant,
}

/// The client side's WebSocket settings: small buffers, as the server uses.
pub fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(128 * 1024)
        .max_message_size(Some(1 << 20))
        .max_frame_size(Some(1 << 20))
}

/// Binding to a source address with port 0 makes the kernel reserve a port unique for that
/// address alone, searching past every port still in TIME_WAIT from earlier runs: with 15,000
/// devices on four addresses that search took up to 10 s of kernel CPU, and 7–21 s instead of
/// 3 s to sign them all in, which is the load generator measuring itself. With this option the
/// port is chosen at connect time, where the whole 4-tuple only has to be unique.
#[cfg(target_os = "linux")]
fn defer_port_choice(socket: &TcpSocket) -> anyhow::Result<()> {
    use nix::sys::socket::{setsockopt, sockopt::IpBindAddressNoPort};
    setsockopt(socket, IpBindAddressNoPort, &true).context("IP_BIND_ADDRESS_NO_PORT")
}

#[cfg(not(target_os = "linux"))]
fn defer_port_choice(_socket: &TcpSocket) -> anyhow::Result<()> {
    Ok(())
}

/// The result of [`Device::sign_in`].
pub struct SignedIn {
    /// The device.
    pub device: Device,
    /// How it signed in.
    pub via: Via,
    /// A new token to store, after a password login.
    pub new_token: Option<String>,
    /// Live invitations of an earlier run, from the welcome snapshot.
    pub leftovers: Vec<frames::Leftover>,
}

impl Device {
    /// Dials `target` from `source` (any local address when `None`) and upgrades.
    pub async fn connect(target: &Target, source: Option<IpAddr>) -> anyhow::Result<Device> {
        let socket = match target.addr {
            SocketAddr::V4(_) => TcpSocket::new_v4(),
            SocketAddr::V6(_) => TcpSocket::new_v6(),
        }
        .context("socket")?;
        if let Some(ip) = source {
            defer_port_choice(&socket)?;
            socket
                .bind(SocketAddr::new(ip, 0))
                .with_context(|| format!("bind {ip}"))?;
        }
        let tcp = socket
            .connect(target.addr)
            .await
            .with_context(|| format!("connect {}", target.addr))?;
        tcp.set_nodelay(true).context("nodelay")?;
        let (ws, _) = tokio_tungstenite::client_async_with_config(
            target.url.as_str(),
            tcp,
            Some(ws_config()),
        )
        .await
        .context("WebSocket upgrade")?;
        Ok(Device {
            ws,
            next_req: 1,
            received_at: Instant::now(),
        })
    }

    /// Dials and signs in as `uid`: with `token` if given (falling back to `password` if the
    /// server refuses the token as expired or revoked), else with `password`.
    pub async fn sign_in(
        target: &Target,
        source: Option<IpAddr>,
        uid: &str,
        token: Option<&str>,
        password: &str,
    ) -> anyhow::Result<SignedIn> {
        let deadline = Instant::now() + SIGN_IN_TIMEOUT;
        let mut device = tokio::time::timeout_at(deadline, Device::connect(target, source))
            .await
            .map_err(|_| anyhow!("{uid}: connect timed out"))??;
        let device_id = crate::users::device_of(uid);
        if let Some(token) = token {
            let req = device.req();
            device
                .send(frames::authenticate(req, uid, token, &device_id))
                .await?;
            let reply = device.reply(req, deadline).await?;
            match (reply.kind, reply.code.as_deref()) {
                (Kind::Welcome, _) => {
                    return Ok(SignedIn {
                        device,
                        via: Via::Token,
                        new_token: None,
                        leftovers: reply.leftovers,
                    });
                }
                (_, Some("token_expired" | "token_revoked")) => {}
                (_, code) => bail!("{uid}: authenticate refused: {}", code.unwrap_or("?")),
            }
        }
        let req = device.req();
        device
            .send(frames::login(req, uid, password, &device_id))
            .await?;
        let reply = device.reply(req, deadline).await?;
        match reply.kind {
            Kind::Welcome => Ok(SignedIn {
                device,
                via: Via::Password,
                new_token: reply.token,
                leftovers: reply.leftovers,
            }),
            Kind::Ok
            | Kind::Error
            | Kind::Pong
            | Kind::Invitation
            | Kind::ReceivedByPeer
            | Kind::Accepted
            | Kind::Refused
            | Kind::Canceled
            | Kind::Failed
            | Kind::AcceptConfirmed
            | Kind::CallEnded
            | Kind::Other => bail!(
                "{uid}: login refused: {}",
                reply.code.as_deref().unwrap_or("?")
            ),
        }
    }

    /// A fresh request id.
    pub fn req(&mut self) -> u64 {
        let req = self.next_req;
        self.next_req += 1;
        req
    }

    /// Sends one text frame (flushed).
    pub async fn send(&mut self, text: String) -> anyhow::Result<()> {
        self.ws
            .send(Message::text(text))
            .await
            .context("send failed")
    }

    /// The next server frame, or an error if the connection ends or `deadline` passes first.
    pub async fn recv(&mut self, deadline: Instant) -> anyhow::Result<Incoming> {
        self.recv_until(deadline)
            .await?
            .ok_or_else(|| anyhow!("timed out"))
    }

    /// The next server frame, `None` if `deadline` passes first, or an error if the connection
    /// ends.
    pub async fn recv_until(&mut self, deadline: Instant) -> anyhow::Result<Option<Incoming>> {
        loop {
            let Ok(message) = tokio::time::timeout_at(deadline, self.ws.next()).await else {
                return Ok(None);
            };
            match message {
                Some(Ok(Message::Text(text))) => {
                    self.received_at = Instant::now();
                    return frames::parse(text.as_str())
                        .map(Some)
                        .ok_or_else(|| anyhow!("unreadable frame: {}", text.as_str()));
                }
                Some(Ok(Message::Close(frame))) => {
                    bail!("closed by the server: {frame:?}")
                }
                Some(Ok(
                    Message::Binary(_) | Message::Ping(_) | Message::Pong(_) | Message::Frame(_),
                )) => {}
                Some(Err(err)) => return Err(err).context("receive failed"),
                None => bail!("connection ended"),
            }
        }
    }

    /// Waits for the reply to `req` (a `welcome`, `ok`, `error` or typed result carrying it),
    /// skipping anything else.
    pub async fn reply(&mut self, req: u64, deadline: Instant) -> anyhow::Result<Incoming> {
        loop {
            let frame = self.recv(deadline).await?;
            if frame.req == Some(req) {
                return Ok(frame);
            }
        }
    }

    /// When the frame [`Device::recv`] returned last arrived.
    pub fn received_at(&self) -> Instant {
        self.received_at
    }

    /// Closes the connection politely (best effort).
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_accepts_ws_ip_urls_only() {
        let target = Target::parse("ws://127.0.0.1:7878").expect("valid");
        assert_eq!(target.addr.port(), 7878);
        assert_eq!(target.url, "ws://127.0.0.1:7878/");
        assert!(Target::parse("ws://127.0.0.2:1/x").is_ok());
        assert!(Target::parse("ws://[::1]:9/").is_ok());
        for bad in [
            "wss://127.0.0.1:1",
            "http://127.0.0.1:1",
            "ws://localhost:1",
            "ws://1.2.3.4",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_source_address_reserves_no_port_until_connect() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("listen");
        let socket = TcpSocket::new_v4().expect("socket");
        defer_port_choice(&socket).expect("option");
        let source: IpAddr = [127, 0, 0, 2].into();
        socket.bind(SocketAddr::new(source, 0)).expect("bind");
        assert_eq!(socket.local_addr().expect("bound").port(), 0);

        let stream = socket
            .connect(listener.local_addr().expect("listening"))
            .await
            .expect("connect");
        let local = stream.local_addr().expect("connected");
        assert_eq!(local.ip(), source);
        assert_ne!(local.port(), 0);
    }
}
