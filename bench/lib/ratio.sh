# ratio BASE CMD [ROUNDS]: ROUNDS (default 5) hyperfine rounds of BASE and
# CMD back to back, each 300 runs; prints both means and CMD/BASE per
# round, so a noisy period shows up as a spread instead of one number.
ratio() {
  local base=$1 cmd=$2 rounds=${3:-5} json
  json=$(mktemp)
  for r in $(seq "$rounds"); do
    hyperfine -N -w 30 -r 300 --export-json "$json" "$base" "$cmd" >/dev/null 2>&1
    python3 - "$json" "$r" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
b, c = res[0]["mean"] * 1000, res[1]["mean"] * 1000
print(f"round {sys.argv[2]}: {b:.2f} ms vs {c:.2f} ms = {c / b:.2f}x")
PY
  done
  rm -f "$json"
}

