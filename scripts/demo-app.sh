#!/usr/bin/env bash
# The desktop app against a local server with demo users: builds the UI, the server, the CLI and
# the app; starts ringer-server on 127.0.0.1:7878 with alice, bob and carol; bob (played by the
# CLI) accepts every call and carol refuses every call; then starts the app. Sign in as alice.
# Quitting the app (tray menu → Quit) stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --app
export PATH="$HOME/.cargo/bin:$PATH"

echo "== building the UI (ui/dist, which the app embeds), ringer-server, ringer and the app"
npm --prefix ui ci --no-audit --no-fund --silent
npm --prefix ui run build --silent
cargo build --quiet -p ringer-server -p ringer-cli -p ringer-app
bin=target/debug
server_url=ws://127.0.0.1:${RINGER_DEMO_PORT:-7878}

data=$(mktemp -d)
log=$(mktemp)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$data" "$log" "$log.out"
}
trap cleanup EXIT
# shellcheck source=scripts/demo-server.sh
source scripts/demo-server.sh

echo "== adding demo users alice, bob and carol (passwords: alice-demo, bob-demo, carol-demo)"
demo_user alice "Alice Martin"
demo_user bob "Bob Keller"
demo_user carol "Carol King"

echo "== starting the server on $server_url"
start_demo_server
pids+=($server_pid)

echo "== bob accepts every call (hang up from the app); carol refuses every call as busy"
echo bob-demo | $bin/ringer --server "$server_url" --user bob --password-stdin \
  listen --accept --response "on my way" > >(sed 's/^/  [bob]   /') &
pids+=($!)
echo carol-demo | $bin/ringer --server "$server_url" --user carol --password-stdin \
  listen --refuse --reason busy > >(sed 's/^/  [carol] /') &
pids+=($!)

cat <<INFO
== starting the app: sign in with server $server_url, user alice, password alice-demo
   To be called, in another terminal:
     echo bob-demo | $bin/ringer --server $server_url --user bob --password-stdin call alice
INFO
$bin/ringer-app
