#!/usr/bin/env bash
# Runs a command on a private D-Bus session bus with an unlocked gnome-keyring, so that the
# keyring crate finds a real Secret Service (as on a desktop) without touching the user's own.
# Usage: scripts/with-keyring.sh COMMAND [ARGS...]
set -euo pipefail
if [ "${RINGER_IN_KEYRING_SESSION:-}" = 1 ]; then
  exec "$@"
fi
export RINGER_IN_KEYRING_SESSION=1
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
# gnome-keyring keeps its files under XDG_DATA_HOME; a throwaway one keeps runs independent.
exec env XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c '
  echo -n "ringer-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"
' with-keyring "$@"
