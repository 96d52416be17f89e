"""A day's documents (receipts, dispenses, adjustments, transfers, stocktakes, reversals), the
stock each one moved, and reversal by the MO in-charge.

Nothing is edited: a wrong document is undone by a reversal document that the store writes
(:meth:`Store.reverse`), after a confirm question asked through :func:`ask_reverse`, which
tests replace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QItemSelection, QModelIndex, QObject, QPersistentModelIndex, Qt, Slot
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QHeaderView, QLabel, QPushButton, QVBoxLayout, QWidget

from ihms_desk.store import Store
from ihms_desk.store.counter import PATIENT_RETURN
from ihms_desk.store.errors import Refusal
from ihms_desk.store.model import DocumentSummary, SavedDocument
from ihms_desk.store.users import Action
from ihms_desk.ui import dialogs
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.forms import (
    FieldErrors, RowsModel, attempt, choice_field, error_label, master_detail, note_label, rows_table, text_field,
)
from ihms_desk.ui.screen import Screen

#: The list reads a day's documents a page at a time, newest first: the first page when the
#: day is shown, the next when the list is scrolled to its end. A busy CHC saves up to ~1,500
#: dispenses a day; reading the whole day at once (up to 5,000) blocked the window for 90 ms
#: and more on a long day (docs/performance.md), a page of 300 for under 20.
PAGE = 300
KINDS = ("receipt", "dispense", "adjustment", "transfer", "stocktake", "reversal", "indent")


def reverse_question(document: SavedDocument, reason: str) -> str:
    """What the confirm question says: every unit goes back; for a transfer to another
    facility, that its voucher there is withdrawn when this desk syncs."""
    question = QCoreApplication.translate(
        "DocumentsScreen", "A reversal document will move every unit of {number} back. It cannot be undone.\n\nReason: {reason}"
    ).format(number=document.number, reason=reason)
    if document.kind == "transfer" and document.header.get("to_facility"):
        question += "\n\n" + QCoreApplication.translate(
            "DocumentsScreen", "The voucher {name} receives this transfer by will be withdrawn when this desk syncs, "
            "so it cannot be received there. If {name} has received it already, the district sees a conflict to settle."
        ).format(name=document.header.get("destination_name") or document.header["to_facility"])
    return question


def ask_reverse(parent: QWidget, number: str, question: str) -> bool:
    """The confirm question before a reversal (:func:`reverse_question`); tests replace this function."""
    return dialogs.confirm(
        parent, QCoreApplication.translate("DocumentsScreen", "Reverse {number}?").format(number=number), question)


class DayDocuments(RowsModel):
    """The documents of the day shown, a page at a time: the view asks for the next page
    (``canFetchMore``/``fetchMore``) when it is scrolled to the end of those read so far."""

    def __init__(self, headers: Sequence[str], cell: Callable[[Any, int, int], Any], parent: QObject,
                 next_page: Callable[[DocumentSummary | None], list[DocumentSummary] | None]) -> None:
        super().__init__(headers, cell, parent)
        #: Reads the page after the given document (``None``: the first); ``None`` if it failed.
        self._next_page = next_page
        self._more = False

    def set_rows(self, rows: Sequence[Any]) -> None:
        super().set_rows(rows)
        self._more = len(rows) >= PAGE

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return self._more and not parent.isValid()

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        page = self._next_page(self.row(self.rowCount() - 1))
        self._more = page is not None and len(page) >= PAGE
        if page:
            first = self.rowCount()
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()


class DocumentsScreen(Screen):
    """The documents of one day; the selected one's stock movements below it."""

    NUMBER, TIME, KIND, SUMMARY, LINES, BY, STATE = range(7)
    M_LINE, M_ITEM, M_BATCH, M_EXPIRY, M_QTY, M_NOTE = range(6)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(store, parent)
        self._document: SavedDocument | None = None
        self._returned_slips: dict[str, tuple[str, object]] = {}
        self.last_reversal: str | None = None
        self.general_error = error_label(self, "general")
        self.errors = FieldErrors(self.general_error)

        self.day_edit = QDateEdit(self)
        self.day_edit.setObjectName("day")
        self.day_edit.setDisplayFormat("dd-MM-yyyy")
        self.day_edit.setCalendarPopup(True)
        self.kind_combo = choice_field(self, "kind", [
            (self.tr("All kinds"), ""), *((self.kind_label(kind), kind) for kind in KINDS)])
        self.count_label = QLabel(self)
        self.count_label.setObjectName("documents_count")

        self.documents = DayDocuments(
            [self.tr("Number"), self.tr("Time"), self.tr("Kind"), self.tr("Details"), self.tr("Lines"), self.tr("By"),
             self.tr("Reversal")],
            self._document_cell, self, self._page_after,
        )
        # Fixed widths: measuring every cell of a busy day's 1,500 rows took over half a second.
        self.view = rows_table(self, self.documents, "documents_table", stretch=self.SUMMARY, widths={
            self.NUMBER: 150, self.TIME: 55, self.KIND: 100, self.LINES: 50, self.BY: 100, self.STATE: 200})

        self.detail_label = note_label(self, "document_detail")
        self.detail_label.setText(self.tr("Select a document to see what it moved."))
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.movements = RowsModel(
            [self.tr("Line"), self.tr("Item"), self.tr("Batch"), self.tr("Expiry"), self.tr("Quantity"), self.tr("Note")],
            self._movement_cell, self,
        )
        self.movements_view = rows_table(self, self.movements, "movements_table", stretch=self.M_ITEM)
        # The note (a short-expiry reason) shares the spare width with the item, elided, the
        # whole of it on hover; the column is shown only for a document with a note.
        self.movements_view.horizontalHeader().setSectionResizeMode(self.M_NOTE, QHeaderView.ResizeMode.Stretch)
        self.movements_view.setColumnHidden(self.M_NOTE, True)

        self.reason_edit = text_field(self, "reason", self.tr("Reason for the reversal, e.g. wrong patient, typed twice"))
        self.reverse_button = QPushButton(self.tr("Reverse this document"), self)
        self.reverse_button.setObjectName("reverse")
        self.reverse_hint = QLabel(self)
        self.reverse_hint.setObjectName("reverse_hint")
        self.status_label = note_label(self, "status")
        self.status_label.hide()  # until a reversal is saved: its empty line was height the moved lines need

        filters = QHBoxLayout()
        filters.addWidget(QLabel(self.tr("Day"), self))
        filters.addWidget(self.day_edit)
        filters.addWidget(QLabel(self.tr("Kind"), self))
        filters.addWidget(self.kind_combo)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        reverse_row = QHBoxLayout()
        reverse_row.addWidget(self.errors.wrap("reason", self.reason_edit), 1)
        reverse_row.addWidget(self.reverse_button, 0, Qt.AlignmentFlag.AlignTop)
        splitter = master_detail(self, self.view, (self.detail_label, self.movements_view, reverse_row, self.reverse_hint))
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.status_label)
        self.setFocusProxy(self.view)

        self.day_edit.setDate(_qdate(store.today()))
        self.day_edit.dateChanged.connect(self._reload)
        self.kind_combo.currentIndexChanged.connect(self._reload)
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.reason_edit.returnPressed.connect(self.reverse)
        self.reverse_button.clicked.connect(self.reverse)
        self._update_reverse()

    # -- public -----------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Called when the screen is shown (F6): today's documents, newest first."""
        today = self.store.today()
        self.day_edit.setMaximumDate(_qdate(today))
        self._reload()

    def show_day(self, day: dt.date, kind: str = "") -> None:
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(kind)))
        self.day_edit.setDate(_qdate(day))
        self._reload()

    def select_number(self, number: str) -> bool:
        """Select a document of the day shown, reading further pages until it is found."""
        row = 0
        while True:
            for row in range(row, self.documents.rowCount()):
                if self.documents.row(row).number == number:
                    self.view.selectRow(row)
                    return True
            if not self.documents.canFetchMore(QModelIndex()):
                return False
            row = self.documents.rowCount()
            self.documents.fetchMore(QModelIndex())

    def current_document(self) -> SavedDocument | None:
        return self._document

    def code_label(self, code: object) -> str:
        """A header code (source, reason, destination type) in the user's language."""
        return {
            "ddw": self.tr("District drug warehouse"),
            "facility": self.tr("another facility"),
            "local_purchase": self.tr("local purchase"),
            "damaged": self.tr("damaged"),
            "expired_write_off": self.tr("expired, written off"),
            "return_to_warehouse": self.tr("returned to the warehouse"),
            "lost": self.tr("lost"),
            "found": self.tr("found"),
            "stocktake_correction": self.tr("stocktake correction"),
            PATIENT_RETURN: self.tr("patient return"),  # unused medicine a patient brought back
            "ward": self.tr("ward"),
            "sub_centre": self.tr("sub-centre"),
        }.get(str(code), str(code or ""))

    def kind_label(self, kind: str) -> str:
        return {
            "receipt": self.tr("Receipt"),
            "dispense": self.tr("Dispense"),
            "adjustment": self.tr("Adjustment"),
            "transfer": self.tr("Transfer out"),
            "stocktake": self.tr("Stocktake"),
            "reversal": self.tr("Reversal"),
            "indent": self.tr("Indent"),
        }.get(kind, kind)

    # -- the list ---------------------------------------------------------------------------

    @Slot()
    def _reload(self) -> None:
        selected = self._document.number if self._document else None
        self._returned_slips = {}
        summaries = self._page_after(None)
        count = attempt(self, self.errors, lambda: self.store.documents_counted_on(self._day(), kind=self._kind()))
        self.documents.set_rows(summaries or [])
        self.count_label.setText(self.tr("%n document(s)", "", count or self.documents.rowCount()))
        if not (selected and self.select_number(selected)):
            self._show_document(None)

    def _day(self) -> dt.date:
        qdate = self.day_edit.date()
        return dt.date(qdate.year(), qdate.month(), qdate.day())

    def _kind(self) -> str | None:
        return self.kind_combo.currentData() or None

    def _page_after(self, last: DocumentSummary | None) -> list[DocumentSummary] | None:
        """The next :data:`PAGE` documents of the day shown after ``last`` (``None``: the newest),
        one indexed query (document_date index); ``None`` when it failed (the error is shown)."""
        day, kind, before = self._day(), self._kind(), last.id if last is not None else None
        page = attempt(self, self.errors, lambda: self.store.documents_on(day, kind=kind, limit=PAGE, before_id=before))
        self._returned_slips.update(self._slips_returned(page or []))
        return page

    def _slips_returned(self, summaries: list[DocumentSummary]) -> dict[str, tuple[str, object]]:
        """The slip and line each patient return on the list brought units back from, by the
        return's number. The day's summary holds only the reason code, so each return's header
        is read: a few a day at a counter, a few milliseconds each."""
        slips: dict[str, tuple[str, object]] = {}
        for summary in summaries:
            if summary.kind == "adjustment" and summary.summary == PATIENT_RETURN:
                try:
                    header = self.store.document(summary.number).header
                except Refusal:  # gone between the two reads: the reason alone is shown
                    continue
                if header.get("returns_number"):
                    slips[summary.number] = (str(header["returns_number"]), header.get("returns_line_no"))
        return slips

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        rows = self.view.selectionModel().selectedRows()
        summary: DocumentSummary | None = self.documents.row(rows[0].row()) if rows else None
        if summary is None:
            self._show_document(None)
            return
        document = attempt(self, self.errors, lambda: self.store.document(summary.number))
        self._show_document(document)

    def _show_document(self, document: SavedDocument | None) -> None:
        self._document = document
        self.errors.clear()
        if document is None:
            self.movements.set_rows([])
            self.detail_label.setText(self.tr("Select a document to see what it moved."))
        else:
            names: dict[str, str] = {}
            for movement in document.movements:
                code = movement["item_code"]
                if code not in names:
                    try:
                        names[code] = f"{code} · {fmt.item_label(self.store.item(code))}"
                    except Refusal:  # an item made inactive since: its code is enough
                        names[code] = code
            notes = self._line_notes(document)
            self.movements.set_rows([{**movement, "item_label": names[movement["item_code"]], "note": notes.get(movement["line_no"], "")}
                                     for movement in document.movements])
            self.movements_view.setColumnHidden(self.M_NOTE, not notes)
            self.detail_label.setText(self._describe(document))
        self._update_reverse()

    def _line_notes(self, document: SavedDocument) -> dict[int, str]:
        """What a line recorded beyond its movement, by line number: the reason short-expiry
        stock was taken (ReceiptLine.short_expiry_reason, kept with the receipt's line)."""
        if document.kind != "receipt":
            return {}
        return {int(line["line_no"]): self.tr("Short expiry taken: {reason}").format(reason=line["short_expiry_reason"])
                for line in document.lines if line.get("short_expiry_reason")}

    def _describe(self, document: SavedDocument) -> str:
        header = document.header
        parts = [f"{document.number} · {self.kind_label(document.kind)} · {fmt.date(document.doc_date)} · "
                 f"{fmt.datetime_local(document.created_at)} · {document.created_by}"]
        if document.kind == "receipt":
            parts += self._describe_receipt(header)
        elif document.kind == "dispense":
            parts.append(self.tr("OPD {opd} · {name} ({age}/{sex}) · {prescriber}").format(
                opd=header.get("opd_no"), name=header.get("patient_name"), age=header.get("age"), sex=header.get("sex"),
                prescriber=header.get("prescriber")))
            for line in document.lines:
                parts.append(self.tr("{item}: prescribed {prescribed}, given {given}").format(
                    item=line.get("item_code"), prescribed=fmt.qty(line.get("qty_prescribed")),
                    given=fmt.qty(line.get("qty_dispensed"))))
            for shortfall in document.shortfalls:
                parts.append(self.tr("Not available: {item} × {qty}").format(
                    item=shortfall["item_code"], qty=fmt.qty(shortfall["not_available"])))
        elif document.kind == "transfer":
            parts.append(self.tr("To {type}: {name}").format(type=self.code_label(header.get("destination_type")), name=header.get("destination_name")))
        elif document.kind == "adjustment":
            parts.append(self.tr("Reason: {reason}").format(reason=self.code_label(header.get("reason_code"))))
            if header.get("returns_number"):
                # A patient return names the slip and line the units came back from.
                parts.append(self.tr("Brought back from {number}, line {line}").format(
                    number=header["returns_number"], line=header.get("returns_line_no")))
        elif document.kind == "indent":
            # An indent moves no stock: its lines are what it asked for (reversing it cancels it).
            parts.append(self.tr("To {name}, approved by {user}").format(name=header.get("to_name"), user=header.get("approved_by")))
            for line in document.lines:
                parts.append(self.tr("{item}: asked {qty}").format(item=line.get("item_code"), qty=fmt.qty(line.get("qty"))))
        elif document.kind == "stocktake":
            parts.append(self.tr("{n} batch(es) counted").format(n=len(document.lines)))
        if header.get("note"):
            parts.append(self.tr("Note: {note}").format(note=header["note"]))
        if document.reverses_number:
            parts.append(self.tr("Reverses {number}. Reason: {reason}").format(number=document.reverses_number, reason=document.reason))
        if document.reversed_by:
            parts.append(self.tr("Reversed by {number}").format(number=document.reversed_by))
        return "\n".join(parts)

    def _describe_receipt(self, header: dict[str, Any]) -> list[str]:
        """Where a receipt came from and, for one made against a synced voucher, the voucher,
        its indent and every line that differed from it (VouchersMixin.receive_voucher)."""
        source, name = self.code_label(header.get("source")), header.get("source_name")
        voucher, date = header.get("voucher_no"), fmt.date(header.get("voucher_date"))
        # Two wordings, not an empty name: "From District drug warehouse , voucher" had a stray space.
        if name:
            parts = [self.tr("From {source} ({name}), voucher {voucher} of {date}").format(
                source=source, name=name, voucher=voucher, date=date)]
        else:
            parts = [self.tr("From {source}, voucher {voucher} of {date}").format(source=source, voucher=voucher, date=date)]
        against = header.get("against_voucher")
        if not against:  # typed on the Receive screen: nothing to compare with
            return parts
        # One line for the voucher, its indent and whether anything differed: at 1366x698 every
        # line here is height taken from the table of what the receipt moved.
        if header.get("indent_number"):
            synced = self.tr("Received against the synced voucher {voucher}, issued against indent {indent}.").format(
                voucher=against, indent=header["indent_number"])
        else:
            synced = self.tr("Received against the synced voucher {voucher}, issued without an indent.").format(voucher=against)
        differences = header.get("differences") or []
        outcome = self.tr("These lines differed from it:") if differences else self.tr("Everything arrived as sent.")
        parts.append(f"{synced} {outcome}")
        kinds = {"short": self.tr("short"), "excess": self.tr("excess"), "damaged": self.tr("damaged")}
        for difference in differences:
            parts.append(self.tr(
                "Voucher line {line}, {item} batch {batch}: sent {sent}, received {received}, {kind} ({reason})").format(
                line=difference.get("voucher_line"), item=difference.get("item_code"), batch=difference.get("batch_no"),
                sent=fmt.qty(difference.get("sent")), received=fmt.qty(difference.get("received")),
                kind=kinds.get(str(difference.get("kind")), str(difference.get("kind"))), reason=difference.get("reason")))
        return parts

    # -- reversal ---------------------------------------------------------------------------

    def _update_reverse(self) -> None:
        document = self._document
        user = self.store.user
        allowed = user is not None and user.may(Action.REVERSE)
        possible = document is not None and document.kind != "reversal" and not document.reversed_by
        self.reverse_button.setEnabled(possible)
        self.reason_edit.setEnabled(possible)
        hint = ""
        if not allowed:
            # Shown, not hidden: the clerk should know who to ask.
            hint = self.tr("Only the MO in-charge or the administrator may reverse a document.")
        elif document is not None and document.reversed_by:
            hint = self.tr("Already reversed by {number}.").format(number=document.reversed_by)
        elif document is not None and document.kind == "reversal":
            hint = self.tr("A reversal is not reversed: enter the document again instead.")
        _say(self.reverse_hint, hint)

    @Slot()
    def reverse(self) -> None:
        """Reverse the selected document after the confirm question; the store checks the role."""
        document = self._document
        if document is None:
            return
        self.errors.clear()
        reason = self.reason_edit.text().strip()
        if not reason:
            self.errors.set("reason", self.tr("Type the reason for the reversal."), focus=True)
            return
        if not ask_reverse(self, document.number, reverse_question(document, reason)):
            return
        reversal = attempt(self, self.errors, lambda: self.store.reverse(document.number, reason=reason),
                           permission_field="reason")
        if reversal is None:
            return
        self.last_reversal = reversal.number
        self.reason_edit.clear()
        _say(self.status_label, self.tr("{number} reversed by {reversal}.").format(number=document.number, reversal=reversal.number))
        self._reload()

    # -- cells ------------------------------------------------------------------------------

    def _document_cell(self, summary: DocumentSummary, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.NUMBER:
                return summary.number
            if column == self.TIME:
                return fmt.time_local(summary.created_at)
            if column == self.KIND:
                return self.kind_label(summary.kind)
            if column == self.SUMMARY:
                return self._summary_text(summary)
            if column == self.LINES:
                return str(summary.lines)
            if column == self.BY:
                return summary.created_by
            if summary.reversed_by:
                return self.tr("reversed by {number}").format(number=summary.reversed_by)
            if summary.reverses_number:
                return self.tr("reverses {number}").format(number=summary.reverses_number)
            return ""
        if role == Qt.ItemDataRole.ForegroundRole and summary.reversed_by:
            return fmt.OUT_OF_STOCK_FG
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.LINES:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _summary_text(self, summary: DocumentSummary) -> str:
        """The Details column in the user's language: the store's summary starts with a code
        (ddw, damaged, ward), and a reversal's is English ("reverses ..."); a patient return
        also names the slip it brought units back from."""
        if summary.kind == "reversal" and summary.reverses_number:
            return self.tr("reverses {number}").format(number=summary.reverses_number)
        if summary.kind not in ("receipt", "adjustment", "transfer"):
            return summary.summary
        code, sep, rest = summary.summary.partition(" · ")
        text = self.code_label(code) + sep + rest
        if summary.number in self._returned_slips:
            number, line = self._returned_slips[summary.number]
            text += " · " + self.tr("slip {number}, line {line}").format(number=number, line=line)
        return text

    def _movement_cell(self, movement: dict[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(movement["line_no"]), movement["item_label"], movement["batch_no"], fmt.expiry(movement["expiry_month"]),
                    fmt.signed_qty(movement["qty"]), movement["note"])[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (self.M_LINE, self.M_QTY):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if movement["note"]:
            # Marked as the Receive screen marks short expiry; the whole note on hover (it is elided).
            if role == Qt.ItemDataRole.BackgroundRole and column == self.M_EXPIRY:
                return fmt.NEAR_EXPIRY_BG
            if role == Qt.ItemDataRole.ToolTipRole:
                return movement["note"]
        return None


def _say(label: QLabel, text: str) -> None:
    """Set a hint's text, and hide the label while it is empty: at 1366x698 the lines a
    document moved need the height an empty line would take."""
    label.setText(text)
    label.setVisible(bool(text))


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)
