"""Reports as files: CSV, XLSX and PDF, written from a built report in English or Hindi.

Qt-free (it sits beside the store, not in it: the store holds no words and writes no files),
so the Reports screen and ``ihms-desk report`` write the same files::

    from ihms_desk.exports import export_report, write_report
    export_report(store, "stock-register", "01-11-2026", "30-11-2026", "pdf", "nov.pdf", lang="hi")
    write_report(report, "nov.xlsx")           # a report the screen already built

See ``docs/reports.md``.
"""

from __future__ import annotations

from ihms_desk.exports.files import FORMATS, ExportError, export_report, write_report

__all__ = ["FORMATS", "ExportError", "export_report", "write_report"]
