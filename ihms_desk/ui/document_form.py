"""The screens that write one document (receive, adjust, transfer, stocktake; soon indent and
voucher receipt) share one shape, written here once: a header, the line being typed, the
lines table, and Save.

A screen built on :class:`DocumentForm` says what its fields are and what its store call is;
the layout, the refusal under its field, the keys (Ctrl+S / F10 save, Del removes a line),
"a typed line is taken before saving", the status line, ``saved`` for the sync and the
window title's "2 lines not saved" are all done here::

    class TransferScreen(DocumentForm):
        LINE_FIELDS = ("item", "batch", "quantity")

        def __init__(self, store, parent=None):
            super().__init__(store, parent, title=self.tr("Transfer out"),
                             columns=[self.tr("Code"), self.tr("Item"), ...],
                             save_text=self.tr("Save transfer (F10)"), table_name="transfer_lines")
            self.header_field(self.tr("To"), "destination_type", self.destination_type)
            self.line_field(self.tr("Item"), "item", self.picker)
            self.add_button = self.add_button_for_line(self.tr("Add line"))
            ...
            self.finish_layout(first=self.destination_type)

        def add_line(self): ...                      # check the typed line, append it
        def line_cell(self, row, column, role): ...  # what the lines table shows
        def save_document(self): return self.store.transfer_out(...)
        def saved_text(self, document): return self.tr("Saved {number} ...")

See docs/layout.md for the whole example.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLayout, QPushButton, QVBoxLayout, QWidget

from ihms_desk.store import Store
from ihms_desk.store.model import SavedDocument
from ihms_desk.ui.forms import FieldErrors, RowsModel, attempt, error_label, rows_table, shortcut_delete, shortcut_save
from ihms_desk.ui.screen import Screen


class _Fields:
    """A group box whose fields stand in one or more columns of label / field rows."""

    def __init__(self, box: QGroupBox, stretches: Sequence[int]) -> None:
        self.box = box
        row = QHBoxLayout(box)
        self.columns = [QFormLayout() for _ in stretches]
        for stretch, column in zip(stretches, self.columns):
            row.addLayout(column, stretch)

    def add(self, label: str, widget: QWidget | QLayout, column: int = 0) -> None:
        self.columns[column].addRow(label, widget)


class DocumentForm(Screen):
    """A screen that writes one document: header, the line being typed, the lines, Save.

    The words every document screen shares are in the "DocumentForm" translation context
    (``QCoreApplication.translate`` with a literal, which lupdate finds; ``self.tr`` would
    look them up under each screen's own class name).
    """

    #: The fields of one line: a refusal naming one of them at save time belongs under the
    #: lines table (the entry fields are empty by then).
    LINE_FIELDS: tuple[str, ...] = ("item", "batch", "quantity")
    #: Where a "your role may not" refusal is shown (None: under the lines, with the rest).
    PERMISSION_FIELD: str | None = None

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        title: str,
        columns: Sequence[str],
        save_text: str,
        table_name: str,
        line_title: str | None = None,
        header_columns: Sequence[int] = (1,),
        line_columns: Sequence[int] = (1,),
        side_by_side: bool = True,
        line_first: bool = False,
        box_stretch: tuple[int, int] = (1, 1),
        stretch_column: int = 1,
        editable: Sequence[int] = (),
        set_cell: Callable[[Any, int, Any], bool] | None = None,
    ) -> None:
        super().__init__(store, parent)
        #: The number of the last document saved here (tests and the status line read it).
        self.last_saved: str | None = None
        self.general_error = error_label(self, "general")
        self.errors = FieldErrors(self.general_error)
        self.header_box = QGroupBox(title, self)
        self.line_box = QGroupBox(line_title or QCoreApplication.translate("DocumentForm", "Line"), self)
        self._header = _Fields(self.header_box, header_columns)
        self._line = _Fields(self.line_box, line_columns)
        self.side_by_side = side_by_side
        boxes = [(self.header_box, box_stretch[0]), (self.line_box, box_stretch[1])]
        #: The boxes as they stand, left to right (or top to bottom).
        self._boxes = boxes[::-1] if line_first else boxes

        self.lines = RowsModel(columns, self.line_cell, self, editable=editable, set_cell=set_cell)
        self.lines_view = rows_table(self, self.lines, table_name, stretch=stretch_column)
        self.remove_button = QPushButton(QCoreApplication.translate("DocumentForm", "Remove line (Del)"), self)
        self.remove_button.setObjectName("remove_line")
        #: Beside the buttons: the lines' total, or what a preview found.
        self.total_label = QLabel(self)
        self.total_label.setObjectName("total")
        self.total_label.setWordWrap(True)
        self.save_button = QPushButton(save_text, self)
        self.save_button.setObjectName("save")
        self.save_button.setAutoDefault(False)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("status")
        self.status_label.setWordWrap(True)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.remove_button)
        self.buttons.addWidget(self.total_label, 1)
        self.buttons.addWidget(self.save_button)

        self.remove_button.clicked.connect(self.remove_line)
        self.save_button.clicked.connect(self.save)
        shortcut_save(self, self.save)
        shortcut_delete(self.lines_view, self.remove_line)
        self.lines.rowsInserted.connect(self._lines_changed)
        self.lines.rowsRemoved.connect(self._lines_changed)
        self.lines.modelReset.connect(self._lines_changed)

    # -- building: the subclass adds its fields, then finishes the layout ------------------------

    def header_field(self, label: str, name: str | None, widget: QWidget | QLayout, *aliases: str,
                     column: int = 0) -> None:
        """A header field; a refusal about ``name`` (or one of ``aliases``) shows under it."""
        self._header.add(label, self._wrapped(name, widget, aliases), column)

    def line_field(self, label: str, name: str | None, widget: QWidget | QLayout, *aliases: str,
                   column: int = 0) -> None:
        """A field of the line being typed (``name`` None: no refusal is about it)."""
        self._line.add(label, self._wrapped(name, widget, aliases), column)

    def _wrapped(self, name: str | None, widget: QWidget | QLayout, aliases: Sequence[str]) -> QWidget | QLayout:
        if name is None or isinstance(widget, QLayout):
            return widget
        return self.errors.wrap(name, widget, *aliases)

    def set_line_field_visible(self, widget: QWidget, visible: bool) -> None:
        """Show or hide a line field with its label (a field only some lines need)."""
        for column in self._line.columns:
            for row in range(column.rowCount()):
                item = column.itemAt(row, QFormLayout.ItemRole.FieldRole)
                found = item.widget() if item is not None else None
                if found is not None and (found is widget or found.isAncestorOf(widget)):
                    column.setRowVisible(row, visible)
                    return

    def add_button_for_line(self, text: str) -> QPushButton:
        """The line's "Add line" button, last in the line's first column."""
        button = QPushButton(text, self)
        button.setObjectName("add_line")
        button.setAutoDefault(False)
        button.clicked.connect(self.add_line)
        self._line.add("", button, len(self._line.columns) - 1)
        return button

    def finish_layout(self, *, first: QWidget, tab_order: Sequence[QWidget] = (), lines_aliases: Sequence[str] = ()) -> None:
        """Lay the parts out (header and line side by side, or one above the other), chain
        the Tab order, and put the cursor in ``first`` whenever the screen is shown."""
        layout = QVBoxLayout(self)
        if self.side_by_side:
            top = QHBoxLayout()
            for box, stretch in self._boxes:
                top.addWidget(box, stretch)
            layout.addLayout(top)
        else:
            for box, _ in self._boxes:
                layout.addWidget(box)
        layout.addWidget(self.errors.wrap("lines", self.lines_view, *lines_aliases), 1)
        layout.addLayout(self.buttons)
        layout.addWidget(self.general_error)
        layout.addWidget(self.status_label)
        order = [*tab_order, self.lines_view, self.save_button]
        for before, after in zip(order, order[1:]):
            QWidget.setTabOrder(before, after)
        self.setFocusProxy(first)

    # -- what each document screen says ----------------------------------------------------------

    def line_cell(self, row: Any, column: int, role: int) -> Any:
        """What the lines table shows for ``row`` (one of :meth:`RowsModel.rows`)."""
        raise NotImplementedError

    @Slot()
    def add_line(self) -> None:
        """Check the typed line with the store's rules and append it to :attr:`lines`."""
        raise NotImplementedError

    def line_typed(self) -> bool:
        """Whether a line is typed but not added yet (Save then adds it first)."""
        return False

    def save_document(self) -> SavedDocument:
        """The store call that saves the document from the lines and the header."""
        raise NotImplementedError

    def saved_text(self, document: SavedDocument) -> str:
        """The status line after saving ("Saved TRF/2026-27/000012 to Labour room: ...")."""
        raise NotImplementedError

    def after_save(self) -> None:
        """Empty the screen for the next document (the header's choices may stay)."""
        self.lines.set_rows([])

    # -- shared behaviour -----------------------------------------------------------------------

    def shortcuts(self) -> list[tuple[str, str]]:
        return [(QCoreApplication.translate("DocumentForm", "Ctrl+S or F10"), QCoreApplication.translate("DocumentForm", "save")),
                (QCoreApplication.translate("DocumentForm", "Del"), QCoreApplication.translate("DocumentForm", "remove the chosen line"))]

    @Slot()
    def remove_line(self) -> None:
        rows = self.lines_view.selectionModel().selectedRows()
        if rows:
            self.lines.remove(rows[0].row())

    @Slot()
    def save(self) -> None:
        """Save the document (Ctrl+S / F10). A line typed but not added is taken first; a
        refusal is shown next to its field and nothing is kept half."""
        self.errors.clear()
        if not self.lines.rowCount() and self.line_typed():
            self.add_line()
            if self.lines.rowCount() == 0:
                return
        document = attempt(self, self.errors, self.save_document, line_fields=self.LINE_FIELDS,
                           permission_field=self.PERMISSION_FIELD)
        if document is None:
            return
        self.last_saved = document.number
        self.status_label.setText(self.saved_text(document))
        self.after_save()
        self.saved.emit(document)

    @Slot()
    def _lines_changed(self) -> None:
        count = self.lines.rowCount()
        self.title_changed.emit(
            QCoreApplication.translate("DocumentForm", "{n} line(s) not saved").format(n=count) if count else "")
