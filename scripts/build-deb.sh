#!/usr/bin/env bash
# Builds the desktop app's Debian package with the Tauri CLI 2.x (the @tauri-apps/cli
# devDependency of ui/, a prebuilt binary from npm) and prints the package's path on stdout (the
# build's own output goes to stderr).
#
# Usage: scripts/build-deb.sh [--debug]
#   (default)  `tauri build --bundles deb`: builds the UI (beforeBuildCommand), a release build
#              of ringer-app, and target/release/bundle/deb/Ringer_<version>_<arch>.deb.
#   --debug    `tauri bundle --debug --bundles deb`: packages the ringer-app that the workspace's
#              `cargo build` already made (target/debug/ringer-app, which embeds ui/dist) into
#              target/debug/bundle/deb/, without compiling anything. scripts/test.sh uses this
#              to check the packaging at no build cost.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# Cargo's target directory (CARGO_TARGET_DIR if set, as the Tauri CLI also honours it).
target=${CARGO_TARGET_DIR:-target}
profile=release
args=(build --bundles deb)
if [ "${1:-}" = "--debug" ]; then
  profile=debug
  args=(bundle --debug --bundles deb)
  [ -x "$target/debug/ringer-app" ] || {
    echo "$target/debug/ringer-app is missing: build it first (npm --prefix ui run build && cargo build -p ringer-app)" >&2
    exit 1
  }
fi

[ -x ui/node_modules/.bin/tauri ] || npm --prefix ui ci --no-audit --no-fund >&2
if [ "$profile" = release ]; then
  # The workspace's release profile keeps line tables for profiling the server; a package has
  # no use for them (they made the installed binary ~140 MB).
  export CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=true
fi
# From the repository root the CLI finds src-tauri/ and runs the hooks in ui/ (started inside
# src-tauri/, it would run `npm --prefix ../ui` from the repository root and miss ui/).
rm -rf "$target/$profile/bundle/deb"
ui/node_modules/.bin/tauri "${args[@]}" --ci >&2

shopt -s nullglob
debs=("$target/$profile/bundle/deb/"*.deb)
if [ ${#debs[@]} -ne 1 ]; then
  echo "expected one .deb in $target/$profile/bundle/deb, found ${#debs[@]}" >&2
  exit 1
fi
echo "${debs[0]}"
