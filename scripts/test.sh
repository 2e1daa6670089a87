#!/usr/bin/env bash
# Installs what the tests need and runs every test of the project: formatting, lints, and the
# whole workspace's tests (core, server, client, CLI end to end) with a real Secret Service.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"

echo "== frontend: install, type check, tests"
npm --prefix ui ci --no-audit --no-fund
npm --prefix ui run typecheck
npm --prefix ui test

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo build (workspace, tests included)"
cargo build --workspace --all-targets --locked
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test (under a private D-Bus session with gnome-keyring)"
scripts/with-keyring.sh cargo test --workspace --locked
