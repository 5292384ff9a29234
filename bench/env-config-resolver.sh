#!/usr/bin/env bash
# Measures env-config-resolver's startup targets: what `exec` adds to a
# container's start (resolve a ~500-key bundle + start the app, no remote
# secrets) and `--help` against a hello-world Go binary.
#   bash bench/env-config-resolver.sh      (needs hyperfine)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/envconfig; rm -rf "$out"; mkdir -p "$out/bundle" "$out/hello"
command -v hyperfine >/dev/null || { echo "missing: hyperfine (apt-get install -y hyperfine)"; exit 1; }
make build >/dev/null
python3 - "$out/bundle" <<'PY'
import random, sys
random.seed(1)
d = sys.argv[1]
lines = []
for s in range(25):
    lines.append(f"svc{s:02d}:")
    for k in range(20):
        lines.append(f"  key{k:02d}: " + random.choice([str(random.randint(1, 9999)), "true", f"value-{s}-{k}", "3.5"]))
open(f"{d}/default.yml", "w").write("\n".join(lines) + "\n")
open(f"{d}/prod.yml", "w").write("svc00:\n  key00: prod\nsvc01:\n  key01: 7\n")
PY
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' >"$out/hello/main.go"
(cd "$out/hello" && printf 'module hello\n\ngo 1.21\n' >go.mod && go build -o ../hello-bin .)
. bench/lib/ratio.sh
echo "== exec: 500 keys, then /bin/true (what exec adds = the difference)"
ratio /bin/true "bin/env-config-resolver exec --dir $out/bundle --env prod -- /bin/true" 3
echo "== --help against hello-world (target: <= 2x)"
ratio "$out/hello-bin" 'bin/env-config-resolver --help' 5
echo "== package init (GODEBUG=inittrace=1), ms"
GODEBUG=inittrace=1 bin/env-config-resolver --help 2>&1 >/dev/null | awk '{s+=$5} END {print "all:", s}'
ls -la bin/env-config-resolver | awk '{print "binary bytes:", $5}'
