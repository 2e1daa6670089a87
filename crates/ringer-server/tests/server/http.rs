//! The HTTP side of the port: health check, refusals, the connection limit, the plaintext rule.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::util::{PATIENCE, TestServer, test_config};

async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    tcp.write_all(request.as_bytes())
        .await
        .expect("write the request");
    let mut response = String::new();
    tokio::time::timeout(PATIENCE, tcp.read_to_string(&mut response))
        .await
        .expect("the server answers and closes")
        .expect("read the response");
    response
}

#[tokio::test]
async fn health_check_answers_200_with_the_connection_count() {
    let server = TestServer::start(&[]).await;
    let addr = server.handle().local_addr();

    let response = http_get(addr, "/health").await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains("\"status\":\"ok\""), "{response}");
    assert!(response.contains("\"connections\":0"), "{response}");

    let _client = server.connect().await;
    let response = http_get(addr, "/health").await;
    assert!(response.contains("\"connections\":1"), "{response}");
}

#[tokio::test]
async fn plain_http_on_another_path_is_told_to_upgrade() {
    let server = TestServer::start(&[]).await;
    let response = http_get(server.handle().local_addr(), "/").await;
    assert!(response.starts_with("HTTP/1.1 426 "), "{response}");
}

#[tokio::test]
async fn upgrades_over_max_connections_get_503() {
    let server = TestServer::start_with(&[], |config| config.limits.max_connections = 1).await;
    let _first = server.connect().await;
    let refused = tokio_tungstenite::connect_async(server.url.as_str()).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 503);
        }
        other => panic!("expected a 503, got {other:?}"),
    }
    // The health check still answers at the limit.
    let response = http_get(server.handle().local_addr(), "/health").await;
    assert!(response.contains("\"connections\":1"), "{response}");
}

#[tokio::test]
async fn plain_ws_on_a_non_loopback_address_is_refused_without_the_flag() {
    let dir = tempfile::tempdir().expect("a temporary data directory");
    let mut config = test_config(dir.path());
    config.listen = "0.0.0.0:0".parse().expect("valid address");
    let result = ringer_server::serve(config, tokio_util::sync::CancellationToken::new()).await;
    assert!(
        matches!(result, Err(ringer_server::ServeError::PlaintextRefused(_))),
        "{result:?}"
    );
}
