//! Any text as a client frame: decoding never panics; a decoded frame re-encodes to text that
//! decodes to the same frame; an error is one of the codes the protocol allows for bad input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringer_proto::{ErrorCode, decode_client, encode};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match decode_client(text) {
        Ok(frame) => {
            let again = decode_client(&encode(&frame));
            assert_eq!(again.as_ref(), Ok(&frame), "re-encoding changed the frame");
        }
        Err(err) => assert!(
            matches!(
                err.code,
                ErrorCode::InvalidArgument | ErrorCode::TooLarge | ErrorCode::Unsupported
            ),
            "unexpected code {:?}",
            err.code
        ),
    }
});
