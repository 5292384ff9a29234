#!/usr/bin/env bash
# make demo-clean: remove what make demo created.
set -uo pipefail
cd "$(dirname "$0")/.."
STATE=.demo
for p in registry ec2; do [ -f "$STATE/$p.pid" ] && kill "$(cat "$STATE/$p.pid")" 2>/dev/null; done
docker ps -aq --filter name=demo-hello- | xargs -r docker rm -f >/dev/null
for svc in hello-svc hello-api; do
  docker images -q --filter "label=io.dockwright.service=$svc" | sort -u | xargs -r docker rmi -f >/dev/null 2>&1
done
rm -rf "$STATE" examples/hello-svc/build examples/hello-svc/.dockwright
echo "demo removed"
