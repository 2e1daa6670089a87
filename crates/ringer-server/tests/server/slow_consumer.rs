//! A connection that does not read its frames is cut once its outbound queue is full, without
//! holding up anyone else.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use ringer_proto::{ClientFrame, ServerFrame, encode};
use ringer_server::rate_limit::Rate;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::util::{PATIENCE, TestServer, uid};

const QUERIES: usize = 1000;

async fn open_connections(addr: std::net::SocketAddr) -> String {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(b"GET /health HTTP/1.1\r\n\r\n")
        .await
        .expect("write");
    let mut response = String::new();
    tcp.read_to_string(&mut response).await.expect("read");
    response
}

#[tokio::test]
async fn a_client_that_stops_reading_is_cut_without_affecting_others() {
    let server = TestServer::start_with(&["alice", "bob"], |config| {
        config.limits.outbound_queue = 4;
        config.limits.frame_rate = Rate::new(0, Duration::from_secs(1));
    })
    .await;
    let (mut bystander, _) = server.login("bob", "b").await;
    let (slow, _) = server.login("alice", "a").await;
    let (mut sink, mut stream) = slow.into_stream().split();

    // Each query answers ~24 KiB; a thousand of them are far more than the socket buffers hold
    // while the client reads nothing.
    let uids: Vec<_> = (0..256).map(|i| uid(&format!("{i:0>64}"))).collect();
    let query = encode(&ClientFrame::QueryPresence { req: 1, uids });
    let sender = tokio::spawn(async move {
        for _ in 0..QUERIES {
            if sink.send(Message::text(query.as_str())).await.is_err() {
                break;
            }
        }
        sink
    });

    // Wait until the server has dropped the connection: only bob's is left.
    let addr = server.handle().local_addr();
    tokio::time::timeout(PATIENCE * 3, async {
        while !open_connections(addr).await.contains("\"connections\":1") {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the slow consumer is cut");

    bystander.send(&ClientFrame::Ping {}).await;
    let pong = bystander
        .recv_until(|f| matches!(f, ServerFrame::Pong {}))
        .await;
    assert_eq!(pong, ServerFrame::Pong {});

    let mut answers = 0;
    while let Ok(Some(Ok(message))) = tokio::time::timeout(PATIENCE, stream.next()).await {
        if let Message::Text(_) = message {
            answers += 1;
        }
    }
    assert!(
        answers < QUERIES,
        "all {answers} answers arrived: the queue never filled"
    );
    let _ = sender.await;
}
