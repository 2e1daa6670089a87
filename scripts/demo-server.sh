# Sourced by scripts/demo.sh and scripts/demo-app.sh: a throwaway ringer-server with demo users.
# The caller sets `bin` (where the binaries are), `server_url`, `data` (an empty directory) and
# `log` (a file), and cleans up `$data`, `$log`, `$log.out` and `$server_pid` itself.

# demo_user UID "DISPLAY NAME": adds UID with the password UID-demo.
demo_user() {
  echo "$1-demo" | "$bin/ringer-server" user add "$1" --name "$2" --password-stdin --data "$data"
}

# start_demo_server: serves $data on $server_url and returns once it listens; sets server_pid.
start_demo_server() {
  "$bin/ringer-server" serve --listen "${server_url#ws://}" --data "$data" >"$log.out" 2>"$log" &
  server_pid=$!
  # Ready when it says so on stdout; if it exits first (the port is taken, say), show why.
  for _ in $(seq 1 100); do
    grep -q "listening on" "$log.out" 2>/dev/null && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "ringer-server did not start:" >&2
  cat "$log" >&2
  exit 1
}
