#!/usr/bin/env bash
# The quick-start demo: builds Ringer, runs a local server with two demo users, and shows a call
# from alice to bob made and answered with the `ringer` CLI, each side's events as they happen.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"

echo "== building ringer-server and ringer"
cargo build --quiet -p ringer-server -p ringer-cli
bin=target/debug
server_url=ws://127.0.0.1:${RINGER_DEMO_PORT:-7878}

data=$(mktemp -d)
log=$(mktemp)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$data" "$log" "$log.out"
}
trap cleanup EXIT
# shellcheck source=scripts/demo-server.sh
source scripts/demo-server.sh

echo "== adding demo users alice and bob (passwords: alice-demo, bob-demo)"
demo_user alice "Alice Martin"
demo_user bob "Bob Keller"

echo "== starting the server"
start_demo_server

echo "== bob listens and accepts; alice calls him and hangs up after 3 seconds"
echo bob-demo | $bin/ringer --server "$server_url" --user bob --password-stdin \
  listen --accept --response "on my way" --once | sed 's/^/  [bob]   /' &
listener=$!
# Give bob's device a moment to sign in so the call rings rather than waits for him.
for _ in $(seq 1 50); do
  $bin/ringer --server "$server_url" --user alice --password-stdin presence bob <<<alice-demo 2>/dev/null \
    | grep -q online && break
  sleep 0.1
done
echo alice-demo | $bin/ringer --server "$server_url" --user alice --password-stdin \
  call bob --content "Quick sync about the release?" --hangup-after 3 | sed 's/^/  [alice] /'
wait "$listener"

echo "== bob's call history"
echo bob-demo | $bin/ringer --server "$server_url" --user bob --password-stdin history | sed 's/^/  /'
echo "== done: the call was made, answered and hung up"
