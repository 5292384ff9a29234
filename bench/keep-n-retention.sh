#!/usr/bin/env bash
# Measures keep-n-retention on the real Docker Engine: ~200 images (8
# services x 25 builds, imported from a tar, nothing pulled), a running
# container on a recent build of each service and a stopped one on an old
# build; keep 3. Records Engine API calls and wall time per run (dry run,
# then the real run), and the Go planning benchmark (5,000 images, 500
# containers, from the Engine's JSON). Cleans up everything it made.
#   bash bench/keep-n-retention.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/retention; rm -rf "$out"; mkdir -p "$out/rootfs"
make build >/dev/null
prefix=bench-knr-$$
cleanup() {
  docker ps -aq --filter "label=bench=$prefix" | xargs -r docker rm -f >/dev/null
  docker images -q --filter "label=bench=$prefix" | sort -u | xargs -r docker rmi -f >/dev/null 2>&1 || true
}
trap cleanup EXIT

cat >"$out/main.go" <<'GO'
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM)
	<-c
}
GO
(cd "$out" && printf 'module sleeper\ngo 1.21\n' >go.mod && CGO_ENABLED=0 go build -ldflags '-s -w' -o rootfs/sleeper . && tar -C rootfs -cf rootfs.tar .)

echo "== importing 200 images"
start=$(date +%s.%N)
for s in $(seq 0 7); do
  for b in $(seq 1 25); do
    docker import -c 'CMD ["/sleeper"]' -c "LABEL bench=$prefix seq=$s-$b" "$out/rootfs.tar" "$prefix/svc-$s:$b" >/dev/null
  done
  docker run -d --network none --label "bench=$prefix" --name "$prefix-live-$s" "$prefix/svc-$s:24" >/dev/null
  docker create --network none --label "bench=$prefix" --name "$prefix-old-$s" "$prefix/svc-$s:2" >/dev/null
done
echo "imported in $(echo "$(date +%s.%N) - $start" | bc) s; engine has $(docker images -q | wc -l) images"

echo "== keep-n-retention --dry-run (5 runs)"
for i in 1 2 3 4 5; do
  /usr/bin/time -f "%e s wall" -o "$out/t" bin/keep-n-retention --repo "$prefix/*" --keep 3 --dry-run --lock-file "$out/lock" >"$out/dry.json"
  echo "run $i: $(cat "$out/t"); $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("calls", d["engine_calls"], "to remove", len(d["removals"]))' "$out/dry.json")"
done

echo "== keep-n-retention (real run)"
/usr/bin/time -f "%e s wall" -o "$out/t" bin/keep-n-retention --repo "$prefix/*" --keep 3 --lock-file "$out/lock" >"$out/run.json"
echo "$(cat "$out/t"); $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("calls", d["engine_calls"], "removed", d["removed"], "failed", d["failed"], "changed", d["changed"])' "$out/run.json")"
echo "left: $(docker images --filter "label=bench=$prefix" --format '{{.Repository}}:{{.Tag}}' | sort -V | tr '\n' ' ')"

echo "== planning benchmark"
go test -run '^$' -bench Plan5000 -benchmem -count 5 ./internal/retention/ | grep Benchmark
