#!/usr/bin/env bash
# Measures ec2-inventory against the issue's targets on this machine:
# 5,000 instances over 3 regions from the fake EC2 endpoint (loopback only),
# ~10 keyed groups. Prints figures; docs/benchmarks.md records them.
#   bash bench/ec2-inventory.sh        (make bench runs it after make build)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
command -v hyperfine >/dev/null || { echo "missing: hyperfine (apt-get install -y hyperfine)"; exit 1; }
command -v ansible >/dev/null || { echo "missing: ansible (apt-get install -y ansible)"; exit 1; }
[ -x bin/ec2-inventory ] || make build >/dev/null

go build -o "$out/fake-ec2" ./internal/ec2fake/cmd/fake-ec2
"$out/fake-ec2" -n 5000 -regions us-east-1,eu-west-1,ap-southeast-2 >"$out/fake.url" 2>"$out/fake.log" &
fake=$!
trap 'kill $fake 2>/dev/null' EXIT
for _ in $(seq 50); do [ -s "$out/fake.url" ] && break; sleep 0.1; done

export AWS_ENDPOINT_URL=$(cat "$out/fake.url") AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=x AWS_REGION=us-east-1 \
  AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
cp internal/inventory/testdata/bench/ec2-inventory.yml "$out/ec2-inventory.yml" # the Go benchmark reads it too
sed 's/^regions:.*/&\ncache: true\ncache_connection: cache/' "$out/ec2-inventory.yml" >"$out/cached.yml"
export EC2_INVENTORY_CONFIG=$PWD/$out/ec2-inventory.yml

echo "== --list, 5,000 instances, uncached: CPU and peak RSS (5 runs)"
for i in 1 2 3 4 5; do
  /usr/bin/time -f "%U %S %M %e" -o "$out/time.$i" bin/ec2-inventory --list >"$out/list.json"
  read -r u s m e <"$out/time.$i"
  echo "run $i: user ${u}s sys ${s}s cpu $(echo "$u + $s" | bc)s peak-rss $((m / 1024))MB wall ${e}s"
done
echo "hosts: $(python3 -c "import json;print(len(json.load(open('$out/list.json'))['_meta']['hostvars']))"), groups: $(python3 -c "import json;print(len(json.load(open('$out/list.json')))-1)"), bytes: $(wc -c <"$out/list.json")"

echo "== --list served from the cache"
bin/ec2-inventory --list -c "$out/cached.yml" >/dev/null
hyperfine -N --warmup 3 --runs 30 "bin/ec2-inventory --list -c $out/cached.yml" 2>&1 | grep -E 'Time|Range'

echo "== --help against a hello-world Go binary"
mkdir -p "$out/hello" && printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' >"$out/hello/main.go"
(cd "$out/hello" && [ -f go.mod ] || go mod init hello >/dev/null 2>&1; go build -trimpath -ldflags '-s -w' -o ../hello-bin .)
. bench/lib/ratio.sh
ratio "$out/hello-bin" "bin/ec2-inventory --help" 3

echo "== Ansible ingesting it: ec2-inventory vs a script that only prints the same JSON"
printf '#!/bin/sh\ncat %s\n' "$PWD/$out/list.json" >"$out/print-inventory"; chmod +x "$out/print-inventory"
export ANSIBLE_INVENTORY_UNPARSED_FAILED=true
python3 bench/lib/interleave.py "${PASSES:-30}" \
  "ansible -i $out/print-inventory all --list-hosts" \
  "ansible -i bin/ec2-inventory all --list-hosts" \
  "env EC2_INVENTORY_CONFIG=$PWD/$out/cached.yml ansible -i bin/ec2-inventory all --list-hosts"
echo "(base: the printing script; cmd1: ec2-inventory uncached; cmd2: the same with cache: true, from a warm cache)"
