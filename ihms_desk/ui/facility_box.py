"""Choosing a facility from the state's list (district, block, facility: never typing a code),
and the Settings box that shows this desk's facility and corrects it until the first sync."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFormLayout, QGroupBox, QVBoxLayout, QWidget

from ihms_desk.store import Store
from ihms_desk.store.errors import InvalidInput, StoreError
from ihms_desk.store.model import Facility
from ihms_desk.store.users import Action
from ihms_desk.ui import i18n
from ihms_desk.ui.forms import StoreCall, choice_field, error_label, note_label, push_button


class FacilityChooser(QWidget):
    """Three boxes: the district, its blocks, the block's facilities. Typing the first letters
    in a box picks; a block with one facility has it chosen at once."""

    changed = Signal()

    def __init__(self, facilities: list[Facility], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.facilities = facilities
        self.district_combo = choice_field(self, "district")
        self.block_combo = choice_field(self, "block")
        self.facility_combo = choice_field(self, "facility")
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(self.tr("&District"), self.district_combo)
        self.form.addRow(self.tr("&Block"), self.block_combo)
        self.form.addRow(self.tr("&Facility"), self.facility_combo)
        self.district_combo.currentIndexChanged.connect(self._fill_blocks)
        self.block_combo.currentIndexChanged.connect(self._fill_facilities)
        self.facility_combo.currentIndexChanged.connect(self.changed)
        QWidget.setTabOrder(self.district_combo, self.block_combo)
        QWidget.setTabOrder(self.block_combo, self.facility_combo)
        self.setFocusProxy(self.district_combo)
        self._fill_districts()

    def chosen(self) -> Facility | None:
        found = self.facility_combo.currentData()
        return found if isinstance(found, Facility) else None

    def choose(self, code: str) -> bool:
        """Show ``code``'s district, block and facility (False if the list lacks it)."""
        facility = next((f for f in self.facilities if f.code == code), None)
        if facility is None:
            return False
        self.district_combo.setCurrentIndex(max(0, self.district_combo.findData(facility.district)))
        self.block_combo.setCurrentIndex(max(0, self.block_combo.findData(facility.block)))
        for index in range(self.facility_combo.count()):
            item = self.facility_combo.itemData(index)
            if isinstance(item, Facility) and item.code == code:
                self.facility_combo.setCurrentIndex(index)
        return True

    def _fill_districts(self) -> None:
        self.district_combo.blockSignals(True)
        self.district_combo.clear()
        self.district_combo.addItem(self.tr("(choose the district)"), "")
        for district in sorted({f.district for f in self.facilities}, key=str.lower):
            self.district_combo.addItem(district, district)
        self.district_combo.blockSignals(False)
        self._fill_blocks()

    @Slot()
    def _fill_blocks(self) -> None:
        district = self.district_combo.currentData() or ""
        self.block_combo.blockSignals(True)
        self.block_combo.clear()
        self.block_combo.addItem(self.tr("(choose the block)"), "")
        for block in sorted({f.block for f in self.facilities if f.district == district}, key=str.lower):
            self.block_combo.addItem(block, block)
        self.block_combo.blockSignals(False)
        self._fill_facilities()

    @Slot()
    def _fill_facilities(self) -> None:
        district, block = self.district_combo.currentData() or "", self.block_combo.currentData() or ""
        self.facility_combo.blockSignals(True)
        self.facility_combo.clear()
        self.facility_combo.addItem(self.tr("(choose the facility)"), None)
        for facility in self.facilities:
            if facility.district == district and facility.block == block:
                self.facility_combo.addItem(f"{facility.name} ({facility.code}, {facility.type})", facility)
        if self.facility_combo.count() == 2:
            self.facility_combo.setCurrentIndex(1)  # the block's only facility
        self.facility_combo.blockSignals(False)
        self.changed.emit()


class FacilityBox(QGroupBox):
    """This desk's facility; until the first sync, its correction from the state's list (a
    code mistyped at set-up, the wrong CHC chosen), audited by the store."""

    corrected = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("This facility"), parent)
        self.store = store
        self.current = note_label(self, "facility_now")
        self.note = note_label(self, "facility_note")
        self.chooser = FacilityChooser(store.state_facilities(), self)
        self.correct_button = push_button(self, "correct_facility", self.tr("Correct the facility"), self.correct)
        self.error = error_label(self, "facility")
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addWidget(self.note)
        layout.addWidget(self.chooser)
        layout.addWidget(self.correct_button)
        layout.addWidget(self.error)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        facility = self.store.require_facility()
        self.current.setText(self.tr("<b>{name}</b> ({code}), {district} · {block} · {type}").format(
            name=facility.name, code=facility.code, district=facility.district, block=facility.block,
            type=facility.type))
        user = self.store.user
        may = user is not None and user.may(Action.CHANGE_SETTINGS)
        synced = self.store.has_synced()
        self.chooser.setVisible(may and not synced)
        self.correct_button.setVisible(may and not synced)
        if synced:
            self.note.setText(self.tr("This desk has synced with the state server under this code; it can no "
                                      "longer be changed here."))
        elif may:
            self.chooser.choose(facility.code)
            self.note.setText(self.tr("Until the first sync, a wrong facility can be corrected: choose the right "
                                      "one and press Correct."))
        else:
            self.note.setText(self.tr("The MO in-charge or the administrator can correct the facility until the "
                                      "first sync."))

    @Slot()
    def correct(self) -> None:
        self.error.hide()
        chosen = self.chooser.chosen()
        with StoreCall(self, self.show_refusal) as call:
            if chosen is None:
                raise InvalidInput("choose_facility", field="facility")
            self.store.correct_facility(code=chosen.code, name=chosen.name, district=chosen.district,
                                        block=chosen.block, type=chosen.type)
        if not call.done:
            return
        self.refresh()
        self.corrected.emit()

    def show_refusal(self, error: StoreError) -> None:
        self.error.setText(i18n.refusal_text(error))
        self.error.show()
