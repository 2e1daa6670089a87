#!/usr/bin/env bash
# Installs what the tests need and runs every test of the project: formatting, lints, the whole
# workspace's tests (core, server, client, CLI end to end) with a real Secret Service, and the
# desktop app end to end under a virtual display (tests/e2e/run.sh). The UI is built before the
# cargo build because ringer-app embeds ui/dist (its default `custom-protocol` feature).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --tests
export PATH="$HOME/.cargo/bin:$PATH"

echo "== frontend: install, tests, build (type check, then ui/dist, which ringer-app embeds)"
npm --prefix ui ci --no-audit --no-fund
npm --prefix ui test
npm --prefix ui run build

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo build (workspace, tests included)"
cargo build --workspace --all-targets --locked
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test (under a private D-Bus session with gnome-keyring)"
scripts/with-keyring.sh cargo test --workspace --locked
echo "== end-to-end test of the desktop app (tests/e2e/run.sh)"
tests/e2e/run.sh
echo "== the .deb: package the app built above, check its contents, install it and start it"
# `tauri bundle --debug` packages the target/debug/ringer-app built above as it is: a second
# compile of the app alone (`tauri build`) would rebuild much of its dependency tree with other
# features. The release package (`scripts/build-deb.sh`, README) differs only in that binary.
deb=$(scripts/build-deb.sh --debug)
tests/package/check-deb.sh "$deb"
