"""Receive against a voucher the warehouse issued (or a transfer another facility sent), and
send the transfers the district suggests.

The voucher's lines come filled in, as sent: a challan that arrived as sent is saved with F10
(nothing typed). A line that differs is chosen in the table (Enter), its quantity received
typed, the difference (short, excess, damaged) and a reason given, and Enter again puts it
back. One receipt document is saved, referencing the voucher (docs/indents.md).

A transfer its sender reversed comes back from sync withdrawn: it stays in the list for a
while, marked so, with a strip saying who reversed it and what to do; nothing on it can be
checked or saved (the store refuses it too).

On the right, the district's redistribution suggestions in which this facility sends: Ctrl+T
turns the chosen one into a transfer document, in one action.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton, QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import Refusal, StoreError
from ihms_desk.store.model import SavedDocument
from ihms_desk.store.vouchers import Suggestion, Voucher, VoucherCheck, VoucherLine, check_differences
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui.document_form import DocumentForm
from ihms_desk.ui.forms import RowsModel, attempt, choice_field, note_label, parse_whole, rows_table, text_field


@dataclass
class CheckedLine:
    """A voucher line as the clerk checked it (``kind`` None: as sent)."""

    line: VoucherLine
    item_name: str
    received: int
    kind: str | None = None
    reason: str = ""

    def check(self) -> VoucherCheck | None:
        return None if self.kind is None else VoucherCheck(self.line.line_no, self.received, self.kind, self.reason)


class VoucherScreen(DocumentForm):
    """One voucher at a time: its lines as sent, the differences found, Save (F10)."""

    LINE_FIELDS = ("lines", "received", "difference", "difference_reason", "item")

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(
            store, parent, title=self.tr("Voucher to receive"), table_name="voucher_lines",
            columns=[self.tr("Line"), self.tr("Code"), self.tr("Item"), self.tr("Batch"), self.tr("Expiry"), self.tr("Sent"),
                     self.tr("Received"), self.tr("Difference"), self.tr("Reason")],
            save_text=self.tr("Save receipt (F10)"), line_title=self.tr("Check the chosen line (Enter in the table)"),
            header_columns=(3, 4), box_stretch=(3, 2), stretch_column=2,
        )
        self._vouchers: list[Voucher] = []
        #: The voucher shown is withdrawn: nothing on it is received.
        self._withdrawn = False
        self.voucher_combo = choice_field(self, "voucher")
        self.voucher_info = note_label(self, "voucher_info")
        self.withdrawn_strip = note_label(self, "withdrawn_strip")
        self.withdrawn_strip.setStyleSheet(f"background: {fmt.EXPIRED_BG.name()}; padding: 4px; font-weight: bold;")
        self.withdrawn_strip.hide()
        self.suggestions = RowsModel([self.tr("Item"), self.tr("To"), self.tr("Quantity"), self.tr("Why")],
                                     self._suggestion_cell, self)
        self.suggestions_view = rows_table(self, self.suggestions, "suggestions", stretch=1)
        self.suggestions_view.setMaximumHeight(110)
        self.transfer_button = QPushButton(self.tr("Make the transfer (Ctrl+T)"), self)
        self.transfer_button.setObjectName("make_transfer")
        self.header_field(self.tr("Voucher"), "voucher", self.voucher_combo)
        self.header_field("", None, self.voucher_info)
        self.header_field("", None, self.withdrawn_strip)
        self.header_field(self.tr("Suggested transfers"), "suggestion", self.suggestions_view, column=1)
        self.header_field("", None, self.transfer_button, column=1)

        self.received_edit = text_field(self, "received", self.tr("units that arrived usable"))
        self.difference_combo = choice_field(self, "difference", [
            (self.tr("As sent"), None), (self.tr("Short"), "short"), (self.tr("Excess"), "excess"),
            (self.tr("Damaged"), "damaged")])
        self.reason_edit = text_field(self, "difference_reason", self.tr("e.g. one carton missing"))
        self.line_field(self.tr("Received"), "received", self.received_edit)
        self.line_field(self.tr("Difference"), "difference", self.difference_combo)
        self.line_field(self.tr("Reason"), "difference_reason", self.reason_edit)
        self.add_button = self.add_button_for_line(self.tr("Set line"))
        self.finish_layout(first=self.voucher_combo)
        # Tab from the voucher goes straight to its lines (the next thing a clerk checks), then
        # the chosen line's fields, then the suggestions.
        order = (self.voucher_combo, self.lines_view, self.received_edit, self.difference_combo, self.reason_edit,
                 self.add_button, self.suggestions_view, self.transfer_button, self.save_button)
        for before, after in zip(order, order[1:]):
            QWidget.setTabOrder(before, after)

        # A voucher's lines are the warehouse's: Del puts the chosen one back to as sent.
        self.remove_button.setText(self.tr("Back to as sent (Del)"))
        self.voucher_combo.currentIndexChanged.connect(self._show_voucher)
        self.lines_view.activated.connect(self._edit_row)
        self.received_edit.returnPressed.connect(self._after_received)
        self.reason_edit.returnPressed.connect(self.add_line)
        self.transfer_button.clicked.connect(self.make_transfer)
        QShortcut(QKeySequence("Ctrl+T"), self, self.make_transfer)
        self.lines.modelReset.connect(self._update_total)
        self.lines.dataChanged.connect(self._update_total)

    # -- showing ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """The vouchers waiting and the open suggestions, as sync last brought them."""
        chosen = self.voucher_combo.currentData()
        self._vouchers = attempt(self, self.errors, self.store.vouchers) or []
        self.voucher_combo.blockSignals(True)
        self.voucher_combo.clear()
        for voucher in self._vouchers:
            kind = self.tr("transfer") if voucher.kind == "transfer" else self.tr("voucher")
            if voucher.withdrawn:
                text = self.tr("{number} · {kind} from {sender} · withdrawn").format(
                    number=voucher.number, kind=kind, sender=voucher.from_name)
            else:
                text = self.tr("{number} · {kind} from {sender} · {lines} line(s)").format(
                    number=voucher.number, kind=kind, sender=voucher.from_name, lines=len(voucher.lines))
            self.voucher_combo.addItem(text, voucher.number)
        index = max(0, self.voucher_combo.findData(chosen))
        self.voucher_combo.setCurrentIndex(index if self._vouchers else -1)
        self.voucher_combo.blockSignals(False)
        self._show_voucher()
        self.suggestions.set_rows(attempt(self, self.errors, self.store.transfer_suggestions) or [])
        if self.suggestions.rowCount():
            self.suggestions_view.selectRow(0)

    def current_voucher(self) -> Voucher | None:
        index = self.voucher_combo.currentIndex()
        return self._vouchers[index] if 0 <= index < len(self._vouchers) else None

    @Slot()
    def _show_voucher(self) -> None:
        voucher = self.current_voucher()
        self._show_withdrawn(voucher)
        if voucher is None:
            self.lines.set_rows([])
            self.voucher_info.setText(self.tr("No voucher waiting. Sync brings the vouchers the warehouse issues."))
            return
        names: dict[str, str] = {}
        for line in voucher.lines:
            if line.item_code not in names:
                try:
                    names[line.item_code] = fmt.item_label(self.store.item(line.item_code))
                except StoreError:
                    names[line.item_code] = "?"
        self.lines.set_rows([CheckedLine(line, names[line.item_code], line.qty) for line in voucher.lines])
        indent = self.tr("against indent {number}").format(number=voucher.indent_number) if voucher.indent_number else ""
        self.voucher_info.setText(self.tr("From {sender} ({code}), issued {date} {indent}").format(
            sender=voucher.from_name, code=voucher.from_code, date=fmt.date(voucher.issued_on), indent=indent))
        if self.lines.rowCount():
            self.lines_view.selectRow(0)

    def _show_withdrawn(self, voucher: Voucher | None) -> None:
        """A withdrawn voucher: the strip says who reversed it and what to do, and nothing on
        it can be checked or saved."""
        withdrawn = self._withdrawn = voucher is not None and voucher.withdrawn
        if voucher is not None and withdrawn:
            for edit in (self.received_edit, self.reason_edit):
                edit.clear()
            self.withdrawn_strip.setText(self.tr(
                "Withdrawn: {sender} reversed this transfer on {date} ({reversal}). Do not receive it; if the "
                "stock came all the same, keep it aside and tell {sender} and the district.").format(
                sender=voucher.from_name, date=fmt.date(voucher.withdrawn_on), reversal=voucher.withdrawn_by))
        self.withdrawn_strip.setVisible(withdrawn)
        for widget in (self.save_button, self.received_edit, self.difference_combo, self.reason_edit, self.add_button,
                       self.remove_button):
            widget.setEnabled(not withdrawn)

    def line_cell(self, row: CheckedLine, column: int, role: int) -> Any:
        kinds = {"short": self.tr("Short"), "excess": self.tr("Excess"), "damaged": self.tr("Damaged")}
        if role == Qt.ItemDataRole.DisplayRole:
            line = row.line
            received = "–" if self._withdrawn else fmt.qty(row.received)
            return (str(line.line_no), line.item_code, row.item_name, line.batch_no, fmt.expiry(line.expiry_month),
                    fmt.qty(line.qty), received, kinds.get(row.kind or "", ""), row.reason)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and row.kind is not None:
            return fmt.SHORT_BG
        return None

    def _suggestion_cell(self, row: Suggestion, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            why = self.tr("surplus") if row.reason == "surplus" else self.tr("expires {month}").format(
                month=fmt.expiry(row.expires))
            return (row.item_code, row.to_name, fmt.qty(row.qty), why)[column]
        return None

    def _update_total(self) -> None:
        rows: list[CheckedLine] = self.lines.rows()
        if self._withdrawn:
            self.total_label.setText(self.tr("{lines} line(s), {units} units sent; withdrawn: nothing to receive").format(
                lines=len(rows), units=fmt.qty(sum(row.line.qty for row in rows))))
            return
        differ = sum(1 for row in rows if row.kind is not None)
        self.total_label.setText(self.tr("{lines} line(s), {units} units received; {differ} differ from the voucher").format(
            lines=len(rows), units=fmt.qty(sum(row.received for row in rows)), differ=differ))

    # -- checking a line ------------------------------------------------------------------------

    @Slot()
    def _edit_row(self) -> None:
        row = self.lines.row(self.lines_view.currentIndex().row())
        if row is None:
            return
        self.received_edit.setText(str(row.received))
        self.difference_combo.setCurrentIndex(max(0, self.difference_combo.findData(row.kind)))
        self.reason_edit.setText(row.reason)
        self.received_edit.selectAll()
        self.received_edit.setFocus()

    @Slot()
    def _after_received(self) -> None:
        """Enter after the quantity: a quantity other than sent names its difference (less:
        short, more: excess; damaged is chosen by hand) and asks why; as sent puts the line back."""
        row = self.lines.row(self.lines_view.currentIndex().row())
        received = parse_whole(self.received_edit.text())
        if row is None or not isinstance(received, int):
            self.add_line()
            return
        if received == row.line.qty and self.difference_combo.currentData() is None:
            self.add_line()
            return
        if self.difference_combo.currentData() is None:
            self.difference_combo.setCurrentIndex(self.difference_combo.findData("short" if received < row.line.qty else "excess"))
        self.reason_edit.setFocus()

    @Slot()
    def add_line(self) -> None:
        """Put the checked line back into the table (checked with the store's rules)."""
        self.errors.clear()
        index = self.lines_view.currentIndex().row()
        row = self.lines.row(index)
        voucher = self.current_voucher()
        if row is None or voucher is None:
            return
        kind = self.difference_combo.currentData()
        try:
            received = parse_whole(self.received_edit.text())
            if not isinstance(received, int):
                raise Refusal("bad_received_qty", field="received", line=row.line.line_no)
            if kind is None and received != row.line.qty:
                raise Refusal("choose_difference", field="difference", line=row.line.line_no)
            if kind is not None:
                check_differences(voucher, [VoucherCheck(row.line.line_no, received, kind, self.reason_edit.text())])
        except Refusal as refusal:
            self.errors.show(refusal)
            return
        row.received, row.kind, row.reason = received, kind, self.reason_edit.text().strip() if kind else ""
        self.lines.row_changed(index)
        self.received_edit.clear()
        self.reason_edit.clear()
        self.difference_combo.setCurrentIndex(0)
        self.lines_view.selectRow(min(index + 1, self.lines.rowCount() - 1))
        self.lines_view.setFocus()

    @Slot()
    def remove_line(self) -> None:
        """Del on a line: back to as sent (a voucher's lines are the warehouse's, never removed)."""
        index = self.lines_view.currentIndex().row()
        row = self.lines.row(index)
        if row is not None:
            row.received, row.kind, row.reason = row.line.qty, None, ""
            self.lines.row_changed(index)

    # -- saving -----------------------------------------------------------------------------------

    def save_document(self) -> SavedDocument:
        voucher = self.current_voucher()
        if voucher is None:
            raise Refusal("voucher_not_found", field="voucher", number="")
        checks = [check for row in self.lines.rows() if (check := row.check()) is not None]
        return self.store.receive_voucher(voucher.number, checks, from_code=voucher.from_code)

    def saved_text(self, document: SavedDocument) -> str:
        return self.tr("Saved {number}: voucher {voucher} received, {differ} difference(s).").format(
            number=document.number, voucher=document.header["against_voucher"], differ=len(document.header["differences"]))

    def after_save(self) -> None:
        self.refresh()
        self.voucher_combo.setFocus()

    # -- redistribution -------------------------------------------------------------------------

    @Slot()
    def make_transfer(self) -> None:
        """The chosen suggestion (or the first) becomes a transfer document, in one action."""
        self.errors.clear()
        row = self.suggestions.row(max(0, self.suggestions_view.currentIndex().row()))
        if not isinstance(row, Suggestion):
            return
        document = attempt(self, self.errors, lambda: self.store.transfer_from_suggestion(row.id), field_name="suggestion")
        if document is None:
            return
        taken = ", ".join(f"{m['batch_no']} × {fmt.qty(-m['qty'])}" for m in document.movements)
        self.status_label.setText(self.tr("Saved {number}: {item} to {to} ({taken}).").format(
            number=document.number, item=row.item_code, to=row.to_name, taken=taken))
        self.saved.emit(document)
        self.suggestions.set_rows(attempt(self, self.errors, self.store.transfer_suggestions) or [])

    def shortcuts(self) -> list[tuple[str, str]]:
        return [("Ctrl+T", self.tr("make the suggested transfer")), *super().shortcuts()[:1],
                ("Del", self.tr("the chosen line back to as sent"))]
