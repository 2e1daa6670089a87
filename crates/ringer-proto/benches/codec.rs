//! Frame encode/decode: the per-message cost every connection pays in the server and clients.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ringer_proto::{
    ClientFrame, DeviceId, DisplayName, InvitationId, InvitationInfo, InvitationState, Role,
    ServerFrame, SnapshotEntry, Status, Token, Uid, Welcome, decode_client, decode_server, encode,
};

const INVITE: &str = r#"{"type":"invite","req":5,"id":"0b9e4f5c-58a4-4e5b-9a43-1f8e0f1e2d3c","callee":"bob","content":"Standup?","channel_id":"room-42"}"#;
const RECEIVED: &str = r#"{"type":"received","id":"0b9e4f5c-58a4-4e5b-9a43-1f8e0f1e2d3c"}"#;
const BAD: &str = r#"{"type":"invite","req":31,"id":"has space","callee":"bob"}"#;

fn info(n: usize) -> InvitationInfo {
    InvitationInfo {
        id: InvitationId::new(format!("0b9e4f5c-58a4-4e5b-9a43-{n:012}")).expect("valid id"),
        caller: Uid::new("alice").expect("valid uid"),
        caller_name: DisplayName::new("Alice Martin").expect("valid name"),
        callee: Uid::new("bob").expect("valid uid"),
        content: None,
        channel_id: None,
        sent_at: 1_767_261_600_000,
    }
}

fn welcome(entries: usize) -> ServerFrame {
    ServerFrame::Welcome(Box::new(Welcome {
        req: 1,
        uid: Uid::new("alice").expect("valid uid"),
        display_name: DisplayName::new("Alice Martin").expect("valid name"),
        device_id: DeviceId::new("alice-laptop").expect("valid device"),
        token: Some(Token::new("54520a2d3a420687048547525b0617a5").expect("valid token")),
        token_expires_at: 1_769_853_600_000,
        server_id: "7f3a9c21e4b05d68".to_owned(),
        heartbeat_interval_ms: 10_000,
        status: Status::Available,
        call_waiting: false,
        snapshot: (0..entries)
            .map(|n| SnapshotEntry {
                invitation: info(n),
                role: Role::Caller,
                state: InvitationState::Ringing,
            })
            .collect(),
    }))
}

fn codec(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode_client");
    for (name, text) in [("invite", INVITE), ("received", RECEIVED), ("invalid", BAD)] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| b.iter(|| decode_client(black_box(text))));
    }
    group.finish();

    let invitation = ServerFrame::Invitation {
        invitation: info(1),
    };
    let welcome_20 = welcome(20);
    let mut group = c.benchmark_group("encode_server");
    group.bench_function("invitation", |b| b.iter(|| encode(black_box(&invitation))));
    group.bench_function("welcome_20_entries", |b| {
        b.iter(|| encode(black_box(&welcome_20)))
    });
    group.finish();

    let invitation_text = encode(&invitation);
    let welcome_text = encode(&welcome_20);
    let mut group = c.benchmark_group("decode_server");
    group.bench_function("invitation", |b| {
        b.iter(|| decode_server(black_box(&invitation_text)))
    });
    group.bench_function("welcome_20_entries", |b| {
        b.iter(|| decode_server(black_box(&welcome_text)))
    });
    group.finish();

    let invite = decode_client(INVITE).expect("valid invite");
    c.bench_function("encode_client/invite", |b| {
        b.iter(|| encode::<ClientFrame>(black_box(&invite)))
    });
}

criterion_group!(benches, codec);
criterion_main!(benches);
