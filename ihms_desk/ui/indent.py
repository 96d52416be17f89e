"""The indent to the district drug warehouse: suggested from consumption, edited by the clerk,
approved by the in-charge (F10), printed (Ctrl+P), followed through its statuses.

The draft lives in the database (``store.indents``), so every change is kept the moment it is
made and a power cut loses nothing; approving turns it into an ``indent`` document that sync
sends like any other. Ctrl+G works the suggestions again from today's stock and consumption.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton, QWidget

from ihms_desk.store import Store
from ihms_desk.store.indents import IndentLine, IndentSummary
from ihms_desk.store.model import ItemHit, SavedDocument
from ihms_desk.ui import formatting as fmt
from ihms_desk.ui import dialogs, i18n, report_print
from ihms_desk.ui.document_form import DocumentForm
from ihms_desk.ui.forms import RowsModel, attempt, chosen_item_quantity, note_label, parse_whole, rows_table, text_field
from ihms_desk.ui.item_picker import ItemPicker


def status_text(status: str) -> str:
    """An indent's status in the user's language."""
    texts = {
        "draft": QCoreApplication.translate("IndentScreen", "draft"),
        "approved": QCoreApplication.translate("IndentScreen", "approved, not sent yet"),
        "sent": QCoreApplication.translate("IndentScreen", "sent"),
        "partly_issued": QCoreApplication.translate("IndentScreen", "partly issued"),
        "issued": QCoreApplication.translate("IndentScreen", "issued"),
        "closed": QCoreApplication.translate("IndentScreen", "closed"),
        "cancelled": QCoreApplication.translate("IndentScreen", "cancelled"),
    }
    return texts.get(status, status)


class IndentScreen(DocumentForm):
    """The draft's lines with the figures they were worked from; the indents sent, with status."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(
            store, parent, title=self.tr("Indent to the district drug warehouse"), table_name="indent_lines",
            columns=[self.tr("Code"), self.tr("Item"), self.tr("Usable stock"), self.tr("AMC"), self.tr("Days out"),
                     self.tr("On order"), self.tr("Suggested"), self.tr("Indent qty"), self.tr("Emergency")],
            save_text=self.tr("Approve indent (F10)"), line_title=self.tr("Add or change a line"),
            header_columns=(3, 4), box_stretch=(3, 1),
        )
        self._hit: ItemHit | None = None
        self.draft_label = note_label(self, "draft_info")
        self.levels_label = note_label(self, "levels")
        self.note_edit = text_field(self, "note", self.tr("for the warehouse (optional)"))
        self.suggest_button = QPushButton(self.tr("Work suggestions again (Ctrl+G)"), self)
        self.suggest_button.setObjectName("suggest")
        self.print_button = QPushButton(self.tr("Print (Ctrl+P)"), self)
        self.print_button.setObjectName("print")
        self.close_button = QPushButton(self.tr("Close the chosen indent"), self)
        self.close_button.setObjectName("close_indent")
        self.indents = RowsModel([self.tr("Indent"), self.tr("Date"), self.tr("Lines"), self.tr("Units"), self.tr("Status")],
                                 self._indent_cell, self)
        self.indents_view = rows_table(self, self.indents, "indents", stretch=4)
        self.indents_view.setMaximumHeight(130)
        self.header_field(self.tr("Draft"), None, self.draft_label)
        self.header_field(self.tr("Levels"), None, self.levels_label)
        self.header_field(self.tr("Note"), "note", self.note_edit)
        self.header_field("", None, self.suggest_button)
        self.header_field(self.tr("Indents"), None, self.indents_view, column=1)
        self.header_field("", None, self.print_button, column=1)
        self.header_field("", "number", self.close_button, "close_reason", column=1)
        self.picker = ItemPicker(store, self, visible_rows=3)
        self.qty_edit = text_field(self, "quantity", self.tr("units; 0 takes the line off"))
        self.line_field(self.tr("Item"), "item", self.picker)
        self.line_field(self.tr("Quantity"), "quantity", self.qty_edit)
        self.add_button = self.add_button_for_line(self.tr("Set line"))
        self.finish_layout(first=self.picker.line_edit, tab_order=(
            self.picker.line_edit, self.qty_edit, self.add_button, self.note_edit, self.suggest_button, self.indents_view,
            self.print_button, self.close_button))
        self.total_label.setObjectName("indent_total")
        self._printing: tuple[Any, Any] | None = None

        self.picker.item_chosen.connect(self._on_item_chosen)
        self.qty_edit.returnPressed.connect(self.add_line)
        self.note_edit.editingFinished.connect(self._save_note)
        self.suggest_button.clicked.connect(self.suggest)
        self.print_button.clicked.connect(self.print_indent)
        self.close_button.clicked.connect(self.close_indent)
        self.lines_view.activated.connect(self._edit_row)
        QShortcut(QKeySequence("Ctrl+G"), self, self.suggest)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_indent)

    # -- showing ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """The draft as the database holds it (another counter may have changed it), the
        levels of today, and the indents with their statuses."""
        self.picker.refresh()
        levels = self.store.indent_levels()
        self.levels_label.setText(self.tr(
            "AMC over {first} to {last} ({days} days), adjusted for days out of stock; order up to {months} months; "
            "emergency below {emergency} month(s).").format(
                first=fmt.expiry(levels.first_month), last=fmt.expiry(levels.last_month), days=levels.days,
                months=levels.months_max, emergency=levels.emergency_months))
        self._show_draft()
        self.indents.set_rows(attempt(self, self.errors, self.store.indents) or [])

    def _show_draft(self) -> None:
        draft = self.store.indent_draft()
        if draft is None:
            self.lines.set_rows([])
            self.draft_label.setText(self.tr("No draft. Ctrl+G works one out from consumption."))
            self.note_edit.clear()
            return
        self.lines.set_rows(list(draft.lines))
        self.draft_label.setText(self.tr("Started by {user} on {when}; kept as you type. {state}").format(
            user=draft.created_by, when=fmt.datetime_local(draft.created_at),
            state=self.tr("Emergency items on it.") if draft.emergency else ""))
        self.note_edit.setText(draft.note)
        units = sum(line.qty for line in draft.lines)
        self.total_label.setText(self.tr("{lines} line(s), {units} units").format(lines=len(draft.lines), units=fmt.qty(units)))

    def line_cell(self, row: IndentLine, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.item_code, row.item_name, fmt.qty(row.usable_stock), fmt.qty(row.amc), fmt.qty(row.days_out_of_stock),
                    fmt.qty(row.on_order), fmt.qty(row.suggested), fmt.qty(row.qty),
                    self.tr("Emergency") if row.emergency else "")[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and 2 <= column <= 7:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and row.emergency:
            return fmt.SHORT_BG
        return None

    def _indent_cell(self, row: IndentSummary, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.number, fmt.date(row.doc_date), str(row.lines), fmt.qty(row.units), status_text(row.status))[column]
        return None

    # -- editing ------------------------------------------------------------------------------

    @Slot()
    def suggest(self) -> None:
        """Work the draft out again from today's stock, consumption and what is on order."""
        self.errors.clear()
        draft = attempt(self, self.errors, lambda: self.store.start_indent_draft(afresh=True))
        if draft is None:
            return
        self._show_draft()
        self.status_label.setText(self.tr("Suggestions worked out: {n} item(s) to order.").format(n=len(draft.lines)))
        self.lines_view.setFocus()

    @Slot(object)
    def _on_item_chosen(self, hit: ItemHit) -> None:
        self.errors.clear("item")
        self._hit = hit
        for line in self.lines.rows():
            if line.item_code == hit.item.code:
                self.qty_edit.setText(str(line.qty))
                break
        self.qty_edit.selectAll()
        self.qty_edit.setFocus()

    @Slot()
    def _edit_row(self) -> None:
        """Enter on a line: its item and quantity go to the line's fields to be changed."""
        line = self.lines.row(self.lines_view.currentIndex().row())
        if line is not None:
            self.picker.choose_code(line.item_code)

    @Slot()
    def add_line(self) -> None:
        """Put the typed quantity on the draft (0 takes the item off); the store keeps it at once."""

        def typed_qty() -> int | str:
            typed = self.qty_edit.text().strip()
            return 0 if typed == "0" else parse_whole(typed)

        qty = chosen_item_quantity(self.errors, self._hit, typed_qty)
        if qty is None or self._hit is None:
            return
        code = self._hit.item.code
        if attempt(self, self.errors, lambda: self.store.set_indent_line(code, qty), field_name="quantity") is None:
            return
        self._hit = None
        self.picker.clear()
        self.qty_edit.clear()
        self._show_draft()
        self.picker.setFocus()

    @Slot()
    def remove_line(self) -> None:
        line = self.lines.row(self.lines_view.currentIndex().row())
        if line is not None and attempt(self, self.errors, lambda: self.store.set_indent_line(line.item_code, 0)) is not None:
            self._show_draft()

    @Slot()
    def _save_note(self) -> None:
        if self.store.indent_draft() is not None:
            attempt(self, self.errors, lambda: self.store.set_indent_note(self.note_edit.text()), field_name="note")

    def line_typed(self) -> bool:
        return False  # every line is on the draft the moment it is set

    # -- approving and printing ----------------------------------------------------------------

    def save_document(self) -> SavedDocument:
        return self.store.approve_indent(note=self.note_edit.text())

    def saved_text(self, document: SavedDocument) -> str:
        return self.tr("Approved {number}: {lines} line(s) to {to}. Sync sends it to the warehouse.").format(
            number=document.number, lines=len(document.lines), to=document.header["to_name"])

    def after_save(self) -> None:
        self.refresh()
        self.picker.setFocus()

    @Slot()
    def print_indent(self) -> None:
        """Print the indent chosen in the list, else the draft, after a preview (Ctrl+P)."""
        self.errors.clear()
        chosen = self.indents.row(self.indents_view.currentIndex().row()) if self.indents_view.hasFocus() else None
        number = chosen.number if isinstance(chosen, IndentSummary) else None
        report = attempt(self, self.errors, lambda: self.store.indent_report(number))
        if report is None:
            return
        user = self.store.user
        printed_by = f"{user.full_name} ({user.username})" if user is not None else ""
        self._printing = report_print.preview(self, report, i18n.current_language(), printed_by=printed_by,
                                              printed_at=self.store.now())

    @Slot()
    def close_indent(self) -> None:
        """The in-charge closes the indent chosen in the list: nothing more will come against it,
        so its rest is no longer on order (asked why, in a question a test can answer)."""
        self.errors.clear()
        chosen = self.indents.row(self.indents_view.currentIndex().row())
        if not isinstance(chosen, IndentSummary):
            self.errors.set("number", self.tr("Choose an indent in the list first."), focus=False)
            return
        reason = dialogs.ask_text(self, self.tr("Close {number}").format(number=chosen.number),
                                  self.tr("Why nothing more will come against it:"))
        if reason is None:
            return
        closed = attempt(self, self.errors, lambda: self.store.close_indent(chosen.number, reason))
        if closed is not None:
            self.status_label.setText(self.tr("{number} is closed.").format(number=closed.number))
            self.indents.set_rows(attempt(self, self.errors, self.store.indents) or [])

    def shortcuts(self) -> list[tuple[str, str]]:
        return [("Ctrl+G", self.tr("work suggestions again")), ("Ctrl+P", self.tr("print")), *super().shortcuts()[:1]]

