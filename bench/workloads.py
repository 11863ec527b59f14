#!/usr/bin/env python3
"""bench/workloads.py — the table of a workload bench (bench_workloads in
common.sh): the median of each workload's runs for host node, ours, and
where they ran the same engine (Debian's node 18 on our libnode108) and a
BEFORE build; prints them with ours/node and records that ratio.

  workloads.py RESULTS_DIR RUNS TITLE UNIT DECIMALS GOAL
      GOAL: the ratio to stay at or below, or "-" for none
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summary import record  # noqa: E402


def load(d, who):
    path = os.path.join(d, who)
    if not os.path.exists(path):
        return None
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            for k, v in json.loads(line).items():
                out.setdefault(k, []).append(v)
    return {k: statistics.median(v) for k, v in out.items()}


def main(argv):
    if len(argv) != 7:
        sys.exit("usage: workloads.py RESULTS_DIR RUNS TITLE UNIT DECIMALS GOAL")
    d, runs, title, unit, decimals, goal = argv[1], int(argv[2]), argv[3], argv[4], int(argv[5]), argv[6]
    node, ours, before, same = (load(d, w) for w in ("node", "ours", "before", "same"))
    if not node or not ours:
        sys.exit(f"workloads.py: no results in {d}")
    v = f"9.{decimals}f"
    print(f"{title}, --profile strict, median of {runs} runs ({unit})")
    head = f"{'workload':34} {'node':>9} {'ours':>9} {'ratio':>6}"
    print(head + (f" {'same':>9} {'ours/same':>9}" if same else "")
          + (f" {'before':>9} {'ours/before':>11}" if before else ""))
    for k in node:
        n, o = node[k], ours[k]
        line = f"{k:34} {n:{v}} {o:{v}} {o / n:6.2f}"
        vs = None
        if same:
            vs = o / same[k]
            line += f" {same[k]:{v}} {vs:9.2f}"
        if before:
            line += f" {before[k]:{v}} {o / before[k]:11.3f}"
        print(line)
        record(os.environ["SE_BENCH_NAME"], k, o / n, goal, "lower", vs)


if __name__ == "__main__":
    main(sys.argv)
