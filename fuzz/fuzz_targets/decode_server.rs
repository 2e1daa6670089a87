//! Any text as a server frame: decoding never panics, and a decoded frame round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringer_proto::{decode_server, encode};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(frame) = decode_server(text) {
        let again = decode_server(&encode(&frame));
        assert_eq!(again.as_ref(), Ok(&frame), "re-encoding changed the frame");
    }
});
