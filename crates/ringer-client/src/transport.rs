//! Dialing the server: URL checks, bounded WebSocket buffers, TLS roots, and errors that say
//! which part failed.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use ringer_proto::limits::MAX_FRAME_BYTES;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, http::Uri};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use crate::config::{ClientConfig, TlsConfig};
use crate::error::ClientError;

/// An open WebSocket to the server.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Knows how to open a [`Socket`] to one server; cheap to clone into a dial future.
#[derive(Clone)]
pub(crate) struct Dialer {
    url: Arc<str>,
    connector: Option<Connector>,
    timeout: Duration,
}

impl Dialer {
    /// Checks the URL and prepares TLS for a `wss://` one.
    pub(crate) fn new(config: &ClientConfig) -> Result<Self, ClientError> {
        let uri: Uri = config.server_url.parse().map_err(|e| {
            ClientError::Config(format!("bad server url {:?}: {e}", config.server_url))
        })?;
        let connector = match uri.scheme_str() {
            Some("ws") => Some(Connector::Plain),
            Some("wss") => Some(tls_connector(&config.tls)?),
            Some(_) | None => {
                return Err(ClientError::Config(format!(
                    "server url {:?} must start with ws:// or wss://",
                    config.server_url
                )));
            }
        };
        if uri.host().is_none_or(str::is_empty) {
            return Err(ClientError::Config(format!(
                "server url {:?} has no host",
                config.server_url
            )));
        }
        Ok(Dialer {
            url: config.server_url.as_str().into(),
            connector,
            timeout: config.connect_timeout,
        })
    }

    /// Opens a socket: TCP, TLS for `wss://`, then the WebSocket handshake.
    pub(crate) async fn dial(self) -> Result<Socket, ClientError> {
        let request = self
            .url
            .as_ref()
            .into_client_request()
            .map_err(|e| self.classify(e))?;
        let attempt = tokio_tungstenite::connect_async_tls_with_config(
            request,
            Some(websocket_config()),
            true,
            self.connector.clone(),
        );
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(Ok((socket, _response))) => Ok(socket),
            Ok(Err(e)) => Err(self.classify(e)),
            Err(_elapsed) => Err(ClientError::Unreachable {
                url: self.url.to_string(),
                source: Arc::new(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("no connection within {:?}", self.timeout),
                )),
            }),
        }
    }

    fn classify(&self, error: tungstenite::Error) -> ClientError {
        let url = self.url.to_string();
        match error {
            tungstenite::Error::Io(e) => {
                // tokio-tungstenite reports a failed rustls handshake as an io error that wraps
                // the rustls error; tell it apart so the user is not told the server is down.
                let is_tls = e
                    .get_ref()
                    .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
                if is_tls {
                    ClientError::Tls {
                        url,
                        message: e.to_string(),
                    }
                } else {
                    ClientError::Unreachable {
                        url,
                        source: Arc::new(e),
                    }
                }
            }
            tungstenite::Error::Tls(e) => ClientError::Tls {
                url,
                message: e.to_string(),
            },
            tungstenite::Error::Http(response) => ClientError::Handshake {
                url,
                message: format!("server answered http {}", response.status()),
            },
            tungstenite::Error::Url(e) => {
                ClientError::Config(format!("bad server url {url:?}: {e}"))
            }
            other @ (tungstenite::Error::ConnectionClosed
            | tungstenite::Error::AlreadyClosed
            | tungstenite::Error::Capacity(_)
            | tungstenite::Error::Protocol(_)
            | tungstenite::Error::WriteBufferFull(_)
            | tungstenite::Error::Utf8(_)
            | tungstenite::Error::AttackAttempt
            | tungstenite::Error::HttpFormat(_)) => ClientError::Handshake {
                url,
                message: other.to_string(),
            },
        }
    }
}

/// Buffer sizes set explicitly: tungstenite's defaults cost ~128 KiB per direction, and no frame
/// is ever larger than 64 KiB (SPEC §9).
fn websocket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(16 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(4 * MAX_FRAME_BYTES)
        .max_message_size(Some(MAX_FRAME_BYTES))
        .max_frame_size(Some(MAX_FRAME_BYTES))
}

/// A rustls connector trusting the system's roots and/or an extra PEM bundle.
fn tls_connector(tls: &TlsConfig) -> Result<Connector, ClientError> {
    let mut roots = rustls::RootCertStore::empty();
    if tls.native_roots {
        let found = rustls_native_certs::load_native_certs();
        for error in &found.errors {
            tracing::warn!(%error, "could not load a system root certificate");
        }
        roots.add_parsable_certificates(found.certs);
    }
    if let Some(pem) = &tls.extra_ca_pem {
        let mut added = 0usize;
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            let cert = cert.map_err(|e| ClientError::Config(format!("extra ca pem: {e}")))?;
            roots
                .add(cert)
                .map_err(|e| ClientError::Config(format!("extra ca certificate: {e}")))?;
            added += 1;
        }
        if added == 0 {
            return Err(ClientError::Config(
                "extra ca pem holds no certificate".to_owned(),
            ));
        }
    }
    if roots.is_empty() {
        return Err(ClientError::Config(
            "no trusted root certificate for wss://".to_owned(),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Config(format!("tls: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Connector::Rustls(Arc::new(config)))
}
