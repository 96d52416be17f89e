"""Every word a report shows, in English and Hindi: titles, column headings, statuses and
reasons, notes, the page's header and footer. Why a report could not be made is a refusal
like any other, worded from ``ihms_desk.wording`` (:func:`error`).

Qt-free, so ``ihms-desk report --lang hi`` words a file the same way the Reports screen does.
The Hindi uses the terms of government store registers (देने योग्य स्टॉक, निर्गम, ज़िला औषधि
भंडार, औसत मासिक खपत); ``tests/exports/test_labels.py`` finds any key without both languages::

    from ihms_desk.exports import labels
    labels.heading(column, "hi")                 # 'देने योग्य स्टॉक'
    labels.text("page.period", "hi", start="01-11-2026", end="30-11-2026")
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ihms_desk import wording
from ihms_desk.store.reports.result import Column, Note

LANGUAGES = ("en", "hi")

_EN: dict[str, str] = {
    # Reports: title and the one line ``ihms-desk report --list`` shows.
    "report.stock-register": "Stock register",
    "report.stock-register.about": "Opening, receipts, issues, adjustments and closing of every item and batch",
    "report.dispensing-register": "Daily OPD dispensing register",
    "report.dispensing-register.about": "Every OPD slip, each day's totals, by prescriber and by item",
    "report.consumption": "Consumption and months of stock",
    "report.consumption.about": "Monthly consumption, AMC adjusted for stock-outs, months of stock and status",
    "report.not-available": "Prescribed but not available",
    "report.not-available.about": "Quantity prescribed but not given, by item and day, with days out of stock",
    "report.expiry": "Expired and near-expiry stock",
    "report.expiry.about": "Batches expired on the shelf or expiring within 3 or 6 months, with value",
    "report.issues-register": "Issues, transfers, adjustments and reversals register",
    "report.issues-register.about": "Issues to wards and facilities, adjustments, stocktakes and reversals",
    # Tables.
    "table.stock_register": "By item, and by batch under each item",
    "table.dispensing_slips": "Slips",
    "table.dispensing_days": "Totals by day",
    "table.dispensing_prescribers": "Totals by prescriber",
    "table.dispensing_items": "Patients who received each item",
    "table.consumption": "Consumption and months of stock",
    "table.not_available_items": "By item",
    "table.not_available_days": "By day",
    "table.expired_on_shelf": "Expired, still on the shelf",
    "table.expiring_3_months": "Expiring within 3 months",
    "table.expiring_6_months": "Expiring in 3 to 6 months",
    "table.issues_register": "Documents",
    "table.issues_summary": "Summary by type",
    # Column headings.
    "column.item_code": "Code",
    "column.item_name": "Item",
    "column.unit": "Unit",
    "column.batch_no": "Batch no.",
    "column.item_batch": "Item / batch no.",
    "column.expiry": "Expiry",
    "column.vouchers": "Challan / voucher no.",
    "column.opening": "Opening balance",
    "column.received": "Received",
    "column.dispensed_opd": "Dispensed to OPD",
    "column.issued_ward": "Issued to wards",
    "column.issued_sub_centre": "Issued to sub-centres",
    "column.issued_facility": "Issued to other facilities",
    "column.returned_to_warehouse": "Returned to warehouse",
    "column.damaged": "Damaged",
    "column.expired_written_off": "Expired, written off",
    "column.lost": "Lost",
    "column.found": "Found",
    "column.stocktake_correction": "Stocktake correction (±)",
    "column.reversals": "Reversals (net ±)",
    "column.closing": "Closing balance",
    "column.closing_value": "Closing value (₹)",
    "column.date": "Date",
    "column.slip_no": "Slip no.",
    "column.opd_no": "OPD no.",
    "column.patient": "Patient",
    "column.age_sex": "Age/sex",
    "column.prescriber": "Prescriber",
    "column.qty_prescribed": "Prescribed",
    "column.qty_dispensed": "Dispensed",
    "column.not_given": "Not given",
    "column.reversed_by": "Reversed by",
    "column.patients": "Patients",
    "column.slips": "Slips",
    "column.lines": "Lines",
    "column.consumption_month": "Consumption {param}",
    "column.consumption_total": "Total consumption",
    "column.days_out_of_stock": "Days out of stock",
    "column.amc": "AMC",
    "column.amc_adjusted": "AMC adjusted for stock-outs",
    "column.usable_stock": "Usable stock",
    "column.months_of_stock": "Months of stock",
    "column.status": "Status",
    "column.lines_short": "Slip lines short",
    "column.days_short": "Days with shortfall",
    "column.out_of_stock": "Out of stock that day",
    "column.manufacturer": "Manufacturer",
    "column.qty": "Quantity",
    "column.unit_cost": "Unit cost (₹)",
    "column.value": "Value (₹)",
    "column.document_no": "Document no.",
    "column.type": "Type",
    "column.particulars": "Particulars",
    "column.entered_by": "Entered by",
    "column.documents": "Documents",
    # Cell values of LABEL columns.
    "label.stocked_out": "Stocked out",
    "label.below_minimum": "Below minimum",
    "label.adequate": "Adequate",
    "label.over_maximum": "Over maximum",
    "label.no_consumption": "No consumption",
    "label.yes": "Yes",
    "label.transfer_ward": "Issue to ward",
    "label.transfer_sub_centre": "Issue to sub-centre",
    "label.transfer_facility": "Transfer to facility",
    "label.adjustment_damaged": "Damaged",
    "label.adjustment_expired_write_off": "Expired, written off",
    "label.adjustment_return_to_warehouse": "Returned to warehouse",
    "label.adjustment_lost": "Lost",
    "label.adjustment_found": "Found",
    "label.adjustment_stocktake_correction": "Stocktake correction",
    "label.stocktake": "Stocktake",
    "label.reversal": "Reversal",
    "label.drug": "Drugs",
    "label.surgical": "Surgical items",
    "label.suture": "Sutures",
    # Notes under a title.
    "note.stock_register": (
        "Quantities in the unit of issue. Closing = opening + received - issued - returned - written off + found "
        "± stocktake ± reversals; a reversal is shown on the day it was entered."),
    "note.dispensing": (
        "Slips reversed later are listed with the reversal's number and left out of every total. "
        "Patients are counted as visits (OPD number and day)."),
    "note.amc_window": "AMC is taken over {first} to {last} ({days} days).",
    "note.amc_formula": (
        "Adjusted AMC = AMC × N ÷ (N − days out of stock), N = days in those months. "
        "Months of stock = usable stock ÷ adjusted AMC, in whole months."),
    "note.stock_levels": "Stock levels set by the in-charge: minimum {minimum}, maximum {maximum} months.",
    "note.expiry": "Stock on the shelf at the end of {end}, valued at each batch's unit cost.",
    "note.not_available": "A day is out of stock when it ended with no usable stock of the item.",
    # The page.
    "page.period": "Period: {start} to {end}",
    "page.category": "Category: {category}",
    "page.items": "Items: {items}",
    "page.printed": "Printed by {name} on {when}",
    "page.page": "Page {page} of {pages}",
    "page.total": "Total",
    "page.empty": "Nothing to show for this period.",
}

_HI: dict[str, str] = {
    "report.stock-register": "स्टॉक रजिस्टर",
    "report.stock-register.about": "हर मद एवं बैच का प्रारंभिक शेष, प्राप्ति, निर्गम, समायोजन एवं अंतिम शेष",
    "report.dispensing-register": "दैनिक ओपीडी वितरण रजिस्टर",
    "report.dispensing-register.about": "हर ओपीडी पर्ची, दिनवार योग, चिकित्सकवार एवं मदवार",
    "report.consumption": "खपत एवं कितने महीने का स्टॉक",
    "report.consumption.about": "मासिक खपत, स्टॉक-शून्य दिनों हेतु समायोजित औसत मासिक खपत, कितने महीने का स्टॉक एवं स्थिति",
    "report.not-available": "लिखी गईं पर अनुपलब्ध दवाइयाँ",
    "report.not-available.about": "लिखी गई पर न दी गई मात्रा, मदवार एवं दिनवार, स्टॉक-शून्य दिनों सहित",
    "report.expiry": "कालातीत एवं शीघ्र कालातीत होने वाला स्टॉक",
    "report.expiry.about": "भंडार में रखे कालातीत बैच एवं 3 या 6 माह में कालातीत होने वाले बैच, मूल्य सहित",
    "report.issues-register": "निर्गम, स्थानांतरण, समायोजन एवं निरस्तीकरण रजिस्टर",
    "report.issues-register.about": "वार्डों एवं संस्थानों को निर्गम, समायोजन, भौतिक सत्यापन एवं निरस्तीकरण",
    "table.stock_register": "मदवार, एवं हर मद के नीचे बैचवार",
    "table.dispensing_slips": "पर्चियाँ",
    "table.dispensing_days": "दिनवार योग",
    "table.dispensing_prescribers": "चिकित्सकवार योग",
    "table.dispensing_items": "हर मद पाने वाले रोगी",
    "table.consumption": "खपत एवं कितने महीने का स्टॉक",
    "table.not_available_items": "मदवार",
    "table.not_available_days": "दिनवार",
    "table.expired_on_shelf": "कालातीत, अभी भी भंडार में",
    "table.expiring_3_months": "3 माह के भीतर कालातीत होने वाले",
    "table.expiring_6_months": "3 से 6 माह में कालातीत होने वाले",
    "table.issues_register": "दस्तावेज़",
    "table.issues_summary": "प्रकारवार सारांश",
    "column.item_code": "मद कोड",
    "column.item_name": "मद का नाम",
    "column.unit": "इकाई",
    "column.batch_no": "बैच सं.",
    "column.item_batch": "मद / बैच सं.",
    "column.expiry": "समाप्ति तिथि",
    "column.vouchers": "चालान / वाउचर सं.",
    "column.opening": "प्रारंभिक शेष",
    "column.received": "प्राप्ति",
    "column.dispensed_opd": "ओपीडी में वितरित",
    "column.issued_ward": "वार्डों को निर्गम",
    "column.issued_sub_centre": "उप-स्वास्थ्य केंद्रों को निर्गम",
    "column.issued_facility": "अन्य संस्थानों को निर्गम",
    "column.returned_to_warehouse": "ज़िला औषधि भंडार को वापसी",
    "column.damaged": "क्षतिग्रस्त",
    "column.expired_written_off": "कालातीत, अपलिखित",
    "column.lost": "गुम",
    "column.found": "अधिक पाया गया",
    "column.stocktake_correction": "भौतिक सत्यापन समायोजन (±)",
    "column.reversals": "निरस्तीकरण (शुद्ध ±)",
    "column.closing": "अंतिम शेष",
    "column.closing_value": "अंतिम शेष का मूल्य (₹)",
    "column.date": "दिनांक",
    "column.slip_no": "पर्ची सं.",
    "column.opd_no": "ओपीडी सं.",
    "column.patient": "रोगी",
    "column.age_sex": "आयु/लिंग",
    "column.prescriber": "चिकित्सक",
    "column.qty_prescribed": "लिखी गई मात्रा",
    "column.qty_dispensed": "दी गई मात्रा",
    "column.not_given": "न दी गई मात्रा",
    "column.reversed_by": "निरस्तीकरण सं.",
    "column.patients": "रोगी",
    "column.slips": "पर्चियाँ",
    "column.lines": "पंक्तियाँ",
    "column.consumption_month": "खपत {param}",
    "column.consumption_total": "कुल खपत",
    "column.days_out_of_stock": "स्टॉक-शून्य दिन",
    "column.amc": "औसत मासिक खपत (AMC)",
    "column.amc_adjusted": "समायोजित औसत मासिक खपत",
    "column.usable_stock": "देने योग्य स्टॉक",
    "column.months_of_stock": "कितने महीने का स्टॉक",
    "column.status": "स्थिति",
    "column.lines_short": "कम दी गई पंक्तियाँ",
    "column.days_short": "कमी वाले दिन",
    "column.out_of_stock": "उस दिन स्टॉक शून्य",
    "column.manufacturer": "निर्माता",
    "column.qty": "मात्रा",
    "column.unit_cost": "इकाई मूल्य (₹)",
    "column.value": "मूल्य (₹)",
    "column.document_no": "दस्तावेज़ सं.",
    "column.type": "प्रकार",
    "column.particulars": "विवरण",
    "column.entered_by": "प्रविष्टिकर्ता",
    "column.documents": "दस्तावेज़",
    "label.stocked_out": "स्टॉक समाप्त",
    "label.below_minimum": "न्यूनतम से कम",
    "label.adequate": "पर्याप्त",
    "label.over_maximum": "अधिकतम से अधिक",
    "label.no_consumption": "खपत नहीं",
    "label.yes": "हाँ",
    "label.transfer_ward": "वार्ड को निर्गम",
    "label.transfer_sub_centre": "उप-स्वास्थ्य केंद्र को निर्गम",
    "label.transfer_facility": "अन्य संस्थान को स्थानांतरण",
    "label.adjustment_damaged": "क्षतिग्रस्त",
    "label.adjustment_expired_write_off": "कालातीत, अपलिखित",
    "label.adjustment_return_to_warehouse": "ज़िला औषधि भंडार को वापसी",
    "label.adjustment_lost": "गुम",
    "label.adjustment_found": "अधिक पाया गया",
    "label.adjustment_stocktake_correction": "भौतिक सत्यापन समायोजन",
    "label.stocktake": "भौतिक सत्यापन",
    "label.reversal": "निरस्तीकरण",
    "label.drug": "औषधियाँ",
    "label.surgical": "सर्जिकल सामग्री",
    "label.suture": "टांके (सूचर)",
    "note.stock_register": (
        "मात्राएँ निर्गम इकाई में। अंतिम शेष = प्रारंभिक शेष + प्राप्ति − निर्गम − वापसी − अपलिखित + अधिक पाया गया "
        "± भौतिक सत्यापन ± निरस्तीकरण; निरस्तीकरण उसी दिन दिखाया गया है जिस दिन दर्ज हुआ।"),
    "note.dispensing": (
        "बाद में निरस्त की गई पर्चियाँ निरस्तीकरण सं. सहित सूची में हैं पर किसी योग में शामिल नहीं। "
        "रोगी की गणना भेंट (ओपीडी सं. एवं दिन) के अनुसार।"),
    "note.amc_window": "औसत मासिक खपत {first} से {last} ({days} दिन) की खपत से निकाली गई है।",
    "note.amc_formula": (
        "समायोजित औसत मासिक खपत = औसत मासिक खपत × N ÷ (N − स्टॉक-शून्य दिन), N = उन महीनों के कुल दिन। "
        "कितने महीने का स्टॉक = देने योग्य स्टॉक ÷ समायोजित औसत मासिक खपत, पूरे महीनों में।"),
    "note.stock_levels": "प्रभारी द्वारा तय स्टॉक स्तर: न्यूनतम {minimum}, अधिकतम {maximum} महीने।",
    "note.expiry": "{end} की समाप्ति पर भंडार में रखा स्टॉक, हर बैच के इकाई मूल्य पर।",
    "note.not_available": "जिस दिन के अंत में मद का देने योग्य स्टॉक शून्य रहा, वह स्टॉक-शून्य दिन है।",
    "page.period": "अवधि: {start} से {end}",
    "page.category": "श्रेणी: {category}",
    "page.items": "मद: {items}",
    "page.printed": "मुद्रणकर्ता: {name}, {when}",
    "page.page": "पृष्ठ {page}/{pages}",
    "page.total": "योग",
    "page.empty": "इस अवधि में दिखाने को कुछ नहीं।",
}

TEXTS: dict[str, dict[str, str]] = {"en": _EN, "hi": _HI}


def text(key: str, lang: str, **values: Any) -> str:
    """The wording of ``key`` in ``lang`` with ``values`` filled in (English if it has none)."""
    template = TEXTS.get(lang, _EN).get(key) or _EN[key]
    return template.format(**values) if values else template


def month_text(month: str) -> str:
    """``2027-03`` as printed on a pack: ``03/2027``."""
    year, _, number = month.partition("-")
    return f"{number}/{year}"


def heading(column: Column, lang: str) -> str:
    """A column's heading; a monthly column names its month."""
    if column.param is not None:
        param = month_text(column.param) if len(column.param) == 7 and column.param[4] == "-" else column.param
        return text(f"column.{column.key}", lang, param=param)
    return text(f"column.{column.key}", lang)


def label(key: str, lang: str) -> str:
    """The wording of a LABEL cell (a status, a reason); an unknown key is shown as it is."""
    return TEXTS.get(lang, _EN).get(f"label.{key}") or _EN.get(f"label.{key}") or key


def note(item: Note, lang: str) -> str:
    """A note's sentence, its dates as DD-MM-YYYY and months as MM/YYYY."""
    values = {name: _shown(value) for name, value in item.values.items()}
    return text(f"note.{item.key}", lang, **values)


def _shown(value: object) -> object:
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, str) and len(value) == 7 and value[4] == "-":
        return month_text(value)
    return value


def error(kind: str, values: dict[str, Any], lang: str) -> str:
    """Why a report could not be made, worded for the reader (from the program's wording
    tables, where every refusal's words are: ``ihms_desk.wording``)."""
    return wording.say(kind, values, lang)


# -- the indent, printed like a register (store/indents.py ``indent_report``) ----------------
_EN.update({
    "report.indent": "Indent to the district drug warehouse",
    "report.indent.about": "Items asked of the DDW, with the stock and AMC each quantity was worked from",
    "table.indent_lines": "Items indented",
    "column.indent_amc": "AMC (adjusted, units)",
    "column.on_order": "On order",
    "column.suggested": "Suggested",
    "column.indented": "Indented",
    "column.emergency": "Emergency",
    "label.emergency": "Emergency",
    "note.indent_draft": "Draft: not approved yet, not sent.",
    "note.indent_number": "Indent {number} of {date}, approved by {approved_by}.",
    "note.indent_formula": (
        "AMC = consumption of {first} to {last} × {days} ÷ (3 × ({days} − days out of stock)), in whole units. "
        "Suggested = {months} months × AMC − usable stock − on order. Emergency: usable stock below {emergency} months of AMC."),
    "note.indent_approved": "Status: approved, waiting to be sent.",
    "note.indent_sent": "Status: sent to the warehouse.",
    "note.indent_partly_issued": "Status: partly issued.",
    "note.indent_issued": "Status: issued.",
    "note.indent_closed": "Status: closed.",
    "note.indent_cancelled": "Status: cancelled.",
})
_HI.update({
    "report.indent": "ज़िला औषधि भंडार को इंडेंट",
    "report.indent.about": "ज़िला औषधि भंडार से माँगी गई मदें, हर मात्रा के आधार स्टॉक और औसत मासिक खपत सहित",
    "table.indent_lines": "माँगी गई मदें",
    "column.indent_amc": "औसत मासिक खपत (समायोजित, इकाई)",
    "column.on_order": "माँग में लंबित",
    "column.suggested": "सुझाई मात्रा",
    "column.indented": "माँगी मात्रा",
    "column.emergency": "आपात",
    "label.emergency": "आपात",
    "note.indent_draft": "मसौदा: अभी स्वीकृत नहीं, भेजा नहीं गया।",
    "note.indent_number": "इंडेंट {number}, दिनांक {date}, स्वीकृतकर्ता {approved_by}।",
    "note.indent_formula": (
        "औसत मासिक खपत = {first} से {last} की खपत × {days} ÷ (3 × ({days} − स्टॉक-शून्य दिन)), पूरी इकाइयों में। "
        "सुझाई मात्रा = {months} महीने × औसत मासिक खपत − देने योग्य स्टॉक − माँग में लंबित। "
        "आपात: देने योग्य स्टॉक {emergency} महीने की खपत से कम।"),
    "note.indent_approved": "स्थिति: स्वीकृत, भेजा जाना बाकी।",
    "note.indent_sent": "स्थिति: भंडार को भेजा गया।",
    "note.indent_partly_issued": "स्थिति: आंशिक रूप से जारी।",
    "note.indent_issued": "स्थिति: जारी।",
    "note.indent_closed": "स्थिति: बंद।",
    "note.indent_cancelled": "स्थिति: रद्द।",
})
