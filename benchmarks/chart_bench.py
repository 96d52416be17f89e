"""What a chart library adds to the program: import time, the first chart drawn, memory and disk.

    python benchmarks/chart_bench.py [--runs 5]

Each candidate runs in a fresh child process (a warm import in the same process would cost
nothing): a Qt application and a window are made first (the baseline, measured in the same
child), then the library is imported and a year of monthly consumption is drawn as a bar chart
and grabbed to an image, as the Reports screen does. Printed per candidate, the median of
``--runs`` runs: seconds to import, seconds to the first chart, the resident memory it added,
and the size of what it installs (the library and the packages only it pulls in).

Candidates: ``pyqtgraph`` (with numpy; the program's choice) and ``matplotlib`` (its Qt backend,
``backend_qtagg``; not a dependency: ``pip install matplotlib`` to compare).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

def rss_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow(); window.resize(900, 400); window.show(); app.processEvents()
base = rss_kb()
months = ["04/26", "05/26", "06/26", "07/26", "08/26", "09/26", "10/26", "11/26", "12/26", "01/27", "02/27", "03/27"]
values = [820, 760, 900, 1100, 1240, 980, 0, 450, 870, 930, 1010, 990]
which = sys.argv[1]
started = time.perf_counter()
if which == "pyqtgraph":
    import pyqtgraph
    imported = time.perf_counter()
    plot = pyqtgraph.PlotWidget(background="w")
    plot.addItem(pyqtgraph.BarGraphItem(x=list(range(12)), height=values, width=0.7, brush="#0b5d7a"))
    plot.getAxis("bottom").setTicks([list(enumerate(months))])
    window.setCentralWidget(plot)
elif which == "matplotlib":
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure
    imported = time.perf_counter()
    figure = Figure(figsize=(9, 4))
    axes = figure.add_subplot()
    axes.bar(range(12), values, color="#0b5d7a")
    axes.set_xticks(range(12), months)
    canvas = FigureCanvasQTAgg(figure)
    window.setCentralWidget(canvas)
else:
    imported = time.perf_counter()
app.processEvents()
window.grab()  # drawn, as the screen shows it
drawn = time.perf_counter()
print(json.dumps({"import": imported - started, "first_chart": drawn - started, "rss_mb": (rss_kb() - base) / 1024}))
"""

#: What each candidate installs that the program does not have already (fpdf2 brings Pillow
#: and fontTools, sqlite-utils python-dateutil).
PACKAGES = {
    "pyqtgraph": ("pyqtgraph", "numpy", "colorama"),
    "matplotlib": ("matplotlib", "numpy", "contourpy", "cycler", "kiwisolver", "pyparsing"),
}


def installed_mb(names: tuple[str, ...]) -> float:
    """Disk taken by these distributions' files (what a frozen build would carry, roughly)."""
    total = 0
    for name in names:
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for file in files:
            path = Path(str(file.locate()))
            if path.is_file():
                total += path.stat().st_size
    return total / 1e6


def run(which: str) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MPLBACKEND": "QtAgg"}
    result = subprocess.run([sys.executable, "-c", CHILD, which], capture_output=True, text=True, env=env, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"{which} failed:\n{result.stderr}")
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"median of {args.runs} runs, each in a fresh process (Qt already up: the baseline)")
    baseline: dict[str, float] | None = None
    seen: dict[str, dict[str, float]] = {}
    for which in ("none", "pyqtgraph", "matplotlib"):
        if which != "none" and importlib.util.find_spec(which) is None:
            print(f"  {which:<10} not installed (pip install {which} to compare)")
            continue
        runs = [run(which) for _ in range(args.runs)]
        figures = {key: statistics.median(run_[key] for run_ in runs) for key in runs[0]}
        if baseline is None:
            baseline = figures
            print(f"  baseline (a Qt window, no chart): first paint {figures['first_chart'] * 1000:.0f} ms, "
                  f"+{figures['rss_mb']:.1f} MB")
            continue
        disk = installed_mb(PACKAGES[which])
        print(f"  {which:<10} import {figures['import'] * 1000:5.0f} ms   first chart {figures['first_chart'] * 1000:5.0f} ms   "
              f"memory +{figures['rss_mb']:5.1f} MB   installed {disk:5.1f} MB")
        seen[which] = {**figures, "disk": disk}
    if len(seen) < 2:
        return 0
    ratio = {key: seen["matplotlib"][key] / seen["pyqtgraph"][key] for key in ("first_chart", "rss_mb", "disk")}
    print(f"  matplotlib / pyqtgraph: first chart {ratio['first_chart']:.1f}x, memory {ratio['rss_mb']:.1f}x, "
          f"installed {ratio['disk']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
