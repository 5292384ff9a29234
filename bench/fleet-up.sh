#!/usr/bin/env bash
# Building and removing the demo's fleet (12 hosts, 11 engines, 11 sshds)
# with internal/fleet, twice: wall time of up and down.
#   bash bench/fleet-up.sh          (as root)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
go build -o bench/out/fleet ./internal/fleet/cmd/fleet
hosts=(registry:ssh agent:engine svc-a1:ssh,engine svc-a2:ssh,engine svc-b1:ssh,engine svc-b2:ssh,engine
  svc-c1:ssh,engine svc-c2:ssh,engine api-a1:ssh,engine api-b1:ssh,engine stg-a1:ssh,engine stg-b1:ssh,engine)
args=(); for h in "${hosts[@]}"; do args+=(-host "$h"); done
dir=$PWD/.cache/fleet-bench
for i in 1 2; do
  /usr/bin/time -f "up (${#hosts[@]} hosts): %e s" bench/out/fleet up -name bench -dir "$dir" "${args[@]}" >/dev/null
  /usr/bin/time -f "down: %e s" bench/out/fleet down -name bench -dir "$dir"
done
