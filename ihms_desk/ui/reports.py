"""Reports (F1): the registers and reports of ``ihms_desk.store.reports`` on screen, charted,
printed and saved as CSV, XLSX or PDF.

On the left, what to build: the report, the period (today, this month, the last complete
month, the last 3 or 12 complete months, this financial year, or any dates), a category and an
item (the item picker every screen uses). On the right, the built report: one tab per table,
and for consumption and months of stock two charts. Everything by keyboard::

    Tab / Shift+Tab   through the choices        Ctrl+Enter  build        Esc  stop building
    Ctrl+E            save as CSV, XLSX or PDF   Ctrl+P      print, with a preview
    Ctrl+Tab (Ctrl+PgDn)  the next table or chart (Ctrl+Shift+Tab, Ctrl+PgUp: the one before)
    arrows, PgUp/PgDn     through the rows

A report is built in a thread of its own (``ui/report_runner.py``) with its own connection;
the window stays live, a busy bar runs, and Esc stops it (``build_report``'s ``should_stop``
interrupts SQLite itself). The chart module (pyqtgraph) is loaded the first time a chart is
drawn, never at the program's start.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QDate, QModelIndex, QStandardPaths, Qt, QTimer, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QDateEdit, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSplitter,
    QTableView, QTabWidget, QVBoxLayout, QWidget,
)

from ihms_desk.exports import labels
from ihms_desk.store import Store
from ihms_desk.store.errors import StoreError
from ihms_desk.store.model import CATEGORIES, ItemHit
from ihms_desk.store.reports import REPORT_NAMES, Report, stock_levels
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui import i18n, report_print
from ihms_desk.ui.forms import FieldErrors, choice_field, error_label, note_label, rows_table
from ihms_desk.ui.item_picker import ItemPicker
from ihms_desk.ui.report_model import ReportTableModel
from ihms_desk.ui.report_runner import ReportRunner
from ihms_desk.ui.screen import Screen
from ihms_desk.ui.stock_model import category_label

if TYPE_CHECKING:
    from PySide6.QtPrintSupport import QPrinter

    from ihms_desk.ui.report_charts import ConsumptionChart, MonthsOfStockChart
    from ihms_desk.ui.report_print import ReportPaper

#: The period choices, in the order offered.
PERIODS = ("today", "this_month", "last_month", "last_3_months", "last_12_months", "financial_year", "dates")
#: The period a report opens with: the register of the day, stock at the end of this month,
#: and otherwise the last complete month (what goes to the district each month).
DEFAULT_PERIOD = {"dispensing-register": "today", "expiry": "this_month"}
#: Export choices: the file dialog's filters and the formats they mean.
EXPORT_FORMATS = ("pdf", "xlsx", "csv")


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(choice: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last day of a period choice; ``None`` for "dates" (typed by hand)."""
    this_month = today.replace(day=1)
    last_complete = this_month - dt.timedelta(days=1)
    if choice == "today":
        return today, today
    if choice == "this_month":
        return this_month, today
    if choice == "last_month":
        return _month_start(today, 1), last_complete
    if choice == "last_3_months":
        return _month_start(today, 3), last_complete
    if choice == "last_12_months":
        return _month_start(today, 12), last_complete
    if choice == "financial_year":
        # 1 April to 31 March (document numbers and registers restart each year).
        year = today.year if today.month >= 4 else today.year - 1
        return dt.date(year, 4, 1), today
    return None


def choose_export_path(parent: QWidget | None, suggested: Path) -> Path | None:
    """Where to save the report (the file's ending says the format), or ``None`` if the
    person cancelled. Tests replace this function."""
    translate = QCoreApplication.translate
    filters = {
        "pdf": translate("ReportsScreen", "PDF, to print or send (*.pdf)"),
        "xlsx": translate("ReportsScreen", "Excel workbook (*.xlsx)"),
        "csv": translate("ReportsScreen", "CSV, for any spreadsheet (*.csv)"),
    }
    title = translate("ReportsScreen", "Save the report as")
    chosen, selected = QFileDialog.getSaveFileName(parent, title, str(suggested), ";;".join(filters.values()))
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lstrip(".").lower() not in EXPORT_FORMATS:
        fmt_ = next((key for key, text in filters.items() if text == selected), "pdf")
        path = path.with_name(f"{path.name}.{fmt_}")
    return path


class ReportsScreen(Screen):
    """Build a report, read it as tables and charts, print it or save it as a file."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self.lang = i18n.current_language()
        self.report: Report | None = None
        self.models: list[ReportTableModel] = []
        self.views: list[QTableView] = []
        self._item: ItemHit | None = None
        self._started = 0.0
        self._what = ""
        self._setting_period = False
        self._printer: QPrinter | None = None
        self._paper: ReportPaper | None = None
        self.months_chart: MonthsOfStockChart | None = None
        self.consumption_chart: ConsumptionChart | None = None
        #: The item the consumption chart shows (its code), once drawn.
        self.charted_code: str | None = None

        self.runner = ReportRunner(store, self)
        self.runner.built.connect(self.show_report)
        self.runner.written.connect(self._on_written)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self.runner.running_changed.connect(self._on_running)
        self.destroyed.connect(self.runner.shutdown)

        # -- what to build ----------------------------------------------------------------------
        self.report_combo = choice_field(self, "report_name", [
            (labels.text(f"report.{name}", self.lang), name) for name in REPORT_NAMES])
        self.about_label = note_label(self, "report_about")
        self.about_label.setStyleSheet("color: #555555;")
        self.period_combo = choice_field(self, "period", [
            (self.tr("Today"), "today"), (self.tr("This month so far"), "this_month"),
            (self.tr("Last complete month"), "last_month"), (self.tr("Last 3 complete months"), "last_3_months"),
            (self.tr("Last 12 complete months"), "last_12_months"),
            (self.tr("This financial year so far"), "financial_year"), (self.tr("Dates typed below"), "dates")])
        self.start_edit = self._date_edit("start")
        self.end_edit = self._date_edit("end")
        self.category_combo = choice_field(self, "category", [
            (self.tr("All categories"), None), *((category_label(category), category) for category in CATEGORIES)])
        self.picker = ItemPicker(store, self, visible_rows=4)
        self.picker.line_edit.setPlaceholderText(self.tr("All items, or type to choose one"))
        self.item_label = note_label(self, "report_item")
        self.clear_item_button = QPushButton(self.tr("All items"), self)
        self.clear_item_button.setObjectName("all_items")
        self.build_button = QPushButton(self.tr("Build (Ctrl+Enter)"), self)
        self.build_button.setObjectName("build")
        self.build_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Stop (Esc)"), self)
        self.cancel_button.setObjectName("cancel")
        self.export_button = QPushButton(self.tr("Save as… (Ctrl+E)"), self)
        self.export_button.setObjectName("export")
        self.print_button = QPushButton(self.tr("Print… (Ctrl+P)"), self)
        self.print_button.setObjectName("print")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("report_progress")
        self.progress.setRange(0, 0)  # busy: how far a query has got is not known
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.progress.hide()
        self.status_label = note_label(self, "report_status")
        self.errors = FieldErrors(error_label(self, "report"))

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Report"), self.errors.wrap("name", self.report_combo))
        form.addRow("", self.about_label)
        form.addRow(self.tr("Period"), self.period_combo)
        form.addRow(self.tr("From"), self.errors.wrap("start", self.start_edit))
        form.addRow(self.tr("To"), self.errors.wrap("end", self.end_edit))
        form.addRow(self.tr("Category"), self.errors.wrap("category", self.category_combo))
        form.addRow(self.tr("Item"), self.errors.wrap("item", self.picker))
        item_row = QHBoxLayout()
        item_row.addWidget(self.item_label, 1)
        item_row.addWidget(self.clear_item_button)
        form.addRow("", item_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.build_button, 1)
        buttons.addWidget(self.cancel_button)
        files = QHBoxLayout()
        files.addWidget(self.export_button, 1)
        files.addWidget(self.print_button, 1)
        side = QWidget(self)
        side.setObjectName("report_choices")
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 6, 0)
        side_layout.addLayout(form)
        side_layout.addLayout(buttons)
        side_layout.addWidget(self.progress)
        side_layout.addWidget(self.status_label)
        side_layout.addWidget(self.errors.general)
        side_layout.addLayout(files)
        side_layout.addStretch(1)
        side.setMinimumWidth(300)
        side.setMaximumWidth(380)

        # -- the built report -------------------------------------------------------------------
        self.title_label = QLabel(self)
        self.title_label.setObjectName("report_title")
        self.title_label.setStyleSheet("font-size: 12pt; font-weight: bold;")
        self.title_label.setWordWrap(True)
        self.heading_label = note_label(self, "report_heading")
        self.notes_label = note_label(self, "report_notes")
        self.notes_label.setStyleSheet("color: #555555;")
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("report_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(self._on_tab)
        self.empty_label = QLabel(self.tr("Choose a report and a period, then press Ctrl+Enter."), self)
        self.empty_label.setObjectName("report_empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        shown = QWidget(self)
        shown_layout = QVBoxLayout(shown)
        shown_layout.setContentsMargins(6, 0, 0, 0)
        shown_layout.addWidget(self.title_label)
        shown_layout.addWidget(self.heading_label)
        shown_layout.addWidget(self.notes_label)
        shown_layout.addWidget(self.empty_label, 1)
        shown_layout.addWidget(self.tabs, 1)
        self.tabs.hide()

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(side)
        splitter.addWidget(shown)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)

        for first, second in ((self.report_combo, self.period_combo), (self.period_combo, self.start_edit),
                              (self.start_edit, self.end_edit), (self.end_edit, self.category_combo),
                              (self.category_combo, self.picker.line_edit), (self.picker.line_edit, self.clear_item_button),
                              (self.clear_item_button, self.build_button), (self.build_button, self.cancel_button),
                              (self.cancel_button, self.export_button), (self.export_button, self.print_button),
                              (self.print_button, self.tabs)):
            QWidget.setTabOrder(first, second)
        self.setFocusProxy(self.report_combo)

        self._shortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Return), self.build)
        self._shortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Enter), self.build)
        self._shortcut(QKeySequence("Ctrl+E"), self.export)
        self._shortcut(QKeySequence(QKeySequence.StandardKey.Print), self.print_report)
        # The next and previous table or chart, from wherever the cursor is (the table keeps
        # the focus: its rows are read with the arrows at once).
        for keys in ("Ctrl+Tab", "Ctrl+PgDown"):
            self._shortcut(QKeySequence(keys), self.next_tab)
        for keys in ("Ctrl+Shift+Tab", "Ctrl+PgUp"):
            self._shortcut(QKeySequence(keys), self.previous_tab)
        # Esc stops a build; only while one runs (the item picker clears its text with Esc).
        self.cancel_shortcut = self._shortcut(QKeySequence(Qt.Key.Key_Escape), self.cancel)
        self.cancel_shortcut.setEnabled(False)

        self.report_combo.currentIndexChanged.connect(self._on_report_chosen)
        self.period_combo.currentIndexChanged.connect(self._on_period_chosen)
        self.start_edit.dateChanged.connect(self._on_date_typed)
        self.end_edit.dateChanged.connect(self._on_date_typed)
        self.picker.item_chosen.connect(self._on_item_chosen)
        self.picker.line_edit.textEdited.connect(self._on_item_text)
        self.clear_item_button.clicked.connect(self.clear_item)
        self.build_button.clicked.connect(self.build)
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button.clicked.connect(self.export)
        self.print_button.clicked.connect(self.print_report)
        self._chart_timer = QTimer(self)
        self._chart_timer.setSingleShot(True)
        self._chart_timer.setInterval(250)
        self._chart_timer.timeout.connect(self._chart_selected_item)
        self._tick = QTimer(self)
        self._tick.setInterval(500)
        self._tick.timeout.connect(self._show_progress)
        self._on_report_chosen()
        self._show_item()
        self._on_running(False)

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setObjectName(name)
        edit.setDisplayFormat("dd-MM-yyyy")
        edit.setCalendarPopup(True)
        edit.setMinimumDate(QDate(2000, 1, 1))
        return edit

    def _shortcut(self, keys: QKeySequence, slot: Any) -> QShortcut:
        shortcut = QShortcut(keys, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        return shortcut

    def shortcuts(self) -> list[tuple[str, str]]:
        return [("Ctrl+Enter", self.tr("build")), ("Esc", self.tr("stop")), ("Ctrl+E", self.tr("save as")),
                ("Ctrl+P", self.tr("print")), ("Ctrl+Tab", self.tr("next table"))]

    @Slot()
    def next_tab(self) -> None:
        self._go_to_tab(1)

    @Slot()
    def previous_tab(self) -> None:
        self._go_to_tab(-1)

    def _go_to_tab(self, step: int) -> None:
        if self.tabs.count():
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())
            page_ = self.tabs.currentWidget()
            # A table takes the cursor; a chart (nothing to type into) leaves it on the tabs.
            (page_ if isinstance(page_, QTableView) else self.tabs.tabBar()).setFocus()

    # -- the choices ----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """The screen came into view: today may be another day than when it was built."""
        today = self.store.today()
        for edit in (self.start_edit, self.end_edit):
            edit.setMaximumDate(QDate(today.year, today.month, today.day))
        if self.period_combo.currentData() != "dates":
            self._on_period_chosen()

    def report_name(self) -> str:
        return str(self.report_combo.currentData())

    def period(self) -> tuple[dt.date, dt.date]:
        first, last = self.start_edit.date(), self.end_edit.date()
        return dt.date(first.year(), first.month(), first.day()), dt.date(last.year(), last.month(), last.day())

    @Slot()
    def _on_report_chosen(self) -> None:
        name = self.report_name()
        self.about_label.setText(labels.text(f"report.{name}.about", self.lang))
        if self.period_combo.currentData() != "dates":
            self.period_combo.setCurrentIndex(self.period_combo.findData(DEFAULT_PERIOD.get(name, "last_month")))
            self._on_period_chosen()

    @Slot()
    def _on_period_chosen(self) -> None:
        dates = period_of(str(self.period_combo.currentData()), self.store.today())
        if dates is None:
            return
        self._setting_period = True
        try:
            for edit, day in ((self.start_edit, dates[0]), (self.end_edit, dates[1])):
                edit.setDate(QDate(day.year, day.month, day.day))
        finally:
            self._setting_period = False

    @Slot()
    def _on_date_typed(self) -> None:
        if not self._setting_period:
            self.period_combo.blockSignals(True)
            self.period_combo.setCurrentIndex(self.period_combo.findData("dates"))
            self.period_combo.blockSignals(False)

    @Slot(object)
    def _on_item_chosen(self, hit: ItemHit) -> None:
        self._item = hit
        self._show_item()
        self.build_button.setFocus()

    @Slot(str)
    def _on_item_text(self, text: str) -> None:
        if not text.strip():
            self.clear_item()

    @Slot()
    def clear_item(self) -> None:
        self._item = None
        self.picker.clear()
        self._show_item()

    def _show_item(self) -> None:
        if self._item is None:
            self.item_label.setText(self.tr("All items"))
        else:
            self.item_label.setText(f"{self._item.item.code} · {fmt.item_label(self._item.item)}")
        self.clear_item_button.setEnabled(self._item is not None)

    # -- building -------------------------------------------------------------------------------

    @Slot()
    def build(self) -> None:
        """Build the chosen report in the report thread (Ctrl+Enter)."""
        self.errors.clear()
        start, end = self.period()
        items = [self._item.item.code] if self._item is not None else []
        self._what = self.tr("Building {report}…").format(report=self.report_combo.currentText())
        self.runner.build(self.report_name(), start, end, category=self.category_combo.currentData(), items=items)

    @Slot()
    def cancel(self) -> None:
        """Stop the report being built (Esc)."""
        if self.runner.running:
            self.status_label.setText(self.tr("Stopping…"))
            self.runner.cancel()

    @Slot(bool)
    def _on_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.cancel_shortcut.setEnabled(running)
        self._update_buttons()
        self.busy.emit(running)
        if running:
            self._started = time.monotonic()
            self._show_progress()
            self._tick.start()
        else:
            self._tick.stop()

    def _update_buttons(self) -> None:
        running = self.runner.running
        self.build_button.setEnabled(not running)
        self.export_button.setEnabled(self.report is not None and not running)
        self.print_button.setEnabled(self.report is not None and not running)

    @Slot()
    def _show_progress(self) -> None:
        seconds = int(time.monotonic() - self._started)
        self.status_label.setText(self.tr("{what} {seconds} s (Esc stops)").format(what=self._what, seconds=seconds))

    @Slot()
    def _on_cancelled(self) -> None:
        self.status_label.setText(self.tr("Stopped. Nothing was saved."))

    @Slot(object)
    def _on_failed(self, error: object) -> None:
        self.status_label.setText("")
        if isinstance(error, StoreError):
            if getattr(error, "field", None) in self.errors.fields:
                self.errors.show(error)
            else:
                self.errors.set(None, i18n.refusal_text(error))
            return
        from ihms_desk.exports import ExportError

        if isinstance(error, ExportError):
            self.errors.set(None, i18n.refusal_text(error))
            return
        assert isinstance(error, BaseException)
        raise error  # a bug: the application's hook logs it and says so

    @Slot(object)
    def show_report(self, report: Report) -> None:
        """Show a built report: its heading, a tab per table, and charts for consumption."""
        self.report = report
        seconds = time.monotonic() - self._started
        rows = sum(len(table.rows) for table in report.tables)
        self.status_label.setText(self.tr("Built in {seconds:.2f} s: {rows} row(s).").format(seconds=seconds, rows=fmt.qty(rows)))
        self.title_label.setText(labels.text(f"report.{report.name}", self.lang))
        top = _heading(report, self.lang)
        self.heading_label.setText(top)
        from ihms_desk.exports import page

        self.notes_label.setText("\n".join(page.heading(report, self.lang).notes))
        self.tabs.blockSignals(True)
        self.tabs.clear()
        self.models, self.views = [], []
        self.months_chart = self.consumption_chart = None
        self.charted_code = None
        for table in report.tables:
            model = ReportTableModel(self)
            model.set_table(table, self.lang)
            view = rows_table(self, model, f"table_{table.key}", widths=_widths(model, self))
            view.setAlternatingRowColors(True)
            view.setWordWrap(False)
            _wrap_headings(view, model)
            self.models.append(model)
            self.views.append(view)
            self.tabs.addTab(view, f"{page.table_title(table, self.lang)} ({fmt.qty(len(table.rows))})")
        if report.name == "consumption":
            self._add_charts(report)
        self.tabs.blockSignals(False)
        self.empty_label.hide()
        self.tabs.show()
        self.tabs.setCurrentIndex(0)
        self._update_buttons()
        self.views[0].setFocus()
        if self.models[0].rowCount():
            self.views[0].selectRow(0)

    def table_view(self, key: str) -> QTableView:
        """The view showing table ``key`` of the built report (for tests and screenshots)."""
        assert self.report is not None
        return self.views[[table.key for table in self.report.tables].index(key)]

    # -- charts ---------------------------------------------------------------------------------

    def _add_charts(self, report: Report) -> None:
        from ihms_desk.ui.report_charts import ConsumptionChart, MonthsOfStockChart  # pyqtgraph: only now

        minimum, maximum = stock_levels(self.store)
        table = report.table("consumption")
        self.months_chart = MonthsOfStockChart(self)
        counted = sum(1 for status in table.values("status") if status != "no_consumption")
        self.months_chart.show_table(
            table, minimum, maximum, stocked_out=self.tr("None"),
            title=self.tr("Items by months of stock on {date}: {count} items with consumption").format(
                date=f"{report.end:%d-%m-%Y}", count=fmt.qty(counted)),
            axis=(self.tr("Months of stock (minimum {minimum}, maximum {maximum})").format(minimum=minimum, maximum=maximum),
                  self.tr("Items")))
        legend = QLabel(self)
        legend.setObjectName("months_legend")
        from ihms_desk.ui.report_charts import STATUS_BAR, STATUS_ORDER

        legend.setText("   ".join(f"<span style='color:{STATUS_BAR[status]}'>■</span> {labels.label(status, self.lang)}"
                                   for status in STATUS_ORDER))
        box = QWidget(self)
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.addWidget(self.months_chart, 1)
        box_layout.addWidget(legend)
        self.tabs.addTab(box, self.tr("Chart: months of stock"))
        self.consumption_chart = ConsumptionChart(self)
        self.item_chart_hint = QLabel(self.tr("The item chosen in the table is charted: a year of its monthly consumption."), self)
        self.item_chart_hint.setObjectName("consumption_chart_hint")
        chart_box = QWidget(self)
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.consumption_chart, 1)
        chart_layout.addWidget(self.item_chart_hint)
        self.tabs.addTab(chart_box, self.tr("Chart: consumption of an item"))
        self.views[0].selectionModel().currentRowChanged.connect(self._on_consumption_row)

    @Slot(QModelIndex, QModelIndex)
    def _on_consumption_row(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self.tabs.currentIndex() == self.tabs.count() - 1:
            self._chart_timer.start()

    @Slot(int)
    def _on_tab(self, index: int) -> None:
        if self.consumption_chart is not None and index == self.tabs.count() - 1:
            self._chart_selected_item()

    def chart_code(self) -> str | None:
        """The item the consumption chart is for: the chosen row of the table, else the item
        filter, else the first row."""
        if self.report is None or self.report.name != "consumption":
            return None
        table = self.report.table("consumption")
        if not table.rows:
            return None
        row = self.views[0].currentIndex().row()
        if not 0 <= row < len(table.rows):
            row = 0
        return str(table.rows[row].values[table.column("item_code")])

    @Slot()
    def _chart_selected_item(self) -> None:
        """A year of the chosen item's monthly consumption, read in the report thread."""
        code = self.chart_code()
        if code is None or self.report is None or code == self.charted_code:
            return
        end = self.report.end
        start = dt.date(end.year - 1 + (end.month == 12), end.month % 12 + 1, 1)
        self._what = self.tr("Reading a year of consumption…")

        def job(store: Store, should_stop: Any) -> Report:
            from ihms_desk.store.reports import build_report

            return build_report(store, "consumption", start, end, items=[code], should_stop=should_stop)

        self.runner.run(job, self._show_item_chart)

    def _show_item_chart(self, year: Report) -> None:
        from ihms_desk.ui.report_charts import monthly_figures

        if self.consumption_chart is None:
            return
        code = year.item_codes[0] if year.item_codes else None
        figures = monthly_figures(year, code) if code else None
        self.charted_code = code
        name = figures.name if figures is not None else code or ""
        title = self.tr("Consumption of {item} by month, {first} to {last}").format(
            item=name, first=f"{year.start:%m/%Y}", last=f"{year.end:%m/%Y}")
        amc = figures.amc if figures is not None else None
        self.consumption_chart.show_figures(figures, self.lang, title=title, amc_text=self.tr(
            "AMC adjusted for stock-outs: {amc}").format(amc=f"{amc:.1f}" if amc is not None else ""))
        self.status_label.setText("")

    # -- files and paper ------------------------------------------------------------------------

    def suggested_path(self) -> Path:
        assert self.report is not None
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
        report = self.report
        return Path(folder) / f"{report.name}-{report.start:%d-%m-%Y}-{report.end:%d-%m-%Y}.pdf"

    @Slot()
    def export(self) -> None:
        """Save the report shown as PDF, XLSX or CSV, in the screen's language (Ctrl+E)."""
        if self.report is None or self.runner.running:
            return
        path = choose_export_path(self, self.suggested_path())
        if path is None:
            return
        self.errors.clear()
        self._what = self.tr("Saving {file}…").format(file=path.name)
        self.runner.write(self.report, path, path.suffix.lstrip(".").lower(), self.lang)

    @Slot(object)
    def _on_written(self, path: Path) -> None:
        self.status_label.setText(self.tr("Saved {path}").format(path=path))

    @Slot()
    def print_report(self) -> None:
        """Print the report shown, after a preview (Ctrl+P)."""
        if self.report is None or self.runner.running:
            return
        user = self.store.user
        printed_by = f"{user.full_name} ({user.username})" if user is not None else ""
        self._printer, self._paper = report_print.preview(self, self.report, self.lang, printed_by=printed_by,
                                                          printed_at=self.store.now())


def _heading(report: Report, lang: str) -> str:
    from ihms_desk.exports import page

    top = page.heading(report, lang)
    return " · ".join(part for part in (top.facility, top.period, top.filters) if part)


def _wrap_headings(view: QTableView, model: ReportTableModel) -> None:
    """Long headings ("Issued to other facilities") wrap over up to three lines rather than
    widen every column; the header is made tall enough for the longest."""
    header = view.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
    metrics = header.fontMetrics()
    lines = 1
    for column in range(model.columnCount()):
        width = max(header.sectionSize(column) - 12, 20)
        bound = metrics.boundingRect(0, 0, width, 1000, int(Qt.TextFlag.TextWordWrap), model.heading(column))
        lines = max(lines, min(3, -(-bound.height() // metrics.height())))
    header.setMinimumHeight(lines * metrics.height() + 10)


def _widths(model: ReportTableModel, widget: QWidget) -> dict[int, int]:
    """Column widths from the headings and the first rows (measuring a whole year's register
    at every build would cost more than the build)."""
    metrics = widget.fontMetrics()
    widths = {}
    sample = min(model.rowCount(), 60)
    for column in range(model.columnCount()):
        heading = model.heading(column)
        longest_word = max((metrics.horizontalAdvance(word) for word in heading.split()), default=40)
        cells = max((metrics.horizontalAdvance(model.text(row, column)) for row in range(sample)), default=0)
        widths[column] = min(max(longest_word, cells, metrics.horizontalAdvance(heading) // 2) + 18, 340)
    return widths

