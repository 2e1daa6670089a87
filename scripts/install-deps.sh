#!/usr/bin/env bash
# Installs what building and testing Ringer needs on Debian or Ubuntu: the Rust toolchain if
# missing, and the system packages its tests use (a D-Bus session bus and gnome-keyring for the
# real Secret Service the CLI and the app store tokens in; Xvfb, WebKitWebDriver and tauri-driver
# for the desktop app's end-to-end test). Safe to run again.
# Usage: scripts/install-deps.sh [--app | --tests]   (--app: also Node.js 20+, to build the desktop
# app's UI; --tests: Node.js and tauri-driver, which only the test suite needs)
set -euo pipefail
for_tests=false
for_app=false
[ "${1:-}" = "--tests" ] && for_tests=true && for_app=true
[ "${1:-}" = "--app" ] && for_app=true

packages=(
  build-essential pkg-config ca-certificates curl
  libdbus-1-dev dbus dbus-x11 gnome-keyring libsecret-tools
  # the desktop app (Tauri 2 on WebKitGTK)
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev
  libssl-dev
  # the desktop app's end-to-end test (tests/e2e/run.sh): a virtual display, WebKitWebDriver, and
  # python3-dbus/python3-gi for the test's own notification server
  xvfb xauth webkit2gtk-driver python3-dbus python3-gi
  # the .deb check (tests/package/check-deb.sh): desktop-file-validate and the dpkg trigger that
  # registers the ringer:// handler, xdg-mime, and xwininfo to see the installed app's window
  desktop-file-utils xdg-utils x11-utils
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  echo "installing: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

if $for_app && ! command -v node >/dev/null 2>&1; then
  $( [ "$(id -u)" -eq 0 ] || echo sudo ) apt-get install -y -qq nodejs npm
fi
# The frontend's tooling (Vite 8, Vitest 4) needs Node.js 20 or later; Debian 12's own nodejs is
# 18. Say so plainly rather than fail later inside npm.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if $for_app && [ "$node_major" -lt 20 ]; then
  echo "Node.js 20 or later is needed (found $(node --version 2>/dev/null || echo none)):" >&2
  echo "install it from your distribution's backports or NodeSource, then run this again." >&2
  exit 1
fi

if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] || curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
fi

# tauri-driver drives the app for tests/e2e/run.sh; pinned, since the newest release is a 3.0
# alpha.
export PATH="$HOME/.cargo/bin:$PATH"
if $for_tests; then
  installed=$(cargo install --list)
  if ! grep -q '^tauri-driver v2\.1\.0:' <<<"$installed"; then
    cargo install tauri-driver --version 2.1.0 --locked
  fi
fi
