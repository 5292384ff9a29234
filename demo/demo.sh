#!/usr/bin/env bash
# make demo: dockwright's main job end to end, on a fleet built on this
# machine (internal/fleet, docs/fleet.md): 13 hosts, each a network
# namespace with its own Docker Engine and sshd, reached over SSH by
# Ansible as production hosts are; a registry host with Distribution behind
# NGINX (TLS, basic auth) stood up by the dockwright_registry role; a build
# agent with its own engine; a SIMULATED EC2 endpoint (internal/ec2fake)
# that lists the hosts. Nothing is pulled from the internet.
#
# The story goes to stdout; Ansible's and Docker's full output to
# .demo/demo.log (DEMO_VERBOSE=1 shows it live). make demo-clean removes
# everything. Where this machine cannot host a fleet (not root, no
# namespaces), the demo says so and runs demo/demo-local.sh instead.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/.demo
FLEET=$STATE/fleet
LOG=$STATE/demo.log
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }
# run CMD...: print it, send its output to the log (or the terminal with
# DEMO_VERBOSE=1); on failure show the log's end.
run() {
  printf '$ %s\n' "$*"
  if [ "${DEMO_VERBOSE:-0}" = 1 ]; then "$@" 2>&1 | tee -a "$LOG"; return "${PIPESTATUS[0]}"; fi
  if ! "$@" >>"$LOG" 2>&1; then
    echo "--- failed; the end of $LOG:"; tail -40 "$LOG"; return 1
  fi
}

step "prerequisites"
docker info >/dev/null 2>&1 || { echo "the Docker Engine does not answer (DOCKER_HOST?)"; exit 1; }
make -s build plugins
mkdir -p "$STATE/bin"
go build -o "$STATE/bin/fleet" ./internal/fleet/cmd/fleet
go build -o "$STATE/bin/fake-ec2" ./internal/ec2fake/cmd/fake-ec2
go build -o "$STATE/bin/loadgen" ./internal/loadgen/cmd/loadgen
if ! why=$("$STATE/bin/fleet" available 2>&1); then
  echo "this machine cannot build the fleet (${why#fleet: }): running the single-engine demo instead"
  exec bash demo/demo-local.sh
fi
missing=()
command -v ansible-playbook >/dev/null || missing+=(ansible)
/usr/bin/python3 -c 'import docker' 2>/dev/null || missing+=(python3-docker)
# boto3: community.aws's elb_target modules (the load balancer's waits).
/usr/bin/python3 -c 'import boto3' 2>/dev/null || missing+=(python3-boto3)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v sudo >/dev/null || missing+=(sudo)
command -v docker-registry >/dev/null || missing+=(docker-registry)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    added=; [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; added=1; }
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    [ -z "$added" ] || rm -f /usr/sbin/policy-rc.d
  else
    echo "missing: sudo apt-get install -y ${missing[*]}"; exit 1
  fi
fi
mkdir -p "$STATE"
: >"$LOG"
say "full output: $LOG"

# The estate: a registry, a build agent, and for the dev environment 6
# hosts of hello-svc (2 per AZ in 3 AZs) and 2 of hello-api; staging has 2
# hosts of hello-svc. svc-c3 is not in EC2 yet: autoscaling adds it to dev
# near the end, and make converge catches it up.
HOSTS=(registry:ssh agent:engine
  svc-a1:ssh,engine svc-a2:ssh,engine svc-b1:ssh,engine svc-b2:ssh,engine svc-c1:ssh,engine svc-c2:ssh,engine
  api-a1:ssh,engine api-b1:ssh,engine stg-a1:ssh,engine stg-b1:ssh,engine svc-c3:ssh,engine)
step "the fleet: ${#HOSTS[@]} hosts, each its own network namespace, Docker Engine and sshd"
args=(); for h in "${HOSTS[@]}"; do args+=(-host "$h"); done
"$STATE/bin/fleet" up -name demo -dir "$FLEET" "${args[@]}" | sed 's/^/   /'
addr() { python3 -c "import json,sys; f=json.load(open('$FLEET/fleet.json')); print([h['address'] for h in f['hosts'] if h['name']==sys.argv[1]][0])" "$1"; }
REGISTRY=$(addr registry)
AGENT_SOCK=$FLEET/hosts/agent/docker.sock

step "a SIMULATED EC2 endpoint (local; no AWS) describing the fleet's hosts"
# ec2_instances [NAME]: the simulated EC2's instance lines for the fleet's
# hosts (all but the agent and the spare svc-c3), or NAME's alone.
ec2_instances() {
  python3 - "$FLEET/fleet.json" "${1:-}" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
only = sys.argv[2]
azs = {"a": "us-east-1a", "b": "us-east-1b", "c": "us-east-1c"}
roles = {"svc": ("hello-svc", "dev"), "api": ("hello-api", "dev"), "stg": ("hello-svc", "staging")}
for i, h in enumerate(f["hosts"]):
    name = h["name"]
    if (only and name != only) or (not only and name in ("agent", "svc-c3")):
        continue
    if name == "registry":
        tags, az = {"Name": name, "Role": "registry"}, "us-east-1a"
    else:
        svc, env = roles[name[:3]]
        tags, az = {"Name": name, "Service": svc, "Env": env}, azs[name[4]]
    t = ", ".join(f"{k}: {v}" for k, v in tags.items())
    print(f"  - {{id: i-0demo{i:012d}, az: {az}, private_ip: {h['address']}, tags: {{{t}}}}}")
PY
}
{ printf 'region: us-east-1\ninstances:\n'; ec2_instances; } >"$STATE/ec2-fleet.yml"
# The load balancer (internal/elbfake, on the same simulated endpoint): a
# target group per service and environment, each with a listener on the
# machine carrying traffic to its healthy targets. hello-svc's are instance
# target groups (instance id + port), hello-api's an ip target group.
tg() { printf 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/%s/%s' "$1" "$(printf %s "$1" | sha1sum | cut -c1-16)"; }
cat >"$STATE/elb.yml" <<YML
region: us-east-1
target_groups:
  - {name: hello-svc-dev, arn: "$(tg hello-svc-dev)", port: 8001, listen: "127.0.0.1:0", deregistration_delay: 1s,
     health_check: {path: /health, interval: 500ms, timeout: 500ms, healthy_threshold: 2, unhealthy_threshold: 2}}
  - {name: hello-svc-staging, arn: "$(tg hello-svc-staging)", port: 8001, listen: "127.0.0.1:0", deregistration_delay: 1s,
     health_check: {path: /health, interval: 500ms, timeout: 500ms, healthy_threshold: 2, unhealthy_threshold: 2}}
  - {name: hello-api-dev, arn: "$(tg hello-api-dev)", target_type: ip, port: 8002, listen: "127.0.0.1:0", deregistration_delay: 1s,
     health_check: {path: /health, interval: 500ms, timeout: 500ms, healthy_threshold: 2, unhealthy_threshold: 2}}
YML
"$STATE/bin/fake-ec2" -fleet "$STATE/ec2-fleet.yml" -elb "$STATE/elb.yml" -v >"$STATE/ec2.url" 2>"$STATE/ec2.log" &
echo $! >"$STATE/ec2.pid"
for _ in $(seq 50); do [ -s "$STATE/ec2.url" ] && grep -q hello-api-dev "$STATE/ec2.log" && break; sleep 0.1; done
listener() { sed -n "s|^fake-ec2: target group $1 .* listener ||p" "$STATE/ec2.log"; }
LB_DEV=$(listener hello-svc-dev) LB_STAGING=$(listener hello-svc-staging) LB_API=$(listener hello-api-dev)
export AWS_ENDPOINT_URL_EC2=$(cat "$STATE/ec2.url") AWS_ACCESS_KEY_ID=AKIDDEMO AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1 \
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2=$AWS_ENDPOINT_URL_EC2
say "load balancer listeners: hello-svc dev $LB_DEV, staging $LB_STAGING; hello-api dev $LB_API"
# ansible/ec2-inventory.yml's grouping, plus the fleet's deploy user.
cat >"$STATE/ec2-inventory.yml" <<'YML'
regions: [us-east-1]
hostnames: [private-ip-address]
keyed_groups:
  - {key: tags.Service, prefix: service}
  - {key: tags.Env, prefix: env}
  - {key: tags.Role, prefix: role}
  - {key: placement.availability_zone, prefix: az}
compose:
  ansible_host: private_ip_address
  ansible_user: "'deploy'"
  ansible_python_interpreter: "'/usr/bin/python3'"
cache: false
YML
export EC2_INVENTORY_CONFIG=$STATE/ec2-inventory.yml
say "$(bin/ec2-inventory --list -o table | tail -1)"

# Ansible over SSH with the shipped ansible.cfg: the fleet's deploy key and
# known_hosts (host keys are checked), connections kept in the fleet's dir.
export ANSIBLE_CONFIG=$ROOT/ansible/ansible.cfg ANSIBLE_PRIVATE_KEY_FILE=$FLEET/id_ed25519 \
  ANSIBLE_SSH_COMMON_ARGS="-o UserKnownHostsFile=$FLEET/known_hosts -o StrictHostKeyChecking=yes" \
  ANSIBLE_SSH_CONTROL_PATH_DIR=$FLEET/cp ANSIBLE_LOCAL_TEMP=$STATE/ansible-tmp ANSIBLE_NOCOLOR=1
PLAY=(ansible-playbook -i "$ROOT/bin/ec2-inventory")

step "the registry host: Distribution behind NGINX (TLS, basic auth) — role dockwright_registry"
PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
umask 077; printf 'dockwright_registry_users:\n  - {name: jenkins, password: "%s"}\n' "$PASSWORD" >"$STATE/registry-users.yml"
printf 'dockwright_host_registry_username: jenkins\ndockwright_host_registry_password: "%s"\n' "$PASSWORD" >"$STATE/registry-login.yml"; umask 022
run "${PLAY[@]}" ansible/registry.yml -e @"$STATE/registry-users.yml" -e dockwright_registry_pki_dir="$STATE/pki"
say "https://$REGISTRY/v2/ answers $(curl -s -o /dev/null -w '%{http_code}' --cacert "$STATE/pki/ca.crt" "https://$REGISTRY/v2/") without credentials, $(curl -s -o /dev/null -w '%{http_code}' --cacert "$STATE/pki/ca.crt" -u "jenkins:$PASSWORD" "https://$REGISTRY/v2/") with them (CA: $STATE/pki/ca.crt)"

step "the build agent (Jenkins' docker host): trusts the registry's CA, logs in"
"$STATE/bin/fleet" exec -dir "$FLEET" agent -- sh -c "mkdir -p /etc/docker/certs.d/$REGISTRY && cat > /etc/docker/certs.d/$REGISTRY/ca.crt" <"$STATE/pki/ca.crt"
export DOCKER_HOST=unix://$AGENT_SOCK DOCKER_CONFIG=$STATE/docker SSL_CERT_FILE=$STATE/pki/ca.crt
printf '%s' "$PASSWORD" | run docker login "$REGISTRY" -u jenkins --password-stdin
say "DOCKER_HOST=$DOCKER_HOST; the registry's credentials in $DOCKER_CONFIG; SSL_CERT_FILE=$SSL_CERT_FILE for image-tagger and registry-pruner"

step "bootstrap every app host — role dockwright_host (binaries, Docker SDK, CA, registry login)"
run "${PLAY[@]}" ansible/bootstrap.yml -e dockwright_host_registry="$REGISTRY" -e dockwright_host_registry_ca="$STATE/pki/ca.crt" \
  -e @"$STATE/registry-login.yml" -e dockwright_host_binaries_src="$ROOT/bin"

step "the estate's catalog"
cat >"$STATE/services.yml" <<YML
registry: $REGISTRY
port_range: [8000, 8099]
environments:
  dev: {endpoint: "http://{service}-{az}.dev.demo", azs: [us-east-1a, us-east-1b, us-east-1c]}
  staging: {endpoint: "http://{service}.staging.demo"}
services:
  hello-svc:
    host_port: 8001
    target_groups: {dev: "$(tg hello-svc-dev)", staging: "$(tg hello-svc-staging)"}
  hello-api:
    host_port: 8002
    image: $REGISTRY/team/hello-api   # a repository of its own
    target_groups: {dev: "$(tg hello-api-dev)"}
YML
run bin/env-config-resolver catalog check --catalog "$STATE/services.yml"
export DOCKWRIGHT_CATALOG=$STATE/services.yml

step "notifications: every deploy, promotion and prune appended to $STATE/events.jsonl"
cat >"$STATE/notify.yml" <<YML
notifiers:
  - name: file
    config: {path: $STATE/events.jsonl}
YML
: >"$STATE/events.jsonl"
export DOCKWRIGHT_PLUGIN_DIR=$ROOT/bin/plugins DOCKWRIGHT_NOTIFY=$STATE/notify.yml
# The control side's deploy locks (dockwright-lock), one per service and
# environment, in the demo's own directory.
export DOCKWRIGHT_LOCK_DIR=$STATE/locks
# Everything the steps above exported, for trying a playbook change on the
# fleet by hand (docs/fleet.md): source .demo/env.
{
  echo "# make demo's environment: . .demo/env"
  for v in AWS_ENDPOINT_URL_EC2 AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE \
    AWS_EC2_METADATA_DISABLED EC2_INVENTORY_CONFIG ANSIBLE_CONFIG ANSIBLE_PRIVATE_KEY_FILE ANSIBLE_SSH_COMMON_ARGS \
    ANSIBLE_SSH_CONTROL_PATH_DIR ANSIBLE_LOCAL_TEMP ANSIBLE_NOCOLOR DOCKER_HOST DOCKER_CONFIG SSL_CERT_FILE DOCKWRIGHT_CATALOG \
    DOCKWRIGHT_PLUGIN_DIR DOCKWRIGHT_NOTIFY DOCKWRIGHT_LOCK_DIR; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
  printf 'export DEMO_REGISTRY=%q\n' "$REGISTRY"
  printf 'export DEMO_LB_DEV=%q\nexport DEMO_LB_STAGING=%q\nexport DEMO_LB_API=%q\n' "$LB_DEV" "$LB_STAGING" "$LB_API"
} >"$STATE/env"
MAKE=("$ROOT/make/dwmake" -s -C examples/hello-svc REGISTRY="$REGISTRY" INVENTORY="$ROOT/bin/ec2-inventory" CATALOG="$STATE/services.yml")
# traffic PHASE URL CMD...: CMD while loadgen sends 100 requests a second
# through the load balancer's listener URL; its figures go to
# $STATE/traffic.jsonl and the story.
: >"$STATE/traffic.jsonl"
traffic() {
  local phase=$1 url=$2; shift 2
  run "$STATE/bin/loadgen" -url "$url/" -rate 100 -label "$phase" -stats "$STATE/traffic.jsonl" -- "$@"
  say "traffic through the load balancer meanwhile: $(tail -1 "$STATE/traffic.jsonl" | python3 -c 'import json,sys; s=json.load(sys.stdin); print("%d requests, %d failed, p50 %.1f ms, p99 %.1f ms" % (s["requests"], s["failed"], s["p50_ns"]/1e6, s["p99_ns"]/1e6))')"
}
for n in 1 2 3 4; do
  for svc in hello-svc hello-api; do
    [ "$svc" = hello-api ] && [ "$n" -gt 2 ] && continue
    # Each build is its own commit, as in Jenkins: push tags it N and git-<sha7>.
    commit=$(printf '%s-%s' "$svc" "$n" | sha1sum | cut -c1-40)
    step "Jenkins build $n of $svc: make docker-deploy ENV=dev$([ "$n" = 1 ] && echo ' (the first: every host at once)' || echo ' (zone by zone)')"
    lb=$LB_DEV; [ "$svc" = hello-api ] && lb=$LB_API
    if [ "$n" = 1 ]; then
      # The first deploy puts the hosts in the load balancer: nothing serves
      # before it, so every host at once (ZONES=false BATCH=100%).
      run "${MAKE[@]}" docker-deploy SERVICE=$svc BUILD_NUMBER=$n GIT_COMMIT=$commit ENV=dev ZONES=false BATCH=100%
    else
      traffic "deploy $svc build $n" "$lb" "${MAKE[@]}" docker-deploy SERVICE=$svc BUILD_NUMBER=$n GIT_COMMIT=$commit ENV=dev
    fi
    say "pushed and deployed $(cat examples/hello-svc/.dockwright/pinned)"
  done
done

step "promote build 3 of hello-svc to staging: make promote (promote.yml)"
run "${MAKE[@]}" promote SERVICE=hello-svc BUILD=3 ENV=staging
step "promote build 4 to staging, with traffic on staging's load balancer"
traffic "promote hello-svc build 4 to staging" "$LB_STAGING" "${MAKE[@]}" promote SERVICE=hello-svc BUILD=4 ENV=staging
step "roll dev back: make rollback (one build for the whole environment: 3; the registry's dev tag follows)"
traffic "rollback hello-svc in dev" "$LB_DEV" "${MAKE[@]}" rollback SERVICE=hello-svc ENV=dev
printf '$ %s\n' "bin/image-tagger history hello-svc --env dev"
bin/image-tagger history hello-svc --env dev -o table | sed -n '1,4s/^/   /p'
say "$(bin/image-tagger current hello-svc --env dev -o table | tail -1)"

step "autoscaling adds svc-c3 to dev: bootstrapped, then make converge gives it what dev runs"
ec2_instances svc-c3 >>"$STATE/ec2-fleet.yml"
C3=$(addr svc-c3)
for _ in $(seq 50); do inv=$(bin/ec2-inventory --list); [[ $inv == *"\"$C3\""* ]] && break; sleep 0.2; done
run "${PLAY[@]}" ansible/bootstrap.yml --limit "$C3" -e dockwright_host_registry="$REGISTRY" -e dockwright_host_registry_ca="$STATE/pki/ca.crt" \
  -e @"$STATE/registry-login.yml" -e dockwright_host_binaries_src="$ROOT/bin"
traffic "converge hello-svc in dev" "$LB_DEV" "${MAKE[@]}" converge SERVICE=hello-svc ENV=dev
say "the six hosts already on build 3 were left alone (changed=0); svc-c3 runs it and takes traffic"

step "what every host answers on its host port"
for h in svc-a1 svc-c3 stg-a1 api-b1; do
  port=8001; [ "${h%%-*}" = api ] && port=8002
  say "$h $(addr "$h"):$port $(curl -s "http://$(addr "$h"):$port/health")"
done

step "keep-n-retention on each host's own engine (newest 3, what runs included)"
for h in svc-a1 api-a1; do
  say "$h: $(DOCKER_HOST=unix://$FLEET/hosts/$h/docker.sock docker images --format '{{.Repository}}:{{.Tag}}' | grep -E ':[0-9]+$' | sed 's|.*/||' | sort -V | tr '\n' ' ')"
done

step "the registry: versions, then registry-pruner --keep 2, then its garbage collector"
run bin/image-tagger versions hello-svc --registry "$REGISTRY" -o table
run bin/registry-pruner --catalog "$STATE/services.yml" --keep 2 -o table
say "$(grep -E '^[0-9]+ repositories' "$LOG" | tail -1)"
run ssh -i "$FLEET/id_ed25519" -o UserKnownHostsFile="$FLEET/known_hosts" -o BatchMode=yes "deploy@$REGISTRY" sudo /usr/local/sbin/dockwright-registry-gc
say "hello-svc tags left: $(curl -s --cacert "$STATE/pki/ca.crt" -u "jenkins:$PASSWORD" "https://$REGISTRY/v2/hello-svc/tags/list" | python3 -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["tags"])))')"

step "what the notifiers heard ($STATE/events.jsonl)"
python3 - "$STATE/events.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    print(f"   {e['kind']:<18} {e['source']:<16} {e['summary']}")
PY

step "the traffic through the load balancers, phase by phase ($STATE/traffic.jsonl)"
python3 - "$STATE/traffic.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("   %-40s %9s %7s %9s %9s" % ("PHASE", "REQUESTS", "FAILED", "P50", "P99"))
for r in rows:
    print("   %-40s %9d %7d %7.1fms %7.1fms" % (r["label"], r["requests"], r["failed"], r["p50_ns"] / 1e6, r["p99_ns"] / 1e6))
print("   %-40s %9d %7d" % ("all", sum(r["requests"] for r in rows), sum(r["failed"] for r in rows)))
PY

step "summary: what runs where (each host's own engine)"
printf '   %-8s %-12s %-10s %-8s %s\n' HOST ADDRESS SERVICE BUILD IMAGE
for h in svc-a1 svc-a2 svc-b1 svc-b2 svc-c1 svc-c2 svc-c3 api-a1 api-b1 stg-a1 stg-b1; do
  DOCKER_HOST=unix://$FLEET/hosts/$h/docker.sock docker ps --format '{{.Label "io.dockwright.service"}} {{.Label "io.dockwright.build"}} {{.Label "io.dockwright.image"}}' |
    while read -r svc build image; do printf '   %-8s %-12s %-10s %-8s %s\n' "$h" "$(addr "$h")" "$svc" "$build" "${image#*@}"; done
done
echo
echo "The EC2 endpoint above was a local simulation (internal/ec2fake); every host, engine, sshd, registry and deploy was real."
echo "make demo-clean removes the fleet and everything the demo made."
