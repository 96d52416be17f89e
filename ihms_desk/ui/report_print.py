"""Printing a report from the Reports screen, with Qt's print preview (QtPrintSupport).

The report is painted with ``QPainter`` straight onto the printer, page by page, from the same
words and numbers the PDF writer uses (``ihms_desk.exports``: headings, ``cells.shown``, the
stock register's items with their batches under them). Why not print the PDF writer's file:
PySide6-Essentials has no QtPdf to draw a PDF onto a printer, and handing the file to a viewer
would lose the preview; painting gives the preview, the printer's own resolution, and Qt's text
shaping for Hindi with the fonts the screens already use.

Every page carries the report's title, the facility, the period and filters on top, the column
headings of the table it continues, and at its foot who printed it, when, and "Page n of N"::

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    paper = ReportPaper(report, lang, printed_by="Dr. A. Meena (incharge)", printed_at=now)
    paper.prepare(printer)                 # landscape for a wide register
    report_print.show_preview(window, printer, paper.paint)   # tests replace this function
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPen
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from ihms_desk.exports import cells, labels, page
from ihms_desk.store.reports import ColumnKind, Report, Table
from ihms_desk.ui import i18n

#: A table with more columns than this is printed on landscape paper.
PORTRAIT_COLUMNS = 8
MARGIN_MM = 10.0
#: Font sizes (points) tried in turn until the widest table fits the page's width.
BODY_POINTS = (9.0, 8.0, 7.0, 6.5, 6.0)
#: A cell's text wraps over at most this many lines (an item's long name).
MOST_LINES = 2
#: Rows measured to find a column's width: enough to see the long names of a big register.
MEASURED_ROWS = 1500
GRID = QColor("#b0b0b0")
HEADING_BG = QColor("#e8eef2")


@dataclass
class _Columns:
    widths: list[float]
    right: list[bool]
    wrap: list[bool]


class ReportPaper:
    """A built report as printed pages (see the module docstring)."""

    def __init__(self, report: Report, lang: str, *, printed_by: str, printed_at: dt.datetime) -> None:
        self.report = report
        self.lang = lang
        self.top = page.heading(report, lang)
        when = f"{printed_at:%d-%m-%Y %H:%M}"
        self.printed = labels.text("page.printed", lang, name=printed_by, when=when)
        self.tables: list[Table] = [page.outlined(table) for table in report.tables]
        #: Pages in the last painting (for tests and the status line).
        self.pages = 0

    # -- the paper ------------------------------------------------------------------------------

    def prepare(self, printer: QPrinter) -> None:
        """A4 with 10 mm margins, landscape when a table is wide."""
        wide = any(len(table.columns) > PORTRAIT_COLUMNS for table in self.tables)
        orientation = QPageLayout.Orientation.Landscape if wide else QPageLayout.Orientation.Portrait
        printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation,
                                          QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                                          QPageLayout.Unit.Millimeter))
        printer.setDocName(self.top.title)
        printer.setCreator("IHMS Desk")

    def paint(self, printer: QPrinter) -> None:
        """Paint every page onto ``printer`` (the preview's or the real one's)."""
        area = printer.pageLayout().paintRectPixels(printer.resolution())
        # The first pass only counts the pages, so every footer can say "of N".
        self.pages = _Pass(self, printer, area.width(), area.height(), None, 0).run()
        painter = QPainter()
        if not painter.begin(printer):
            return
        try:
            _Pass(self, printer, area.width(), area.height(), painter, self.pages).run()
        finally:
            painter.end()


class _Pass:
    """One run over the report's rows: measuring only (no painter) or painting."""

    def __init__(self, paper: ReportPaper, printer: QPrinter, width: float, height: float,
                 painter: QPainter | None, total_pages: int) -> None:
        self.paper = paper
        self.printer = printer
        self.width = float(width)
        self.height = float(height)
        self.painter = painter
        self.total = total_pages
        self.page_no = 0
        self.y = 0.0
        self.body = self._body_font()
        self.bold = QFont(self.body)
        self.bold.setBold(True)
        self.title_font = QFont(self.body)
        self.title_font.setPointSizeF(self.body.pointSizeF() + 4)
        self.title_font.setBold(True)
        self.small = QFont(self.body)
        self.small.setPointSizeF(max(self.body.pointSizeF() - 1, 6.0))
        self.line = self.metrics(self.body).height()
        self.footer_height = self.metrics(self.small).height() * 1.6
        self.padding = self.metrics(self.body).horizontalAdvance(" ")

    def metrics(self, font: QFont) -> QFontMetricsF:
        return QFontMetricsF(font, self.printer)

    def _body_font(self) -> QFont:
        """The largest size at which the widest table's natural widths fit the page."""
        font = QFont()
        # The bundled Noto Sans, and Noto Sans Devanagari for Hindi (loaded at the program's start).
        font.setFamilies(list(i18n.FONT_FAMILIES))
        for points in BODY_POINTS:
            font.setPointSizeF(points)
            if all(sum(self._natural(table, font)) <= self.width for table in self.paper.tables):
                return font
        font.setPointSizeF(BODY_POINTS[-1])
        return font

    def _natural(self, table: Table, font: QFont) -> list[float]:
        metrics = self.metrics(font)
        bold = QFont(font)
        bold.setBold(True)
        bold_metrics = self.metrics(bold)
        pad = metrics.horizontalAdvance("  ")
        lang = self.paper.lang
        widths = []
        for index, column in enumerate(table.columns):
            heading = labels.heading(column, lang)
            # A heading may wrap at its spaces: its longest word must fit.
            widest = max((bold_metrics.horizontalAdvance(word) for word in heading.split()), default=0.0)
            texts = [cells.shown(column, row.values[index], lang) for row in table.rows[:MEASURED_ROWS]]
            if table.totals is not None:
                texts.append(cells.shown(column, table.totals[index], lang))
            cell = max((metrics.horizontalAdvance(text) for text in texts), default=0.0)
            if column.kind is ColumnKind.TEXT:
                # Long names wrap onto a second line rather than widen the table without end.
                cell = min(cell, metrics.horizontalAdvance("x") * 28)
            widths.append(max(widest, cell) + pad)
        return widths

    def _columns(self, table: Table) -> _Columns:
        natural = self._natural(table, self.body)
        spare = self.width - sum(natural)
        text_columns = [index for index, column in enumerate(table.columns) if column.kind is ColumnKind.TEXT]
        widths = list(natural)
        if spare < 0 and text_columns:
            # Still too wide at the smallest size: the text columns give up room and wrap.
            share = -spare / len(text_columns)
            for index in text_columns:
                widths[index] = max(widths[index] - share, self.metrics(self.body).horizontalAdvance("x") * 8)
        elif spare > 0 and text_columns:
            # Room to spare goes to the text columns, so names print on one line.
            for index in text_columns:
                widths[index] += spare / len(text_columns)
        scale = min(1.0, self.width / sum(widths)) if sum(widths) else 1.0
        return _Columns([width * scale for width in widths], [column.kind.numeric for column in table.columns],
                        [column.kind is ColumnKind.TEXT for column in table.columns])

    # -- pages ----------------------------------------------------------------------------------

    def run(self) -> int:
        self._new_page(first=True)
        for number, table in enumerate(self.paper.tables):
            columns = self._columns(table)
            headings = [labels.heading(column, self.paper.lang) for column in table.columns]
            heading_height = self._row_height(headings, columns, self.bold, heading=True)
            title_height = self.line * 1.5
            first_row = self._row_height(self._texts(table, 0), columns, self.body) if table.rows else self.line
            if number and self.y + title_height + heading_height + first_row > self.bottom:
                self._new_page()
            self._text(0, self.y + self.line * 0.3, self.width, page.table_title(table, self.paper.lang), self.bold)
            self.y += title_height
            self._headings(headings, columns, heading_height)
            if not table.rows:
                self._text(0, self.y, self.width, labels.text("page.empty", self.paper.lang), self.body)
                self.y += self.line * 1.5
                continue
            shared = page.shared_columns(table)
            # The stock register on paper: each item's own row in bold, its batches under it.
            outlined = table.columns[0].key == "item_batch"
            previous_document: object = None
            for index, row in enumerate(table.rows):
                texts = self._texts(table, index)
                font = self.bold if outlined and row.level == 0 else self.body
                height = self._row_height(texts, columns, font)
                if self.y + height > self.bottom:
                    self._new_page()
                    self._headings(headings, columns, heading_height)
                    previous_document = None  # a document's own columns again at a page's top
                if shared is not None:
                    key, repeated = shared
                    document = row.values[key]
                    if document == previous_document:
                        texts = ["" if column in repeated else text for column, text in enumerate(texts)]
                    previous_document = document
                if row.level:
                    texts[0] = "    " + texts[0]
                self._row(texts, columns, height, font)
            if table.totals is not None:
                totals = [cells.shown(column, value, self.paper.lang) for column, value in zip(table.columns, table.totals)]
                label_at = page.total_label_column(table)
                if label_at is not None:
                    totals[label_at] = labels.text("page.total", self.paper.lang)
                height = self._row_height(totals, columns, self.bold)
                if self.y + height > self.bottom:
                    self._new_page()
                    self._headings(headings, columns, heading_height)
                self._row(totals, columns, height, self.bold)
            self.y += self.line
        self._footer()
        return self.page_no

    @property
    def bottom(self) -> float:
        return self.height - self.footer_height

    def _new_page(self, *, first: bool = False) -> None:
        if not first:
            self._footer()
            if self.painter is not None:
                self.printer.newPage()
        self.page_no += 1
        top = self.paper.top
        self.y = 0.0
        self._text(0, self.y, self.width, top.title, self.title_font)
        self.y += self.metrics(self.title_font).height() * 1.2
        for line in (top.facility, " · ".join(part for part in (top.period, top.filters) if part)):
            self._text(0, self.y, self.width, line, self.body)
            self.y += self.line
        if first:
            # How the figures were reached: once, on the first page.
            for note in top.notes:
                self.y += self._text(0, self.y, self.width, note, self.small, wrap=True)
        self.y += self.line * 0.5

    def _footer(self) -> None:
        y = self.height - self.metrics(self.small).height()
        if self.painter is not None:
            self.painter.setPen(QPen(GRID, 0))
            self.painter.drawLine(0, int(y - 2), int(self.width), int(y - 2))
        self._text(0, y, self.width * 0.7, self.paper.printed, self.small)
        number = labels.text("page.page", self.paper.lang, page=self.page_no, pages=self.total or self.page_no)
        self._text(self.width * 0.7, y, self.width * 0.3, number, self.small, right=True)

    # -- rows -----------------------------------------------------------------------------------

    def _texts(self, table: Table, index: int) -> list[str]:
        row = table.rows[index]
        return [cells.shown(column, value, self.paper.lang) for column, value in zip(table.columns, row.values)]

    def _row_height(self, texts: Sequence[str], columns: _Columns, font: QFont, *, heading: bool = False) -> float:
        """The height of a row: its tallest cell, a text cell wrapped over at most
        :data:`MOST_LINES` lines; a heading takes all the lines it needs (they are words)."""
        metrics = self.metrics(font)
        lines = 1
        for text, width, wrap in zip(texts, columns.widths, columns.wrap):
            if text and metrics.horizontalAdvance(text) > width - self.padding:
                bound = metrics.boundingRect(QRectF(0, 0, width - self.padding, 1e6),
                                             int(Qt.TextFlag.TextWordWrap), text)
                needed = round(bound.height() / metrics.height())
                lines = max(lines, needed if heading else min(MOST_LINES if wrap else 3, needed))
        return lines * metrics.height() + self.padding * 0.6

    def _headings(self, headings: Sequence[str], columns: _Columns, height: float) -> None:
        if self.painter is not None:
            self.painter.fillRect(QRectF(0, self.y, sum(columns.widths), height), HEADING_BG)
        self._row(list(headings), columns, height, self.bold, heading=True)

    def _row(self, texts: Sequence[str], columns: _Columns, height: float, font: QFont, *, heading: bool = False) -> None:
        if self.painter is not None:
            x = 0.0
            for text, width, right in zip(texts, columns.widths, columns.right):
                box = QRectF(x + self.padding / 2, self.y + self.padding * 0.3, width - self.padding, height)
                align = Qt.AlignmentFlag.AlignRight if right and not heading else Qt.AlignmentFlag.AlignLeft
                self.painter.setFont(font)
                self.painter.setPen(Qt.GlobalColor.black)
                self.painter.drawText(box, int(align | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap), text)
                x += width
            self.painter.setPen(QPen(GRID, 0))
            self.painter.drawLine(0, int(self.y + height), int(sum(columns.widths)), int(self.y + height))
        self.y += height

    def _text(self, x: float, y: float, width: float, text: str, font: QFont, *, right: bool = False,
              wrap: bool = False) -> float:
        """Draw one line (or a wrapped paragraph) of text; returns the height it took."""
        metrics = self.metrics(font)
        flags = int((Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignTop)
        if wrap:
            flags |= int(Qt.TextFlag.TextWordWrap)
        bound = metrics.boundingRect(QRectF(0, 0, width, 1e6), flags, text) if wrap else None
        height = bound.height() if bound is not None else metrics.height()
        if self.painter is not None and text:
            self.painter.setFont(font)
            self.painter.setPen(Qt.GlobalColor.black)
            self.painter.drawText(QRectF(x, y, width, height), flags, text)
        return float(height)


def show_preview(parent: QWidget | None, printer: QPrinter, paint: Callable[[QPrinter], None]) -> QPrintPreviewDialog:
    """Qt's print preview, opened window-modal without a nested event loop (tests find it and
    answer it): the pages are painted by ``paint``, and printed by the dialog's Print button
    on the printer chosen there."""
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setObjectName("print_preview")
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.paintRequested.connect(paint)
    dialog.resize(1200, 680)
    dialog.open()
    return dialog


def preview(parent: QWidget | None, report: Report, lang: str, *, printed_by: str,
            printed_at: dt.datetime) -> tuple[QPrinter, ReportPaper]:
    """A report's print preview on a high-resolution printer (the Reports screen's Ctrl+P, the
    indent's); the caller keeps the printer and paper while the preview is open."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    paper = ReportPaper(report, lang, printed_by=printed_by, printed_at=printed_at)
    paper.prepare(printer)
    show_preview(parent, printer, paper.paint)
    return printer, paper
