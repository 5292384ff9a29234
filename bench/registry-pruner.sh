#!/usr/bin/env bash
# Measures registry-pruner and image-tagger promote against the issue's
# targets on real registries on 127.0.0.1 (Distribution v3 and Debian's
# 2.8): 20 repositories x 200 builds (+ dev, staging, prod, latest sharing
# build digests: 4,080 tags), keep 10. Requests are counted twice: by the
# tool (its JSON) and by the registry's own access log. The crane baseline
# (bench/crane-prune.sh) runs on the same data, restored from a snapshot,
# when CRANE_BASELINE=1 (a few minutes per generation). Prints figures; docs/benchmarks.md records them.
#   bash bench/registry-pruner.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/registry; rm -rf "$out"; mkdir -p "$out"
make build >/dev/null
[ -x .cache/bin/registry ] || make test-deps >/dev/null
export PATH=$PWD/.cache/bin:$PATH
go build -o "$out/seed-registry" ./internal/registrytest/cmd/seed-registry
[ -x .cache/bin/crane ] || GOBIN=$PWD/.cache/bin go install github.com/google/go-containerregistry/cmd/crane@v0.22.1

pid=
start_registry() { # kind port storage
  local bin=registry; [ "$1" = 2.8 ] && bin=docker-registry
  cat >"$out/config-$1.yml" <<YML
version: 0.1
log:
  level: error
  formatter: text
storage:
  filesystem: {rootdirectory: $3}
  delete: {enabled: true}
  cache: {blobdescriptor: inmemory}
http: {addr: 127.0.0.1:$2}
YML
  "$bin" serve "$out/config-$1.yml" >"$out/access-$1.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$2/v2/" >/dev/null && return; sleep 0.1; done
  echo "registry $1 did not start"; exit 1
}
stop_registry() { kill "$pid"; wait "$pid" 2>/dev/null || true; }
cpu() { ps -o cputime= -p "$pid" | awk -F: '{print $1*3600 + $2*60 + $3}'; } # registry CPU seconds so far
requests() { grep -cE '"(GET|HEAD|PUT|DELETE|POST|PATCH) /v2/' "$1" || true; }
trap 'kill $pid 2>/dev/null || true' EXIT

# Scenarios: the issue-3 estate on both generations, then (v3+git) the
# estate image-tagger push leaves in Jenkins, each build with its
# git-<sha7> tag as well (8,080 tags): the commit tags go with their builds.
for scenario in v3 2.8 v3+git; do
  kind=${scenario%+git}
  seedflags=()
  [ "$scenario" != "$kind" ] && seedflags=(-git-tags)
  port=$((5100 + RANDOM % 800))
  store=$out/store-$kind
  echo "== $scenario: seeding 20 x 200 builds ${seedflags[*]}"
  start_registry "$kind" "$port" "$store"
  "$out/seed-registry" -host "127.0.0.1:$port" -repos 20 -builds 200 "${seedflags[@]}"
  stop_registry
  cp -a "$store" "$store.snapshot"

  start_registry "$kind" "$port" "$store"
  c0=$(cpu)
  echo "== $scenario: registry-pruner --registry 127.0.0.1:$port --keep 10"
  /usr/bin/time -f "%e s wall, %U s user, %S s sys, %M KB peak RSS" -o "$out/time-$kind" \
    bin/registry-pruner --registry "127.0.0.1:$port" --keep 10 -o json >"$out/prune-$kind.json" 2>"$out/prune-$kind.err"
  cat "$out/time-$kind"
  python3 - "$out/prune-$kind.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s, r = d["summary"], d["requests"]
tags = s["tags_kept"] + sum(len(u["tags"]) for p in d["repositories"] for u in p["deletions"])
minimal = 1 + s["repositories"] + tags + s["manifests_deleted"]
print(f'tags {tags}, manifests deleted {s["manifests_deleted"]}, failed {s["manifests_failed"]}')
print(f'requests (tool): {r["total"]} = GET {r["get"]} + HEAD {r["head"]} + DELETE {r["delete"]}; retries {r["retries"]}; deleted by tag {s["deleted_by_tag"]}, by digest {s["deleted_by_digest"]}')
print(f'minimal (catalog + tag lists + one HEAD per tag + one DELETE per digest): {minimal}; ratio {r["total"]/minimal:.3f}')
untagged = sum(len(u["tags"]) for p in d["repositories"] for u in p["deletions"] if u.get("method") == "tag")
if untagged > s["manifests_deleted"]:
    by_tag = 1 + s["repositories"] + tags + untagged
    print(f'minimal deleting by tag (one DELETE per tag deleted, {untagged}): {by_tag}; ratio {r["total"]/by_tag:.3f}')
PY
  echo "requests (registry access log): $(requests "$out/access-$kind.log"); registry CPU: $(( $(cpu) - c0 )) s"
  left=$(curl -s "http://127.0.0.1:$port/v2/svc-07/tags/list?n=1000" | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)["tags"], key=lambda t: (not t.isdigit(), int(t) if t.isdigit() else 0, t)))')
  echo "svc-07 after: $left"
  stop_registry

  if [ "${CRANE_BASELINE:-0}" = 1 ] && [ "$scenario" = "$kind" ]; then
    rm -rf "$store"; cp -a "$store.snapshot" "$store"
    start_registry "$kind" "$port" "$store"
    c0=$(cpu)
    echo "== $kind: crane shell script (same data, keep 10)"
    /usr/bin/time -f "%e s wall" -o "$out/time-crane" env CRANE=.cache/bin/crane bash bench/crane-prune.sh "127.0.0.1:$port" 10 2>"$out/crane.err" >/dev/null
    cat "$out/time-crane"; tail -1 "$out/crane.err"
    echo "requests (registry access log): $(requests "$out/access-$kind.log"); registry CPU: $(( $(cpu) - c0 )) s"
    stop_registry
  fi
  rm -rf "$store" "$store.snapshot"
done

echo "== promote of a 100 MB image (v3)"
port=$((5100 + RANDOM % 800))
start_registry v3 "$port" "$out/store-big"
"$out/seed-registry" -host "127.0.0.1:$port" -big-repo big -big-mb 100
before=$(requests "$out/access-v3.log")
/usr/bin/time -f "%e s wall" -o "$out/time-promote" bin/image-tagger promote big 1 --env prod --registry "127.0.0.1:$port" -o json >"$out/promote.json"
cat "$out/time-promote"
after=$(requests "$out/access-v3.log")
echo "requests (registry access log): $((after - before)); blob requests: $(tail -n $((after - before)) "$out/access-v3.log" | grep -c '/blobs/' || true)"
grep -E '"(GET|HEAD|PUT|DELETE) /v2/' "$out/access-v3.log" | tail -n $((after - before)) | sed -E 's/.*"((GET|HEAD|PUT|DELETE) [^ ]+).*/  \1/'
before=$(requests "$out/access-v3.log")
bin/image-tagger promote big 1 --env staging --no-record --registry "127.0.0.1:$port" -o json >/dev/null
echo "with --no-record: $(( $(requests "$out/access-v3.log") - before )) requests"
stop_registry
rm -rf "$out/store-big"
