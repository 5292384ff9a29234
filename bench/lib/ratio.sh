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

# ratios ROUNDS RUNS BASE CMD...: like ratio, for slower commands: ROUNDS
# hyperfine rounds of RUNS runs each of BASE and every CMD, interleaved
# round by round; prints each median run time and its ratio to BASE's, per
# round (medians: this shared VM has spikes), then the median ratio of each
# CMD over the rounds.
ratios() {
  local rounds=$1 runs=$2 json
  shift 2
  json=$(mktemp -d)
  for r in $(seq "$rounds"); do
    hyperfine -N -w 1 -r "$runs" --export-json "$json/$r.json" "$@" >/dev/null 2>&1
  done
  python3 - "$json" "$rounds" "$@" <<'PY'
import json, statistics, sys
d, rounds, cmds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
per = [[] for _ in cmds]
for r in range(1, rounds + 1):
    res = json.load(open(f"{d}/{r}.json"))["results"]
    base = res[0]["median"]
    line = [f"round {r}: base {base:.3f} s"]
    for i, c in enumerate(res[1:], 1):
        per[i].append(c["median"] / base)
        line.append(f"cmd{i} {c['median']:.3f} s = {c['median'] / base:.2f}x")
    print(", ".join(line))
for i, c in enumerate(cmds[1:], 1):
    print(f"median over {rounds} rounds: {statistics.median(per[i]):.2f}x  cmd{i}: {c}")
PY
  rm -rf "$json"
}
