//! `--ca-cert` with a self-signed server certificate: an end-entity certificate is trusted; a
//! CA certificate used as the server's own is refused, with an error that says so plainly.

use std::path::Path;

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};

use crate::util::{Server, events, find, password_line, ringer, run};

/// Writes a self-signed certificate for 127.0.0.1 and its key; returns their paths.
fn self_signed(dir: &Path, is_ca: IsCa) -> (String, String) {
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("certificate parameters");
    params.is_ca = is_ca;
    let key = KeyPair::generate().expect("a key pair");
    let cert = params.self_signed(&key).expect("a certificate");
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, cert.pem()).expect("write the certificate");
    std::fs::write(&key_path, key.serialize_pem()).expect("write the key");
    (
        cert_path.display().to_string(),
        key_path.display().to_string(),
    )
}

fn presence_over_tls(is_ca: IsCa) -> std::process::Output {
    let pem = tempfile::tempdir().expect("a directory for the certificate");
    let (cert, key) = self_signed(pem.path(), is_ca);
    let server = Server::start(&["alice"], &["--tls-cert", &cert, "--tls-key", &key]);
    assert!(server.url.starts_with("wss://127.0.0.1:"), "{}", server.url);
    let home = tempfile::tempdir().expect("config dir");
    run(
        ringer(
            home.path(),
            &server.url,
            "alice",
            &["presence", "alice", "--password-stdin", "--ca-cert", &cert],
        ),
        &password_line(),
    )
}

#[test]
fn a_self_signed_end_entity_certificate_is_trusted_with_ca_cert() {
    let output = presence_over_tls(IsCa::ExplicitNoCa);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(find(&events(&output), "presence")["uid"], "alice");
}

#[test]
fn a_ca_certificate_as_the_server_certificate_is_explained() {
    let output = presence_over_tls(IsCa::Ca(BasicConstraints::Unconstrained));
    assert_eq!(output.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the server's certificate is a CA certificate")
            && stderr.contains("end-entity certificate (CA:FALSE)"),
        "{stderr}"
    );
}
