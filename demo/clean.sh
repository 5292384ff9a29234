#!/usr/bin/env bash
# make demo-clean: remove everything make demo made: the fleet (every
# namespace, engine, sshd, container and file of its hosts), the simulated
# EC2 endpoint, and the files under .demo and examples/hello-svc. Also what
# the single-engine demo (demo/demo-local.sh) made.
set -uo pipefail
cd "$(dirname "$0")/.."
STATE=.demo
for p in registry ec2; do [ -f "$STATE/$p.pid" ] && kill "$(cat "$STATE/$p.pid")" 2>/dev/null; done
if [ -x "$STATE/bin/fleet" ]; then
  "$STATE/bin/fleet" down -name demo -dir "$STATE/fleet" || echo "demo-clean: the fleet was not removed completely (see above)"
elif [ -d "$STATE/fleet" ]; then
  go run ./internal/fleet/cmd/fleet down -name demo -dir "$STATE/fleet"
fi
# The single-engine demo's containers and images on this machine's engine.
docker ps -aq --filter name=demo-hello- | xargs -r docker rm -f >/dev/null 2>&1
for svc in hello-svc hello-api; do
  docker images -q --filter "label=io.dockwright.service=$svc" | sort -u | xargs -r docker rmi -f >/dev/null 2>&1
done
rm -rf "$STATE" examples/hello-svc/build examples/hello-svc/.dockwright
echo "demo removed"
