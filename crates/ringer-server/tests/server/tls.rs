//! wss:// with a self-signed certificate made in the test.

use std::sync::Arc;

use ringer_proto::ServerFrame;
use ringer_server::config::TlsFiles;
use tokio::net::TcpStream;
use tokio_tungstenite::Connector;

use crate::util::{Client, PASSWORD, TestServer};

#[tokio::test]
async fn tls_serves_wss() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("generate a certificate");
    let pem_dir = tempfile::tempdir().expect("a temporary directory");
    let cert = pem_dir.path().join("cert.pem");
    let key = pem_dir.path().join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).expect("write the certificate");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write the key");

    let server = TestServer::start_with(&["alice"], |config| {
        config.tls = Some(TlsFiles { cert, key });
    })
    .await;
    assert!(server.url.starts_with("wss://127.0.0.1:"), "{}", server.url);

    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(certified.cert.der().clone())
        .expect("trust the test certificate");
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("default protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth();

    let port = server.handle().local_addr().port();
    let tcp = TcpStream::connect(server.handle().local_addr())
        .await
        .expect("connect");
    let (ws, _) = tokio_tungstenite::client_async_tls_with_config(
        format!("wss://localhost:{port}/"),
        tcp,
        None,
        Some(Connector::Rustls(Arc::new(tls))),
    )
    .await
    .expect("the TLS WebSocket handshake succeeds");
    let mut client = Client::from_stream(ws);
    let welcome = client.login("alice", PASSWORD, "laptop").await;
    assert!(welcome.token.is_some());
    client.send(&ringer_proto::ClientFrame::Ping {}).await;
    let pong = client
        .recv_until(|f| matches!(f, ServerFrame::Pong {}))
        .await;
    assert_eq!(pong, ServerFrame::Pong {});

    // A plain connection to the TLS port does not get a WebSocket.
    let plain = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/")).await;
    assert!(plain.is_err());
}
