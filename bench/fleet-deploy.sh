#!/usr/bin/env bash
# The deploy role's cost over SSH, on the demo's fleet (run make demo
# first; the fleet stays up until make demo-clean): wall time of
# ansible-playbook deploy.yml for hello-svc in dev (6 hosts), as a no-op
# (the build every host runs: changed=0) and as a real deploy (build A,
# then back to build B: pull, tag, replace, health, retention), one host,
# and six hosts in batches of 1, 3 and 6. Prints figures; docs/benchmarks.md
# records them.
#   make demo && bash bench/fleet-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .demo/env ] || { echo "no demo fleet: run make demo first"; exit 1; }
. .demo/env
curl_reg() { curl -s --cacert "$SSL_CERT_FILE" -u "jenkins:$(sed -n 's/.*password: "\(.*\)".*/\1/p' .demo/registry-users.yml)" "$@"; }
digest() { curl_reg -I -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "https://$DEMO_REGISTRY/v2/hello-svc/manifests/$1" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'; }
A=4; B=3
pinA=$DEMO_REGISTRY/hello-svc@$(digest $A); pinB=$DEMO_REGISTRY/hello-svc@$(digest $B)
first=$(bin/ec2-inventory --list | python3 -c 'import json,sys; print(json.load(sys.stdin)["service_hello_svc"]["hosts"][0])')
deploy() { # LABEL BUILD PIN ARGS...
  local label=$1 build=$2 pin=$3; shift 3
  local t0 t1
  t0=$(date +%s.%N)
  ansible-playbook -i bin/ec2-inventory ansible/deploy.yml -e service=hello-svc -e env=dev -e build="$build" -e image_pinned="$pin" "$@" >bench/out/fleet-deploy.log 2>&1 ||
    { echo "$label: failed"; tail -20 bench/out/fleet-deploy.log; exit 1; }
  t1=$(date +%s.%N)
  printf '%-44s %6.1f s  %s\n' "$label" "$(awk "BEGIN{print $t1 - $t0}")" "$(grep -cE 'changed=[1-9]' bench/out/fleet-deploy.log) hosts changed"
}
mkdir -p bench/out
# Bring every dev host to build B first (not measured).
deploy "(setup: every host on build $B)" $B "$pinB" -e batch=6 >/dev/null
for round in 1 2; do
  echo "== round $round"
  deploy "no-op, 1 host" $B "$pinB" --limit "$first"
  deploy "no-op, 6 hosts, batch 6" $B "$pinB" -e batch=6
  deploy "real (build $A), 1 host" $A "$pinA" --limit "$first"
  deploy "real (back to $B), 1 host" $B "$pinB" --limit "$first"
  deploy "real (build $A), 6 hosts, batch 1" $A "$pinA" -e batch=1
  deploy "real (back to $B), 6 hosts, batch 3" $B "$pinB" -e batch=3
  deploy "real (build $A), 6 hosts, batch 6" $A "$pinA" -e batch=6
  deploy "real (back to $B), 6 hosts, batch 6" $B "$pinB" -e batch=6
done
