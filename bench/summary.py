#!/usr/bin/env python3
"""bench/summary.py — the figures `make bench` measured, kept and drawn.

Every bench script records each of its ratios (ours against host node, or
against the figure it is compared with) as one JSON line in
build/bench/summary.jsonl (or $SE_BENCH_SUMMARY):

    {"bench": "http", "figure": "hello req/s", "ratio": 0.71,
     "goal": 1.0, "better": "higher", "same": 1.31}

`same` is ours against Debian's node 18 on our own libnode108 (the same
V8 10.2: bench/same-engine-node), where the script measures it.

  summary.py record BENCH FIGURE RATIO GOAL BETTER [SAME]
      appends one line (GOAL may be "-": no goal; BETTER: higher|lower)
  summary.py draw JSONL OUT.json OUT.png
      writes the summary (the last line of each figure wins), prints how
      many goals are met, and draws the chart with gnuplot: one bar per
      figure, its ratio divided by its goal and turned so that a bar
      reaching 1 meets the goal; the same-engine figure as a point.

Python scripts of the benches import record() from here (SE_BENCH_DIR).
"""
import datetime
import json
import math
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_JSONL = os.path.join(HERE, "..", "build", "bench", "summary.jsonl")


def _number(value, what):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{what} must be a positive number, not {value!r}")
    return v


def record(bench, figure, ratio, goal=None, better="lower", same=None, path=None):
    """Appends one figure to the summary lines."""
    if better not in ("higher", "lower"):
        raise ValueError(f"better must be 'higher' or 'lower', not {better!r}")
    line = {
        "bench": str(bench),
        "figure": str(figure),
        "ratio": round(_number(ratio, "ratio"), 4),
        "goal": None if goal in (None, "-", "") else _number(goal, "goal"),
        "better": better,
        "same": None if same in (None, "-", "") else round(_number(same, "same"), 4),
    }
    path = path or os.environ.get("SE_BENCH_SUMMARY") or DEFAULT_JSONL
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")


def score(value, goal, better):
    """A ratio against its goal, >= 1 when the goal is met."""
    return value / goal if better == "higher" else goal / value


def load(path):
    figures = {}
    with open(path, encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
                key = (line["bench"], line["figure"])
                _number(line["ratio"], "ratio")
            except (ValueError, KeyError, TypeError) as e:
                raise SystemExit(f"summary: {path}:{n}: not a figure line ({e})")
            figures.pop(key, None)  # a figure measured again moves to the end
            figures[key] = line
    return list(figures.values())


def draw(jsonl, out_json, out_png):
    if not os.path.exists(jsonl):
        raise SystemExit(f"summary: {jsonl}: no figures recorded (run make bench)")
    figures = load(jsonl)
    met = 0
    with_goal = 0
    for fig in figures:
        if fig["goal"] is not None:
            with_goal += 1
            fig["met"] = score(fig["ratio"], fig["goal"], fig["better"]) >= 1
            met += fig["met"]
    doc = {
        "generated": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "ratios": "ours / host node in the same run, unless the figure names another base",
        "same": "ours / Debian's node 18 on our libnode108 (the same V8 10.2), where measured",
        "figures": figures,
    }
    with open(out_json, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"bench summary: {len(figures)} figures, {met} of {with_goal} goals met -> {out_json}")
    for fig in figures:
        if fig["goal"] is None:
            continue
        sign = ">=" if fig["better"] == "higher" else "<="
        same = f"   same engine {fig['same']:.2f}" if fig["same"] is not None else ""
        print(f"  {'met ' if fig['met'] else 'MISS'} {fig['bench'] + ': ' + fig['figure']:<52}"
              f" {fig['ratio']:6.2f} (goal {sign} {fig['goal']:.4g}){same}")
    plotted = [f for f in figures if f["goal"] is not None]
    if not plotted:
        return
    if not shutil.which("gnuplot"):
        print("bench summary: no chart (gnuplot is not installed: make deps installs it)")
        return
    data = out_png + ".dat"
    with open(data, "w", encoding="utf-8") as f:
        for i, fig in enumerate(plotted):
            s = score(fig["ratio"], fig["goal"], fig["better"])
            same = fig["same"]
            same_s = score(fig["ratio"] / same, fig["goal"], fig["better"]) if same else float("nan")
            sign = ">=" if fig["better"] == "higher" else "<="
            label = f"{fig['bench']}: {fig['figure']} {fig['ratio']:.2f} ({sign}{fig['goal']:.4g})"
            color = 0x2e8b57 if s >= 1 else 0xc0392b
            f.write(f'{i} "{label.replace(chr(34), chr(39))}" {s:.4f} {color} {same_s:.4f}\n')
    width = max(900, 60 * len(plotted) + 200)
    script = f"""
set terminal pngcairo size {width},760 font "sans,9"
set output "{out_png}"
set title "make bench: each ratio against its goal (1 = the goal; above meets it)\\n\
bars: ours vs host node   points: Debian node 18 on the same V8 10.2, against the same goal"
set style fill solid 0.85 noborder
set boxwidth 0.7
set xtics rotate by -50 left nomirror
set ytics nomirror
set grid ytics
set yrange [0:*]
set xrange [-0.7:{len(plotted) - 0.3}]
set bmargin 22
set rmargin 24
set key top right
plot "{data}" using 1:3:4:xtic(2) with boxes lc rgb variable notitle, \\
     1 with lines lc rgb "black" dt 2 lw 1.5 title "goal", \\
     "{data}" using 1:5 with points pt 7 ps 1.2 lc rgb "#1f4e99" title "same engine (node 18)"
"""
    run = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    os.unlink(data)
    if run.returncode != 0:
        raise SystemExit(f"summary: gnuplot failed: {run.stderr.strip()[:500]}")
    print(f"bench summary: chart -> {out_png}")


def main(argv):
    if len(argv) >= 6 and argv[0] == "record":
        try:
            record(argv[1], argv[2], argv[3], argv[4], argv[5], argv[6] if len(argv) > 6 else None)
        except ValueError as e:
            raise SystemExit(f"summary: {e}")
        return
    if len(argv) == 4 and argv[0] == "draw":
        draw(argv[1], argv[2], argv[3])
        return
    raise SystemExit("usage: summary.py record BENCH FIGURE RATIO GOAL BETTER [SAME]\n"
                     "       summary.py draw JSONL OUT.json OUT.png")


if __name__ == "__main__":
    main(sys.argv[1:])
