#!/usr/bin/env bash
# Measures health-dashboard: idle CPU and RSS of `serve` with 150 targets
# (50 services x 3 AZs) at a 10 s interval over SECONDS (default 120), and
# the Go benchmarks (one round over 150 targets with 5 hanging, 2 s timeout;
# 10,000 rounds soak).
#   bash bench/health-dashboard.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/health; rm -rf "$out"; mkdir -p "$out"
make build >/dev/null
secs=${SECONDS_TO_MEASURE:-120}
# The targets: a small Go server answering {"status":"ok"} on every path.
mkdir -p "$out/srv"
cat >"$out/srv/main.go" <<'GO'
package main

import (
	"net/http"
	"os"
)

func main() {
	http.ListenAndServe(os.Args[1], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ok"}`))
	}))
}
GO
(cd "$out/srv" && printf 'module srv\ngo 1.21\n' >go.mod && go build -o ../targets .)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$out/targets" "127.0.0.1:$port" &
www=$!
{
  echo "environments:"
  echo "  prod: {endpoint: \"http://127.0.0.1:$port/{service}-{az}\", azs: [a, b, c]}"
  echo "services:"
  for s in $(seq -w 0 49); do echo "  svc$s: {host_port: 80$s}"; done
} >"$out/services.yml"
lport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
bin/health-dashboard serve --env prod --catalog "$out/services.yml" --interval 10s --listen "127.0.0.1:$lport" 2>"$out/serve.log" &
pid=$!
trap 'kill $pid $www 2>/dev/null' EXIT
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
sleep 10
t0=$(ticks); r0=$(rss)
sleep "$secs"
t1=$(ticks); r1=$(rss)
targets=$(curl -s "http://127.0.0.1:$lport/api/status" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["targets"]), "targets,", d["rounds"], "rounds,", sum(t["state"]=="healthy" for t in d["targets"]), "healthy")')
echo "== serve, 150 targets, 10 s interval, ${secs} s measured"
echo "$targets"
echo "CPU: $(echo "scale=2; ($t1 - $t0) * 100 / $hz / $secs" | bc)% of a core; RSS ${r0} KB -> ${r1} KB"
echo "== Go benchmarks"
go test -run '^$' -bench 'Round150Hanging' -benchtime 3x ./internal/health/ | grep Benchmark
