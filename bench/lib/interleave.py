#!/usr/bin/env python3
"""interleave.py N CMD0 CMD1 ...: runs the commands in turn N times
(CMD0, CMD1, ..., CMD0, CMD1, ...), after one warm-up pass, and prints for
each its median wall time and the median of its per-pass ratio to CMD0.

Pairing each run with the CMD0 run next to it cancels the slow drift of a
shared VM (the same command has measured 1.4 s and 2.2 s within minutes
here), which hyperfine's all-runs-of-one-then-the-next cannot."""
import shlex
import statistics
import subprocess
import sys
import time

n, cmds = int(sys.argv[1]), sys.argv[2:]


def run(cmd):
    t = time.perf_counter()
    subprocess.run(shlex.split(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


for c in cmds:
    run(c)
times = [[] for _ in cmds]
for _ in range(n):
    for i, c in enumerate(cmds):
        times[i].append(run(c))
print(f"{n} interleaved passes:")
for i, c in enumerate(cmds):
    med = statistics.median(times[i])
    if i == 0:
        print(f"  base  median {med:.3f} s  {c}")
        continue
    ratios = sorted(t / b for t, b in zip(times[i], times[0]))
    q1, q3 = ratios[len(ratios) // 4], ratios[(3 * len(ratios)) // 4]
    print(f"  cmd{i}  median {med:.3f} s  ratio to base: median {statistics.median(ratios):.2f}x (middle half {q1:.2f}-{q3:.2f}x)  {c}")
