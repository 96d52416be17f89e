"""A report as PDF (fpdf2): the register as it is filed on paper, in English or Hindi.

Every page carries the report's title, the facility, the period and filters, and at its foot
who printed it, when, and page n of N; column headings repeat on each page. Hindi is shaped by
HarfBuzz (uharfbuzz) so conjuncts such as क्ष, त्र and द्ध join as they should, in Noto Sans
Devanagari, which has no Latin letters: Noto Sans is its fallback, so batch numbers and codes
inside Hindi text still print.

Speed: fpdf2's ``cell()`` runs bidi analysis and shaping for every call (about 0.3 ms), too
slow for the 100,000 cells of a year's register of every item. Cells whose text needs no
shaping (numbers, dates, codes, batch numbers, English) are measured from the font's advance
widths and placed with ``text()``; only text with Devanagari goes through ``cell()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast
from fpdf import FPDF
from fpdf.fonts import TTFFont

from ihms_desk.exports import cells, labels, page
from ihms_desk.paths import resource_path
from ihms_desk.store.reports.errors import ReportCancelled
from ihms_desk.store.reports.result import ColumnKind, Report, Table

MARGIN = 10.0  # mm
PT = 25.4 / 72  # mm per point
#: Characters below this need no shaping and are all in Noto Sans.
_SHAPING_FROM = 0x0900
_FONTS = {
    ("latin", ""): "NotoSans-Regular.ttf",
    ("latin", "B"): "NotoSans-Bold.ttf",
    ("deva", ""): "NotoSansDevanagari-Regular.ttf",
    ("deva", "B"): "NotoSansDevanagari-Bold.ttf",
}
ELLIPSIS = "…"


def needs_shaping(text: str) -> bool:
    return any(ord(ch) >= _SHAPING_FROM for ch in text)


@dataclass
class _Layout:
    """How one table sits on the page: orientation, font size, column widths, headings."""

    orientation: str
    size: float  # points
    widths: list[float]
    headings: list[list[str]]  # each heading's lines
    right: list[bool]  # numbers are right-aligned

    @property
    def line(self) -> float:
        return self.size * PT * 1.3


class _Document(FPDF):
    def __init__(self, report: Report, lang: str) -> None:
        super().__init__(orientation="L", unit="mm", format="A4")
        self.report = report
        self.lang = lang
        self.top = page.heading(report, lang)
        for (family, style), name in _FONTS.items():
            self.add_font(family, style, str(resource_path("fonts", name)))
        self.set_fallback_fonts(["latin", "deva"])
        self.set_text_shaping(True)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.c_margin = 0  # cell() text starts where text() text does
        self.set_auto_page_break(False)
        self.alias_nb_pages()
        self.set_title(self.top.title)
        self.set_creator("IHMS Desk")
        self.set_author(report.generated_by)
        #: Advance widths of Noto Sans (1/1000 em) by code point, for text that needs no shaping.
        self._latin: dict[str, dict[int, float]] = {
            style: cast(TTFFont, self.fonts[f"latin{style}"]).cw for style in ("", "B")
        }
        self._font: tuple[str, str, float] | None = None
        #: The table being drawn (its headings repeat on each new page).
        self.layout: _Layout | None = None
        #: Each table's headings as drawn on a continued page: content stream and where it ends.
        self._headings: dict[tuple[int, float, str], tuple[bytes, float]] = {}
        self.table_title = ""

    # -- fonts and text -----------------------------------------------------------------------

    def use(self, family: str, style: str, size: float) -> None:
        if self._font != (family, style, size):
            self.set_font(family, style, size)
            self._font = (family, style, size)

    def width_of(self, text: str, style: str, size: float) -> float:
        """Text width in mm: from the font's advance widths, or shaped when Devanagari."""
        if needs_shaping(text):
            self.use("deva", style, size)
            return float(self.get_string_width(text))
        widths = self._latin[style]
        return float(sum(widths[ord(ch)] for ch in text)) * size * 0.001 * PT

    def put(self, x: float, top: float, width: float, text: str, style: str, size: float, *, right: bool = False) -> None:
        """One line of text in a box ``width`` wide whose top is at ``top``."""
        if not text:
            return
        if needs_shaping(text):
            self.use("deva", style, size)
            # cell() centres the line in its height; Noto Sans Devanagari's taller ascent then
            # sits it a little above text() lines: the small shift puts both on one baseline.
            self.set_xy(x, top + size * PT * 0.08)
            self.cell(width, size * PT * 1.3, text, align="R" if right else "L")
            return
        self.use("latin", style, size)
        shift = width - self.width_of(text, style, size) if right else 0.0
        self.text(x + shift, top + size * PT * 1.02, text)

    def wrap(self, text: str, width: float, style: str, size: float, most: int) -> list[str]:
        """``text`` broken into lines at most ``width`` wide, at most ``most`` of them."""
        words = [part for word in text.split() for part in self._pieces(word, width, style, size)]
        lines: list[str] = []
        current = ""
        for word in words:
            candidate = f"{current} {word}" if current else word
            if self.width_of(candidate, style, size) <= width or not current:
                current = candidate
            else:
                lines.append(current)
                current = word
        if current:
            lines.append(current)
        lines = [self._fit(line, width, style, size) for line in lines] or [""]
        if len(lines) > most:
            lines = lines[:most]
            lines[-1] = self._fit(lines[-1] + ELLIPSIS, width, style, size, always_mark=True)
        return lines

    def _pieces(self, word: str, width: float, style: str, size: float) -> list[str]:
        """A word too wide for the column (a challan number, a long batch number) broken after
        a / or -, or anywhere if it has none, so nothing of it is lost."""
        pieces: list[str] = []
        while self.width_of(word, style, size) > width and len(word) > 1:
            fits = len(word) - 1
            while fits > 1 and self.width_of(word[:fits], style, size) > width:
                fits -= 1
            cut = max(word.rfind("/", 0, fits), word.rfind("-", 0, fits))
            cut = cut + 1 if cut > 0 else fits
            pieces.append(word[:cut])
            word = word[cut:]
        return [*pieces, word]

    def _fit(self, line: str, width: float, style: str, size: float, *, always_mark: bool = False) -> str:
        """A line cut (with …) to fit ``width``: a batch number longer than its column."""
        if self.width_of(line, style, size) <= width:
            return line
        while len(line) > 1 and self.width_of(line + ELLIPSIS, style, size) > width:
            line = line[:-1]
        return line.rstrip(ELLIPSIS) + ELLIPSIS if always_mark or not line.endswith(ELLIPSIS) else line

    # -- page -----------------------------------------------------------------------------------

    def header(self) -> None:
        top = self.top
        y = MARGIN
        self.put(MARGIN, y, self.epw, top.title, "B", 12)
        y += 12 * PT * 1.4
        for line in (top.facility, " · ".join(part for part in (top.period, top.filters) if part)):
            self.put(MARGIN, y, self.epw, line, "", 8)
            y += 8 * PT * 1.35
        if self.page == 1:
            for line in top.notes:
                for part in self.wrap(line, self.epw, "", 7.5, 4):
                    self.put(MARGIN, y, self.epw, part, "", 7.5)
                    y += 7.5 * PT * 1.35
        self.set_y(y + 1.5)
        if self.layout is not None:
            self.table_heading(continued=True)

    def footer(self) -> None:
        y = self.h - MARGIN - 4
        self.set_draw_color(160, 160, 160)
        self.line(MARGIN, y - 1, self.w - MARGIN, y - 1)
        self.put(MARGIN, y, self.epw * 0.7, self.top.printed, "", 7)
        # {nb} is filled in when the document is closed; cell() keeps it whole, shaped or not.
        pages = labels.text("page.page", self.lang, page=self.page_no(), pages="{nb}")
        self.use("deva" if needs_shaping(pages) else "latin", "", 7)
        self.set_xy(MARGIN + self.epw * 0.7, y)
        self.cell(self.epw * 0.3, 7 * PT * 1.3, pages, align="R")

    @property
    def bottom(self) -> float:
        return self.h - MARGIN - 7

    def table_heading(self, *, continued: bool = False) -> None:
        """The table's title and column headings. On every page after the first they stand at
        the same place, so they are drawn once and their content stream is repeated: shaping
        forty Hindi heading lines again on each of 200 pages took longer than the rest of a
        year's register."""
        layout = self.layout
        assert layout is not None
        y = self.get_y()
        key = (id(layout), round(y, 3), self.cur_orientation.value)
        drawn = self._headings.get(key) if continued else None
        if drawn is not None:
            stream, bottom = drawn
            # q/Q: whatever colour, font or line width the repeated stream sets ends with it,
            # so fpdf2's idea of the page's state stays true.
            self._out(b"q\n" + stream + b"\nQ")
            self._resource_catalog.index_stream_resources(stream.decode("latin-1"), self.page)
            self.set_y(bottom)
            return
        if continued:
            # Make the stream set its own font and colours (fpdf2 leaves out what it thinks
            # is already set), so that it draws the same on any page.
            self.set_font("latin", "", 1)
            self._font = None
            self.set_draw_color(0, 0, 0)
            self.set_fill_color(255, 255, 255)
        contents = cast(bytearray, self.pages[self.page].contents)  # a bytearray while the page is open
        start = len(contents)
        self._draw_heading(layout, y)
        if continued and hasattr(self, "_resource_catalog"):
            self._headings[key] = (bytes(contents[start:]), self.get_y())

    def _draw_heading(self, layout: _Layout, y: float) -> None:
        self.put(MARGIN, y, self.epw, self.table_title, "B", 9)
        y += 9 * PT * 1.5
        height = max(len(lines) for lines in layout.headings) * layout.line + 1.6
        self.set_fill_color(232, 238, 244)
        self.set_draw_color(120, 120, 120)
        self.rect(MARGIN, y, sum(layout.widths), height, style="DF")
        x = MARGIN
        for lines, width, right in zip(layout.headings, layout.widths, layout.right):
            for number, text in enumerate(lines):
                self.put(x + 0.8, y + 0.8 + number * layout.line, width - 1.6, text, "B", layout.size, right=right)
            x += width
            self.line(x, y, x, y + height)
        self.set_y(y + height)


def write(report: Report, path: Path, lang: str, should_stop: Callable[[], bool] | None = None) -> None:
    document = _Document(report, lang)
    for table in report.tables:
        _draw_table(document, page.outlined(table), lang, should_stop)
    document.output(str(path))


def _layout(document: _Document, table: Table, lang: str) -> _Layout:
    columns = table.columns
    size = 7.0 if len(columns) > 12 else 8.0
    headings = [labels.heading(column, lang) for column in columns]
    sample = table.rows[:400]
    natural: list[float] = []
    for index, column in enumerate(columns):
        words = max((document.width_of(word, "B", size) for word in _breakable(headings[index]).split()), default=5.0)
        texts = [cells.shown(column, row.values[index], lang) for row in sample]
        if table.totals is not None:
            texts.append(cells.shown(column, table.totals[index], lang))
        content = max((document.width_of(text, "B", size) for text in texts if text), default=0.0)
        if column.kind is ColumnKind.TEXT:
            content = min(content, 62.0)
        natural.append(max(words, content, 6.0) + 1.8)
    portrait = 210 - 2 * MARGIN
    landscape = 297 - 2 * MARGIN
    orientation = "P" if sum(natural) <= portrait else "L"
    available = portrait if orientation == "P" else landscape
    widths = list(natural)
    excess = sum(widths) - available
    if excess > 0:
        # Text columns give up width (their text wraps); numbers and dates keep theirs.
        flexible = [i for i, column in enumerate(columns) if column.kind in (ColumnKind.TEXT, ColumnKind.LABEL)]
        room = sum(max(widths[i] - 14.0, 0.0) for i in flexible)
        for i in flexible:
            widths[i] -= min(excess, room) * max(widths[i] - 14.0, 0.0) / room if room else 0.0
        if sum(widths) > available:  # still too wide: every column shrinks alike
            scale = available / sum(widths)
            widths = [w * scale for w in widths]
    elif len(columns) > 5:
        # A register fills the width of the page: the room left goes to every column alike,
        # so long headings need fewer lines.
        extra = (available - sum(widths)) / len(columns)
        widths = [width + extra for width in widths]
    heading_lines = [
        [_unbreak(line) for line in document.wrap(_breakable(text), width - 1.6, "B", size, 4)]
        for text, width in zip(headings, widths)
    ]
    return _Layout(orientation, size, widths, heading_lines, [column.kind.numeric for column in columns])


_BREAK = "\u200b "


def _breakable(heading: str) -> str:
    """A heading with a line break allowed after a hyphen or slash that follows a letter
    (sub-centres, Age/sex, but not 08/2026); :func:`_unbreak` takes the marks out again."""
    return re.sub(r"(?<=[^\W\d_])([-/])(?=\S)", lambda match: match.group(1) + _BREAK, heading)


def _unbreak(line: str) -> str:
    return line.replace(_BREAK, "").replace("\u200b", "")


def _draw_table(document: _Document, table: Table, lang: str, should_stop: Callable[[], bool] | None) -> None:
    layout = _layout(document, table, lang)
    document.layout = None
    document.table_title = page.table_title(table, lang)
    # A table starts on a new page unless the last one left room for its heading and a few rows.
    if document.page == 0 or document.cur_orientation.value != layout.orientation or document.get_y() > document.h * 0.55:
        document.add_page(orientation=layout.orientation)
    else:
        document.set_y(document.get_y() + 4)
    document.layout = layout
    document.table_heading()
    columns = table.columns
    levelled = any(row.level for row in table.rows)
    wraps = [column.kind in (ColumnKind.TEXT, ColumnKind.LABEL) for column in columns]
    shared = page.shared_columns(table)
    block_top = document.get_y()

    def close_block(bottom: float) -> None:
        """The column rules of the rows drawn on this page."""
        x = MARGIN
        document.set_draw_color(120, 120, 120)
        document.line(x, block_top, x, bottom)
        for width in layout.widths:
            x += width
            document.line(x, block_top, x, bottom)

    def lay_out(texts: list[str], style: str, indent: float) -> tuple[list[list[str]], float]:
        wrapped = [
            document.wrap(text, width - 1.6 - (indent if i == 0 else 0.0), style, layout.size, 3) if text and wraps[i] else [text]
            for i, (text, width) in enumerate(zip(texts, layout.widths))
        ]
        return wrapped, max(len(lines) for lines in wrapped) * layout.line + 0.9

    if not table.rows:
        document.put(MARGIN + 1, document.get_y() + 1, document.epw, labels.text("page.empty", lang), "", layout.size)
        document.set_y(document.get_y() + layout.line + 2)
        block_top = document.get_y()
    lines: list[tuple[list[str], str, float, bool, object]] = []  # texts, style, indent, total, document
    for row in table.rows:
        texts = [cells.shown(c, v, lang) for c, v in zip(columns, row.values)]
        style = "B" if levelled and row.level == 0 else ""
        lines.append((texts, style, 2.0 if row.level else 0.0, False, row.values[shared[0]] if shared else None))
    if table.totals is not None:
        totals = [cells.shown(c, v, lang) for c, v in zip(columns, table.totals)]
        where = page.total_label_column(table)
        if where is not None:
            totals[where] = labels.text("page.total", lang)
        lines.append((totals, "B", 0.0, True, None))
    previous: object = None
    for number, (texts, style, indent, is_total, document_key) in enumerate(lines):
        if should_stop is not None and number % 200 == 0 and should_stop():
            raise ReportCancelled()
        # A document's columns are printed on its first line only (and again on a new page).
        repeat = shared is not None and document_key is not None and document_key == previous
        shown = [("" if repeat and index in shared[1] else text) for index, text in enumerate(texts)] if shared else texts
        wrapped, height = lay_out(shown, style, indent)
        y = document.get_y()
        if y + height > document.bottom:
            close_block(y)
            document.add_page(orientation=layout.orientation)
            block_top = y = document.get_y()
            if repeat:
                wrapped, height = lay_out(texts, style, indent)
        previous = document_key
        if is_total:
            document.set_draw_color(60, 60, 60)
            document.line(MARGIN, y, MARGIN + sum(layout.widths), y)
        x = MARGIN
        for i, (cell_lines, width) in enumerate(zip(wrapped, layout.widths)):
            pad = indent if i == 0 else 0.0
            for k, text in enumerate(cell_lines):
                document.put(x + 0.8 + pad, y + 0.45 + k * layout.line, width - 1.6 - pad, text, style, layout.size,
                             right=layout.right[i])
            x += width
        y += height
        document.set_draw_color(200, 200, 200)
        document.line(MARGIN, y, MARGIN + sum(layout.widths), y)
        document.set_y(y)
    close_block(document.get_y())
    document.layout = None
