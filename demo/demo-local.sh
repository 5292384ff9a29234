#!/usr/bin/env bash
# The single-engine demo: what make demo runs where this machine cannot
# build the fleet (demo/demo.sh says so first). Less real than the fleet:
#
# A real registry (Docker Distribution) on 127.0.0.1, a SIMULATED EC2
# endpoint (internal/ec2fake: EC2's real query/XML protocol, served locally)
# describing 8 "instances" whose addresses are loopback addresses, Ansible
# managing them with a local connection, the real Docker Engine running
# every container. Nothing is pulled from the internet.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/.demo
# A free loopback port unless DEMO_REGISTRY_PORT says otherwise.
REG_PORT=${DEMO_REGISTRY_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
REGISTRY=127.0.0.1:$REG_PORT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*" >&2; "$@"; }

step "prerequisites"
docker info >/dev/null 2>&1 || { echo "the Docker Engine does not answer (DOCKER_HOST?)"; exit 1; }
missing=()
command -v ansible-playbook >/dev/null || missing+=(ansible)
/usr/bin/python3 -c 'import docker' 2>/dev/null || missing+=(python3-docker)
command -v flock >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing: sudo apt-get install -y ${missing[*]}"; exit 1
  fi
fi
REGISTRY_BIN=$(command -v docker-registry || true)
[ -n "$REGISTRY_BIN" ] || { make -s test-deps >/dev/null; REGISTRY_BIN=$ROOT/.cache/bin/registry; }
make -s build plugins
mkdir -p "$STATE"

step "a real registry on $REGISTRY ($(basename "$REGISTRY_BIN"))"
cat >"$STATE/registry.yml" <<YML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $STATE/registry}
  delete: {enabled: true}
http: {addr: $REGISTRY}
YML
echo "$REGISTRY" >"$STATE/registry.addr"
"$REGISTRY_BIN" serve "$STATE/registry.yml" >"$STATE/registry.log" 2>&1 &
echo $! >"$STATE/registry.pid"
for _ in $(seq 50); do curl -sf "http://$REGISTRY/v2/" >/dev/null && break; sleep 0.1; done

step "a SIMULATED EC2 endpoint (local; no AWS): 2 services x 2 AZs x 2 environments on 127.0.0.x"
cat >"$STATE/fleet.yml" <<'YML'
region: us-east-1
instances:
  - {id: i-0dev0svc0a, az: us-east-1a, private_ip: 127.0.0.11, tags: {Name: dev-svc-a, Service: hello-svc, Env: dev}}
  - {id: i-0dev0svc0b, az: us-east-1b, private_ip: 127.0.0.12, tags: {Name: dev-svc-b, Service: hello-svc, Env: dev}}
  - {id: i-0dev0api0a, az: us-east-1a, private_ip: 127.0.0.13, tags: {Name: dev-api-a, Service: hello-api, Env: dev}}
  - {id: i-0dev0api0b, az: us-east-1b, private_ip: 127.0.0.14, tags: {Name: dev-api-b, Service: hello-api, Env: dev}}
  - {id: i-0stg0svc0a, az: us-east-1a, private_ip: 127.0.0.21, tags: {Name: stg-svc-a, Service: hello-svc, Env: staging}}
  - {id: i-0stg0svc0b, az: us-east-1b, private_ip: 127.0.0.22, tags: {Name: stg-svc-b, Service: hello-svc, Env: staging}}
  - {id: i-0stg0api0a, az: us-east-1a, private_ip: 127.0.0.23, tags: {Name: stg-api-a, Service: hello-api, Env: staging}}
  - {id: i-0stg0api0b, az: us-east-1b, private_ip: 127.0.0.24, tags: {Name: stg-api-b, Service: hello-api, Env: staging}}
YML
go build -o "$STATE/fake-ec2" ./internal/ec2fake/cmd/fake-ec2
"$STATE/fake-ec2" -fleet "$STATE/fleet.yml" >"$STATE/ec2.url" 2>"$STATE/ec2.log" &
echo $! >"$STATE/ec2.pid"
for _ in $(seq 50); do [ -s "$STATE/ec2.url" ] && break; sleep 0.1; done
export AWS_ENDPOINT_URL_EC2=$(cat "$STATE/ec2.url") AWS_ACCESS_KEY_ID=AKIDDEMO AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1 \
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
# ansible/ec2-inventory.yml's grouping, with Ansible managing the simulated
# instances on this machine (local connection).
cat >"$STATE/ec2-inventory.yml" <<'YML'
regions: [us-east-1]
hostnames: [private-ip-address]
keyed_groups:
  - {key: tags.Service, prefix: service}
  - {key: tags.Env, prefix: env}
  - {key: placement.availability_zone, prefix: az}
cache: false
compose:
  ansible_host: private_ip_address
  ansible_connection: "'local'"
  ansible_python_interpreter: "'/usr/bin/python3'"
YML
export EC2_INVENTORY_CONFIG=$STATE/ec2-inventory.yml
run bin/ec2-inventory --list -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); print("groups:", ", ".join(sorted(k for k in d if k.startswith(("service_","env_")))))'

step "the estate's catalog"
cat >"$STATE/services.yml" <<YML
registry: $REGISTRY
port_range: [8000, 8099]
environments:
  dev: {endpoint: "http://{service}.dev.demo"}
  staging: {endpoint: "http://{service}.staging.demo"}
services:
  hello-svc: {host_port: 8001}
  hello-api: {host_port: 8002}
YML
run bin/env-config-resolver catalog check --catalog "$STATE/services.yml"

export DOCKWRIGHT_CATALOG=$STATE/services.yml

step "notifications: every deploy, promotion and prune appended to $STATE/events.jsonl"
# The shipped notify-file plugin, found through DOCKWRIGHT_PLUGIN_DIR;
# image-tagger, registry-pruner and the Ansible role read DOCKWRIGHT_NOTIFY.
cat >"$STATE/notify.yml" <<YML
notifiers:
  - name: file
    config: {path: $STATE/events.jsonl}
YML
: >"$STATE/events.jsonl"
export DOCKWRIGHT_PLUGIN_DIR=$ROOT/bin/plugins DOCKWRIGHT_NOTIFY=$STATE/notify.yml
echo "notifiers: $STATE/notify.yml (notify-file)"
MAKEVARS=(REGISTRY="$REGISTRY" INVENTORY="$ROOT/bin/ec2-inventory" CATALOG="$STATE/services.yml"
  "ANSIBLE_OPTS=-e ansible_become=false -e dockwright_service_bin=$ROOT/bin -e dockwright_service_lock_file=$STATE/dockwright.lock -e @$STATE/local-vars.yml")
# Several "hosts" share this machine's one engine: a container per host.
cat >"$STATE/local-vars.yml" <<'YML'
dockwright_service_container_name: "demo-{{ dockwright_service_name }}-{{ inventory_hostname | replace('.', '-') }}"
YML
for n in 1 2 3 4; do
  for svc in hello-svc hello-api; do
    step "Jenkins build $n of $svc: make docker-deploy ENV=dev"
    # Each build is its own commit, as in Jenkins: push tags it N and git-<sha7>.
    commit=$(printf '%s-%s' "$svc" "$n" | sha1sum | cut -c1-40)
    run make -s -C examples/hello-svc docker-deploy SERVICE=$svc BUILD_NUMBER=$n GIT_COMMIT=$commit ENV=dev "${MAKEVARS[@]}"
  done
done

step "promote build 3 of hello-svc to staging: make promote"
run make -s -C examples/hello-svc promote SERVICE=hello-svc BUILD=3 ENV=staging "${MAKEVARS[@]}"
step "roll dev back (4 -> 3): make rollback"
run make -s -C examples/hello-svc rollback SERVICE=hello-svc ENV=dev "${MAKEVARS[@]}"

step "what every container answers on its host port"
for ip in 127.0.0.11 127.0.0.12 127.0.0.21 127.0.0.22; do printf '%s:8001 ' $ip; curl -s "http://$ip:8001/health"; echo; done
for ip in 127.0.0.13 127.0.0.14; do printf '%s:8002 ' $ip; curl -s "http://$ip:8002/health"; echo; done

step "keep-n-retention kept the newest 3 per service (and what runs)"
run bin/keep-n-retention --service hello-svc --service hello-api --keep 3 --dry-run --lock-file "$STATE/dockwright.lock" -o table

step "the registry: versions, then registry-pruner --keep 2"
run bin/image-tagger versions hello-svc --registry "$REGISTRY" -o table
run bin/registry-pruner --registry "$REGISTRY" --keep 2 -o table

step "what the notifiers heard ($STATE/events.jsonl)"
python3 - "$STATE/events.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    print(f"{e['kind']:<18} {e['source']:<16} {e['summary']}")
PY

step "summary: what runs where"
docker ps --filter name=demo- --format 'table {{.Names}}\t{{.Label "io.dockwright.env"}}\t{{.Label "io.dockwright.build"}}\t{{.Ports}}\t{{.Label "io.dockwright.image"}}'
echo
echo "The EC2 endpoint above was a local simulation (internal/ec2fake); everything else was real."
echo "make demo-clean removes the containers, images, registry and endpoint it created."
