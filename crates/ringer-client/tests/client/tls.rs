//! wss:// to a server with a self-signed certificate: trusted through the extra CA PEM, refused
//! without it.

use ringer_client::{Client, ClientError};
use ringer_server::config::TlsFiles;

use crate::util::{PATIENCE, TestServer, config, uid};

#[tokio::test]
async fn a_self_signed_server_is_trusted_only_through_the_extra_ca() {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("generate a certificate");
    let pem_dir = tempfile::tempdir().expect("a temporary directory");
    let cert = pem_dir.path().join("cert.pem");
    let key = pem_dir.path().join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).expect("write the certificate");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write the key");
    let dir = tempfile::tempdir().expect("a data directory");
    let server = TestServer::start_with(dir, &["alice"], |config| {
        config.tls = Some(TlsFiles { cert, key });
    })
    .await;
    let port = server.handle.as_ref().expect("running").local_addr().port();
    let url = format!("wss://localhost:{port}");

    let mut trusted = config(&url, "alice", "a1");
    trusted.tls.extra_ca_pem = Some(certified.cert.pem().into_bytes());
    let (client, _events) = Client::spawn(trusted).expect("valid config");
    let session = client
        .wait_connected(PATIENCE)
        .await
        .expect("signed in over wss");
    assert_eq!(session.uid, uid("alice"));
    client.shutdown().await;

    let (client, _events) = Client::spawn(config(&url, "alice", "a1")).expect("valid config");
    let error = client
        .wait_connected(PATIENCE)
        .await
        .expect_err("the certificate is not trusted");
    assert!(matches!(error, ClientError::Tls { .. }), "{error:?}");
    client.shutdown().await;

    let mut garbage = config(&url, "alice", "a1");
    garbage.tls.extra_ca_pem = Some(b"not a certificate".to_vec());
    assert!(matches!(
        Client::spawn(garbage),
        Err(ClientError::Config(_))
    ));
}
