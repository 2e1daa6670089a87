#!/usr/bin/env bash
# The end-to-end test of the desktop app, in one go: starts a virtual display (xvfb-run), a
# private D-Bus session (dbus-run-session) with an unlocked gnome-keyring, the recording
# notification server (notifyd.py) and a tray watcher (tray.py), a ringer-server on 127.0.0.1
# with a throwaway data dir, and tauri-driver; runs e2e.mjs against target/debug/ringer-app;
# stops everything again.
#
# Needs the debug binaries ringer-app (built with its default `custom-protocol` feature, so it
# embeds ui/dist), ringer and ringer-server, plus tauri-driver 2.1, WebKitWebDriver, xvfb-run,
# gnome-keyring, secret-tool, dbus-send, python3-dbus, python3-gi and Node.js 20 (see
# scripts/install-deps.sh). Screenshots and logs go to artifacts/e2e/. Exits non-zero on any
# failure; the last line is `N passed, N failed`.
#
# Environment: RINGER_E2E_TIMEOUT (seconds for the whole run, default 420),
# CARGO_TARGET_DIR (default ./target).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tests/e2e"
bin="${CARGO_TARGET_DIR:-$root/target}/debug"
artifacts="$root/artifacts/e2e"

if [ "${RINGER_E2E_STAGE:-}" != inner ]; then
  missing=()
  for tool in xvfb-run dbus-run-session gnome-keyring-daemon WebKitWebDriver tauri-driver node \
    secret-tool dbus-send curl timeout; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  for binary in ringer-app ringer ringer-server; do
    [ -x "$bin/$binary" ] || missing+=("$bin/$binary")
  done
  /usr/bin/python3 -c 'import dbus, gi' 2>/dev/null || missing+=("python3-dbus/python3-gi")
  if [ ${#missing[@]} -gt 0 ]; then
    echo "e2e: missing: ${missing[*]} (run scripts/install-deps.sh and cargo build)" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi

  rm -rf "$artifacts"
  mkdir -p "$artifacts/logs"
  work=$(mktemp -d "${TMPDIR:-/tmp}/ringer-e2e.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/home" "$work/config" "$work/data" "$work/cache" "$work/runtime"
  chmod 700 "$work/runtime"

  # Everything the app, the keyring and the CLI write goes under $work, never the user's own
  # files; `timeout` ends the whole process group if anything hangs.
  # The session's daemons (portals, the accessibility bus) chatter on stdout and stderr: that
  # goes to session.log, and the inner stage reports on fd 3 only.
  set +e
  exec 3>&1
  env HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" \
    XDG_CACHE_HOME="$work/cache" XDG_RUNTIME_DIR="$work/runtime" \
    NO_AT_BRIDGE=1 RINGER_E2E_STAGE=inner RINGER_E2E_WORK="$work" \
    timeout --kill-after=10 "${RINGER_E2E_TIMEOUT:-420}" \
    xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24 -nolisten tcp" \
    dbus-run-session -- "$0" "$@" >"$artifacts/logs/session.log" 2>&1
  status=$?
  set -e
  if [ ! -s "$artifacts/summary" ]; then
    [ "$status" -eq 124 ] && echo "e2e: timed out after ${RINGER_E2E_TIMEOUT:-420} s" >&2
    echo "e2e: did not finish (exit $status); logs in $artifacts/logs" >&2
    tail -n 20 "$artifacts/logs/session.log" >&2 || true
    echo "0 passed, 1 failed"
    [ "$status" -ne 0 ] || status=1
  fi
  exit "$status"
fi

# ---- inside xvfb-run and dbus-run-session --------------------------------------------------

logs="$artifacts/logs"
pids=()

# Stops a process and everything it started, children first.
kill_tree() {
  local pid=$1 child
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
    kill_tree "$child"
  done
  kill -TERM "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill_tree "$pid"; done
  sleep 1
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
# A signal (the outer `timeout`) ends the script, and so runs cleanup.
trap 'exit 143' TERM INT

# Waits up to $1 seconds for the command after it to succeed.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then return 1; fi
    sleep 0.2
  done
}

echo -n "e2e-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null

notify_log="$logs/notifications.jsonl"
: >"$notify_log"
/usr/bin/python3 "$here/notifyd.py" "$notify_log" >"$logs/notifyd.log" 2>&1 &
pids+=($!)
wait_until 10 dbus-send --session --print-reply --dest=org.freedesktop.Notifications \
  /org/freedesktop/Notifications org.freedesktop.Notifications.GetServerInformation ||
  { echo "e2e: the notification server did not start" >&3; exit 1; }

# The session's tray: a StatusNotifierWatcher, so the app exports its tray item (and its menu)
# on the bus, where the test finds and clicks it as a desktop's tray does.
tray_log="$logs/tray.jsonl"
: >"$tray_log"
/usr/bin/python3 "$here/tray.py" serve "$tray_log" >"$logs/tray.log" 2>&1 &
pids+=($!)
wait_until 10 dbus-send --session --print-reply --dest=org.kde.StatusNotifierWatcher \
  /StatusNotifierWatcher org.freedesktop.DBus.Properties.Get \
  string:org.kde.StatusNotifierWatcher string:IsStatusNotifierHostRegistered ||
  { echo "e2e: the tray watcher did not start" >&3; exit 1; }

ada_password="ada-e2e-password"
bob_password="bob-e2e-password"
data="$RINGER_E2E_WORK/server"
printf '%s\n' "$ada_password" |
  timeout 30 "$bin/ringer-server" user add ada --name "Ada App" --password-stdin --data "$data" >/dev/null
printf '%s\n' "$bob_password" |
  timeout 30 "$bin/ringer-server" user add bob --name "Bob Cli" --password-stdin --data "$data" >/dev/null

# Short timers, but long enough for a slow machine to find and press the popup's buttons.
"$bin/ringer-server" serve --listen 127.0.0.1:0 --data "$data" \
  --ring-timeout 20s --offline-wait 5s --ack-timeout 5s --reconnect-grace 3s \
  --login-failures-per-uid 0 --login-failures-per-ip 0 \
  >"$logs/server.log" 2>&1 &
pids+=($!)
wait_until 15 grep -q "listening on ws://" "$logs/server.log" ||
  { echo "e2e: ringer-server did not start" >&3; cat "$logs/server.log" >&3; exit 1; }
server_url=$(grep -o "listening on ws://[^ ]*" "$logs/server.log" | head -n1 | sed 's/^listening on //')

read -r driver_port native_port < <(/usr/bin/python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
RUST_LOG="${RUST_LOG:-info}" tauri-driver --port "$driver_port" --native-port "$native_port" \
  >"$logs/tauri-driver.log" 2>&1 &
pids+=($!)
wait_until 15 curl -sf "http://127.0.0.1:$driver_port/status" ||
  { echo "e2e: tauri-driver did not start" >&3; cat "$logs/tauri-driver.log" >&3; exit 1; }

# WebKitWebDriver starts the app with its own stdout discarded and its stderr mixed into
# tauri-driver's: this wrapper (exec, so the driver still talks to the app's own process) keeps
# the app's log (stderr) apart, in app.log.
app="$RINGER_E2E_WORK/ringer-app"
printf '#!/bin/bash\nexec %q "$@" 2>>%q\n' "$bin/ringer-app" "$logs/app.log" >"$app"
chmod +x "$app"

echo "e2e: server $server_url, display $DISPLAY, tauri-driver on $driver_port" >&3
RINGER_E2E_DRIVER="http://127.0.0.1:$driver_port" \
  RINGER_E2E_APP="$app" \
  RINGER_E2E_APP_BIN="$bin/ringer-app" \
  RINGER_E2E_CLI="$bin/ringer" \
  RINGER_E2E_SERVER_URL="$server_url" \
  RINGER_E2E_NOTIFY_LOG="$notify_log" \
  RINGER_E2E_TRAY_LOG="$tray_log" \
  RINGER_E2E_ARTIFACTS="$artifacts" \
  RINGER_E2E_SUMMARY="$artifacts/summary" \
  RINGER_E2E_ADA_PASSWORD="$ada_password" \
  RINGER_E2E_BOB_PASSWORD="$bob_password" \
  node "${RINGER_E2E_SCRIPT:-$here/e2e.mjs}" >&3 2>&3 &
# In the background, so that a signal reaches the trap at once (bash runs traps only between
# foreground commands); its status is the script's.
test_pid=$!
pids+=("$test_pid")
wait "$test_pid"
