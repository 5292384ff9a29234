#!/usr/bin/env bash
# Requests lost and latency through the load balancer while dockwright
# rolls a service out, on the demo's fleet (run make demo first; the fleet
# stays up until make demo-clean). loadgen sends 100 requests a second
# through the target group's listener (internal/elbfake on the simulated
# endpoint, forwarding to the hosts' containers) during:
#   1. a rolling deploy of hello-svc to dev (7 hosts in 3 zones, zone by zone)
#   2. a promotion of hello-svc to staging (2 hosts in 2 zones)
#   3. a rollback of dev (one build for every host; the dev tag follows)
#   4. a deploy whose health check fails on the first host (BATCH=1)
# A failure is a transport error or a 5xx. Prints requests, failed, p50,
# p99 and max per phase; docs/benchmarks.md records them.
#   make demo && bash bench/zero-downtime.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .demo/env ] || { echo "no demo fleet: run make demo first"; exit 1; }
. .demo/env
mkdir -p bench/out
stats=bench/out/zero-downtime.jsonl log=bench/out/zero-downtime.log
: >"$stats"; : >"$log"
MAKE=(make/dwmake -s -C examples/hello-svc REGISTRY="$DEMO_REGISTRY" INVENTORY="$PWD/bin/ec2-inventory" CATALOG="$DOCKWRIGHT_CATALOG")
phase() { # LABEL LB WANT_EXIT MAKE-ARGS...
  local label=$1 lb=$2 want=$3; shift 3
  local rc=0
  .demo/bin/loadgen -url "$lb/" -rate 100 -label "$label" -stats "$stats" -- "${MAKE[@]}" "$@" >>"$log" 2>&1 || rc=$?
  [ "$rc" = "$want" ] || { echo "$label: exit $rc, want $want"; tail -30 "$log"; exit 1; }
}
# Setup (not measured): dev on what its tag says (3), staging on 4.
"${MAKE[@]}" converge SERVICE=hello-svc ENV=dev >>"$log" 2>&1
"${MAKE[@]}" promote SERVICE=hello-svc BUILD=4 ENV=staging >>"$log" 2>&1
phase "rolling deploy, 7 hosts, zone by zone" "$DEMO_LB_DEV" 0 docker-deploy SERVICE=hello-svc BUILD_NUMBER=4 ENV=dev \
  GIT_COMMIT=$(printf hello-svc-4 | sha1sum | cut -c1-40)
phase "promotion, 2 hosts" "$DEMO_LB_STAGING" 0 promote SERVICE=hello-svc BUILD=3 ENV=staging
phase "rollback, 7 hosts to one build" "$DEMO_LB_DEV" 0 rollback SERVICE=hello-svc ENV=dev BUILD=3
printf 'dockwright_service_container_env: {APP__HEALTH__FAIL: "true"}\ndockwright_service_health_retries: 5\n' >bench/out/unhealthy.yml
phase "deploy failing its health check, 1st host" "$DEMO_LB_DEV" 3 docker-deploy SERVICE=hello-svc BUILD_NUMBER=4 ENV=dev BATCH=1 \
  GIT_COMMIT=$(printf hello-svc-4 | sha1sum | cut -c1-40) ANSIBLE_OPTS="-e @$PWD/bench/out/unhealthy.yml"
# Back to what dev's tag says (not measured).
"${MAKE[@]}" converge SERVICE=hello-svc ENV=dev >>"$log" 2>&1
python3 - "$stats" <<'PY'
import json, sys
print("%-42s %9s %7s %8s %8s %8s" % ("PHASE", "REQUESTS", "FAILED", "P50", "P99", "MAX"))
for l in open(sys.argv[1]):
    r = json.loads(l)
    print("%-42s %9d %7d %6.1fms %6.1fms %6.1fms" % (r["label"], r["requests"], r["failed"], r["p50_ns"] / 1e6, r["p99_ns"] / 1e6, r["max_ns"] / 1e6))
PY
