"""The Reports screen's charts, drawn with pyqtgraph: where people would rather look than read.

- :class:`ConsumptionChart`: a year of monthly consumption of one item, bars by month, with the
  adjusted AMC as a line (a stock-out month shows as a dip the AMC does not follow).
- :class:`MonthsOfStockChart`: months of stock across items: how many items have none (stocked
  out), 0, 1, 2 ... 12 or more months of stock, each bar coloured by the status those months
  mean with the in-charge's minimum and maximum (below minimum, adequate, over maximum). The
  table beside it names the items.

Why pyqtgraph (``benchmarks/chart_bench.py``): it draws with Qt's own painter, so the bundled
Noto fonts, Hindi shaping and printing are Qt's, as everywhere else on screen; it loads in
about half the time of matplotlib's Qt backend, with some 20 MB less memory and a third less
to install. It brings numpy. This module is imported only when the Reports screen is opened
(``tests/ui/test_startup.py`` and ``tests/ui/test_reports_screen.py`` check that the window's start
does not load it).

Both charts take their figures from a built consumption report (the same rows the table and
the files show) and their words from ``ihms_desk.exports.labels`` in the screen's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyqtgraph
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ihms_desk.exports import labels
from ihms_desk.store.reports import Report, Table

#: Bar colours by status: the table's cell colours, a shade stronger so a bar stands out.
STATUS_BAR = {
    "stocked_out": "#c62828",
    "below_minimum": "#ef8f00",
    "adequate": "#2e7d32",
    "over_maximum": "#1565c0",
    "no_consumption": "#9e9e9e",
}
#: The order statuses are drawn in, most urgent first.
STATUS_ORDER = ("stocked_out", "below_minimum", "adequate", "over_maximum")
BAR = "#0b5d7a"
#: Items with this many months of stock or more share the last bar.
MONTHS_SHOWN = 12
#: Chart text: big enough to read on a 1366x768 screen from the counter's chair.
FONT_POINTS = 10

pyqtgraph.setConfigOptions(antialias=True, foreground="#222222", background="w")


def _font() -> QFont:
    font = QFont()
    font.setPointSize(FONT_POINTS)
    return font


def _settle(plot: Any, name: str) -> None:
    """A chart to look at, not to work: no plotting menu, no zoom or pan, no focus (the table
    beside it has the same figures for the keyboard), the screen's font, a light grid."""
    plot.setObjectName(name)
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    for side in ("left", "bottom"):
        plot.getAxis(side).setStyle(tickFont=_font())
    plot.showGrid(y=True, alpha=0.25)


@dataclass(frozen=True)
class MonthlyFigures:
    """One item's consumption by month (``YYYY-MM``, units), and its adjusted AMC."""

    code: str
    name: str
    unit: str
    months: tuple[tuple[str, int], ...]
    amc: Decimal | None


def monthly_figures(report: Report, code: str) -> MonthlyFigures | None:
    """Item ``code``'s monthly consumption from a consumption report; ``None`` if it is not there."""
    table = report.table("consumption")
    index = table.column("item_code")
    for row in table.rows:
        if row.values[index] == code:
            values = row.values
            months = tuple((column.param or "", int(values[number] or 0)) for number, column in enumerate(table.columns)
                           if column.key == "consumption_month")
            return MonthlyFigures(code, str(values[table.column("item_name")]), str(values[table.column("unit")]),
                                  months, values[table.column("amc_adjusted")])
    return None


@dataclass(frozen=True)
class Bucket:
    """One bar of the months-of-stock chart: items with this many whole months of stock."""

    label: str
    status: str
    count: int


def stock_buckets(table: Table, minimum: int, maximum: int, stocked_out: str) -> list[Bucket]:
    """Items with consumption counted by whole months of stock: stocked out, 0, 1, ... up to
    :data:`MONTHS_SHOWN` and more; each bar's status follows from its months (as the report's
    own status does), so the colours agree with the table's."""
    months, status = table.column("months_of_stock"), table.column("status")
    counts = {"stocked_out": 0, **{str(number): 0 for number in range(MONTHS_SHOWN + 1)}}
    for row in table.rows:
        verdict = row.values[status]
        if verdict == "stocked_out":
            counts["stocked_out"] += 1
        elif verdict in STATUS_ORDER:
            counts[str(min(int(row.values[months] or 0), MONTHS_SHOWN))] += 1
    buckets = [Bucket(stocked_out, "stocked_out", counts["stocked_out"])]
    for number in range(MONTHS_SHOWN + 1):
        verdict = "below_minimum" if number < minimum else "over_maximum" if number > maximum else "adequate"
        buckets.append(Bucket(f"{number}+" if number == MONTHS_SHOWN else str(number), verdict, counts[str(number)]))
    return buckets


class _Chart(QWidget):
    """A pyqtgraph plot in a plain widget (pyqtgraph has no type information to subclass)."""

    def __init__(self, parent: QWidget | None, name: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.plot = pyqtgraph.PlotWidget(self)
        _settle(self.plot, f"{name}_plot")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)


class ConsumptionChart(_Chart):
    """A year of one item's monthly consumption, with its adjusted AMC as a line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, "consumption_chart")
        self.figures: MonthlyFigures | None = None

    def show_figures(self, figures: MonthlyFigures | None, lang: str, *, title: str = "", amc_text: str = "") -> None:
        """Draw ``figures`` (nothing but the title when ``None``)."""
        self.figures = figures
        self.plot.clear()
        self.plot.setTitle(title, size=f"{FONT_POINTS + 1}pt")
        if figures is None or not figures.months:
            return
        heights = [qty for _month, qty in figures.months]
        self.plot.addItem(pyqtgraph.BarGraphItem(x=list(range(len(heights))), height=heights, width=0.7, brush=BAR, pen=None))
        ticks = [(number, labels.month_text(month)) for number, (month, _qty) in enumerate(figures.months)]
        self.plot.getAxis("bottom").setTicks([ticks])
        if figures.amc is not None and figures.amc > 0:
            line = pyqtgraph.InfiniteLine(pos=float(figures.amc), angle=0, pen=pyqtgraph.mkPen("#c62828", width=2,
                                          style=Qt.PenStyle.DashLine), label=amc_text,
                                          labelOpts={"position": 0.05, "color": "#c62828", "anchors": [(0, 1), (0, 1)]})
            self.plot.addItem(line)
        self.plot.setXRange(-0.6, len(heights) - 0.4, padding=0)
        top = max([*heights, float(figures.amc or 0)]) or 1
        self.plot.setYRange(0, top * 1.12, padding=0)


class MonthsOfStockChart(_Chart):
    """How many items have 0, 1, 2 ... months of stock, a bar each, coloured by status."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, "months_chart")
        self.buckets: list[Bucket] = []

    def show_table(self, table: Table | None, minimum: int, maximum: int, *, title: str = "",
                   stocked_out: str = "", axis: tuple[str, str] = ("", "")) -> None:
        """Draw the consumption table's items by months of stock (``axis``: the words under
        the bars and beside the counts)."""
        self.plot.clear()
        self.plot.setTitle(title, size=f"{FONT_POINTS + 1}pt")
        self.buckets = stock_buckets(table, minimum, maximum, stocked_out) if table is not None else []
        if not self.buckets:
            return
        for status in STATUS_ORDER:
            bars = [(number, bucket.count) for number, bucket in enumerate(self.buckets) if bucket.status == status]
            if bars:
                self.plot.addItem(pyqtgraph.BarGraphItem(x=[x for x, _n in bars], height=[n for _x, n in bars], width=0.75,
                                                    brush=STATUS_BAR[status], pen=None))
        top = max(bucket.count for bucket in self.buckets) or 1
        for number, bucket in enumerate(self.buckets):
            if bucket.count:
                # The count over its bar: the figure people read off the chart.
                label = pyqtgraph.TextItem(str(bucket.count), color="#222222", anchor=(0.5, 1.0))
                label.setFont(_font())
                label.setPos(number, bucket.count + top * 0.01)
                self.plot.addItem(label)
        self.plot.getAxis("bottom").setTicks([[(number, bucket.label) for number, bucket in enumerate(self.buckets)]])
        self.plot.setLabel("bottom", axis[0])
        self.plot.setLabel("left", axis[1])
        self.plot.setXRange(-0.6, len(self.buckets) - 0.4, padding=0)
        self.plot.setYRange(0, top * 1.12, padding=0)
