#!/usr/bin/env bash
# Start-up of every binary: `--help` against a hello-world Go binary built
# here, in ROUNDS rounds (default 3) of hyperfine (300 runs each, base and
# binary back to back, so a slow period shows as a spread, not a number).
# Targets: env-config-resolver (every container start) <= 2x, the others
# <= 4x. Also env-config-resolver's package init and binary sizes.
#   bash bench/startup.sh          (needs hyperfine: apt-get install -y hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/startup; rm -rf "$out"; mkdir -p "$out/hello"
command -v hyperfine >/dev/null || { echo "missing: hyperfine (apt-get install -y hyperfine)"; exit 1; }
make build >/dev/null
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' >"$out/hello/main.go"
(cd "$out/hello" && printf 'module hello\n\ngo 1.21\n' >go.mod && go build -trimpath -ldflags '-s -w' -o ../hello-bin .)
. bench/lib/ratio.sh
rounds=${ROUNDS:-3}
for b in env-config-resolver ec2-inventory image-tagger registry-pruner keep-n-retention health-dashboard dockwright-plugin-host; do
  target="<= 4x"
  [ "$b" = env-config-resolver ] && target="<= 2x"
  [ "$b" = dockwright-plugin-host ] && target="none: it runs only when plugins are configured"
  echo "== $b --help against hello-world (target: $target; binary $(stat -c %s bin/$b) bytes)"
  ratio "$out/hello-bin" "bin/$b --help" "$rounds"
done
echo "== env-config-resolver package init (GODEBUG=inittrace=1), ms"
GODEBUG=inittrace=1 bin/env-config-resolver --help 2>&1 >/dev/null | awk '{s+=$5} END {print "all:", s}'
