#!/usr/bin/env bash
# Checks the desktop app's Debian package (made by scripts/build-deb.sh): its control fields,
# its files, its desktop entry (valid, `ringer://` handler, Exec taking the URL), then installs it
# with apt-get, checks that the installed app is registered for `ringer://`, starts it on a
# virtual display and waits for its window, and removes the package again (unless it was
# installed before). Needs root or sudo, xvfb-run, dbus-run-session, desktop-file-validate,
# xdg-mime and xwininfo (scripts/install-deps.sh --tests installs them).
# Usage: tests/package/check-deb.sh PATH/TO/Ringer_VERSION_ARCH.deb
set -euo pipefail
deb=$(realpath "${1:?usage: check-deb.sh PACKAGE.deb}")
cd "$(dirname "$0")/../.."
root=$PWD

package=ringer
binary=ringer-app
desktop=usr/share/applications/Ringer.desktop
version=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' src-tauri/tauri.conf.json)

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
pass() {
  echo "ok: $*"
}
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
work=$(mktemp -d)
installed_here=false
cleanup() {
  if $installed_here; then
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get remove -y -qq "$package" >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== the package: $deb"
field() { dpkg-deb --field "$deb" "$1"; }
check "Package is $package" test "$(field Package)" = "$package"
check "Version is $version (tauri.conf.json)" test "$(field Version)" = "$version"
check "Architecture is $(dpkg --print-architecture)" test "$(field Architecture)" = "$(dpkg --print-architecture)"
check "Section is net" test "$(field Section)" = net
check "Description says what it is" grep -q 'Call a teammate' <<<"$(field Description)"
depends=$(field Depends)
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1; do
  check "Depends on $dep" grep -Eq "(^|, )$dep(\$|,| )" <<<"$depends"
done

dpkg-deb -x "$deb" "$work/tree"
check "/usr/bin/$binary is an executable" test -x "$work/tree/usr/bin/$binary"
for size in 32x32 128x128 512x512; do
  check "icon $size" test -s "$work/tree/usr/share/icons/hicolor/$size/apps/$binary.png"
done

echo "== the desktop entry"
entry="$work/tree/$desktop"
check "/$desktop exists" test -f "$entry"
if [ -f "$entry" ]; then
  check "desktop-file-validate accepts it" desktop-file-validate "$entry"
  key() { sed -n "s/^$1=//p" "$entry"; }
  check "Exec passes the URL (%u): '$(key Exec)'" test "$(key Exec)" = "$binary %u"
  check "MimeType has x-scheme-handler/ringer" grep -qx 'MimeType=\(.*;\)\?x-scheme-handler/ringer;.*' "$entry"
  check "Icon is the packaged icon" test "$(key Icon)" = "$binary"
  check "Name is Ringer" test "$(key Name)" = Ringer
fi

echo "== installing with apt-get"
if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
  echo "($package was installed before this check; it stays installed)"
else
  installed_here=true
fi
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --reinstall "$deb" >"$work/apt.log" 2>&1 \
  || { cat "$work/apt.log" >&2; fail "apt-get install $deb"; }
check "dpkg reports $package $version installed" \
  test "$(dpkg-query -W -f='${Status} ${Version}' "$package" 2>/dev/null)" = "install ok installed $version"
check "$binary is on PATH at /usr/bin" test "$(command -v "$binary")" = "/usr/bin/$binary"
missing_libs=$(ldd "/usr/bin/$binary" 2>&1 | grep 'not found' || true)
check "every shared library is found${missing_libs:+: $missing_libs}" test -z "$missing_libs"

# desktop-file-utils' dpkg trigger indexes the entry; xdg-mime then finds the handler (with a
# throwaway HOME, so no user's own mimeapps.list decides).
check "mimeinfo.cache maps x-scheme-handler/ringer to Ringer.desktop" \
  grep -qx 'x-scheme-handler/ringer=\(.*;\)\?Ringer.desktop;.*' /usr/share/applications/mimeinfo.cache
handler=$(env -i PATH="$PATH" HOME="$work/home" XDG_DATA_DIRS=/usr/local/share:/usr/share \
  xdg-mime query default x-scheme-handler/ringer 2>/dev/null || true)
check "xdg-mime's default for ringer:// is Ringer.desktop (got '$handler')" test "$handler" = Ringer.desktop

echo "== starting the installed app on a virtual display"
mkdir -p "$work/home" "$work/config"
# A private D-Bus session with a keyring (the app's single-instance lock, notifications and token
# store live there) inside xvfb-run; the app shows its sign-in window.
if env HOME="$work/home" XDG_CONFIG_HOME="$work/config" RINGER_CHECK_LOG="$work/app.log" \
  xvfb-run --auto-servernum --server-args="-screen 0 1024x768x24 -nolisten tcp" \
  "$root/scripts/with-keyring.sh" bash -c '
    "/usr/bin/'"$binary"'" >"$RINGER_CHECK_LOG" 2>&1 &
    pid=$!
    for _ in $(seq 60); do
      if ! kill -0 "$pid" 2>/dev/null; then echo "the app exited" >&2; exit 1; fi
      if xwininfo -root -tree | grep -q "\"Ringer\""; then
        sleep 2
        kill -0 "$pid" 2>/dev/null || { echo "the app exited after showing its window" >&2; exit 1; }
        kill "$pid"
        exit 0
      fi
      sleep 0.5
    done
    echo "no window named Ringer within 30 s" >&2
    kill "$pid"
    exit 1
  ' >"$work/session.log" 2>&1; then
  pass "the installed app starts and shows its window"
else
  fail "the installed app starts and shows its window (the session's and the app's logs follow)"
  cat "$work/session.log" "$work/app.log" >&2 || true
fi

if [ "$failures" -ne 0 ]; then
  echo "check-deb: $failures check(s) failed" >&2
  exit 1
fi
echo "check-deb: every check passed"
