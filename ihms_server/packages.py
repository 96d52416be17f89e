"""What ``ihms-server rollout`` writes for a district: one signed facility package per
facility, a CSV listing them all, and a PDF of slips to print and cut (one per facility, in
Hindi and English, the enrolment code also as a QR code a phone can read).

The package format is the desk's (:mod:`ihms_desk.sync.package`, a wire module); the state's
signing key is an Ed25519 private key in a PEM file on the server's machine, never in the
repository (docs/server.md, "Facility packages": making, keeping and rotating it).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.resources
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ihms_desk.store.spreadsheet import csv_row
from ihms_desk.sync import package as facility_package
from ihms_server.rollout import IssuedCode

#: District officers read Indian Standard Time.
IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")


@dataclass(frozen=True)
class SigningKey:
    """The state's private key and the id the desks know its public half by (the file's name)."""

    key_id: str
    private_key: Any  # cryptography's Ed25519PrivateKey

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        key = load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return cls(key_id_of(path), key)


def key_id_of(path: Path) -> str:
    """A key's id is its file name without ``.key`` (``rj-state-2026.key`` -> ``rj-state-2026``)."""
    return path.name.removesuffix(".key")


def new_signing_key(folder: Path, key_id: str) -> tuple[Path, Path]:
    """A fresh Ed25519 key pair: ``<key_id>.key`` (private, PEM, owner-only) to keep on the
    server, and ``<key_id>.pub`` (public, one line of base64) to ship in the desk's
    ``resources/rollout_keys/``. Refuses to overwrite an existing key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{2,39}", key_id):
        raise ValueError("a key id is 3-40 small letters, digits, dots and dashes, e.g. rj-state-2026")
    folder.mkdir(parents=True, exist_ok=True)
    private_path, public_path = folder / f"{key_id}.key", folder / f"{key_id}{facility_package.KEY_SUFFIX}"
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    # O_EXCL: an existing key is never overwritten (the packages signed with it would stop working).
    handle = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(pem)
    public_path.write_text(facility_package.public_key_text(key) + "\n", encoding="ascii")
    return private_path, public_path


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "district"


def package_name(code: str) -> str:
    return f"{_safe_name(code)}{facility_package.SUFFIX}"


@dataclass(frozen=True)
class RolloutFiles:
    folder: Path
    packages: list[Path]
    csv: Path
    pdf: Path


def write_rollout(issued: Sequence[IssuedCode], folder: Path, district: str, key: SigningKey, *,
                  server_url: str, helpline: str = "") -> RolloutFiles:
    """The district's packages, its CSV and its PDF of slips, in ``folder`` (made if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    packages = []
    for entry in issued:
        payload = facility_package.payload_of(
            entry.facility, server_url=server_url, enrolment_code=entry.enrolment_code,
            expires_at=entry.expires_at, issued_at=entry.issued_at, helpline=helpline,
            package_id=entry.package_id)
        path = folder / package_name(entry.facility["code"])
        path.write_bytes(facility_package.sign(payload, key.private_key, key.key_id))
        packages.append(path)
    stem = f"rollout-{_safe_name(district)}-{issued[0].issued_at.astimezone(IST):%Y%m%d-%H%M}" if issued \
        else f"rollout-{_safe_name(district)}"
    csv_path = folder / f"{stem}.csv"
    with csv_path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["facility_code", "name", "district", "block", "type", "enrolment_code",
                         "valid_until", "package_file", "package_id"])
        for entry, path in zip(issued, packages):
            facility = entry.facility
            # Names come from the district's facility list: text that would run as a formula in
            # the spreadsheet that opens the file is written as text.
            writer.writerow(csv_row([facility["code"], facility["name"], facility["district"], facility["block"],
                                     facility["type"], entry.enrolment_code,
                                     entry.expires_at.astimezone(IST).strftime("%d-%m-%Y"), path.name,
                                     entry.package_id]))
    pdf_path = folder / f"{stem}-slips.pdf"
    write_slips(issued, pdf_path, district=district, server_url=server_url, helpline=helpline)
    return RolloutFiles(folder, packages, csv_path, pdf_path)


# --- the slips -------------------------------------------------------------------------------

_FONTS = {
    ("latin", ""): "NotoSans-Regular.ttf",
    ("latin", "B"): "NotoSans-Bold.ttf",
    ("deva", ""): "NotoSansDevanagari-Regular.ttf",
    ("deva", "B"): "NotoSansDevanagari-Bold.ttf",
}
SLIPS_PER_PAGE = 3
SLIP_HEIGHT = 92.0  # mm: three slips and their cut lines on A4
MARGIN = 10.0

#: The slip's words, Hindi first (the counter reads Hindi), English under it.
SLIP_TEXT = {
    "title": ("IHMS Desk: संस्था पैकेज", "IHMS Desk: facility package"),
    "steps": (
        "1. IHMS Desk खोलें।  2. पैकेज वाली USB स्टिक लगाएँ: सेटअप संस्था, ज़िला और सर्वर अपने-आप भर देगा।  "
        "3. इंटरनेट मिलते ही डेस्क अपने-आप पंजीकृत होकर सिंक करेगा।",
        "1. Open IHMS Desk.  2. Plug in the USB stick with the package: set-up fills in the facility, "
        "district and server.  3. The desk enrols and syncs by itself once the line is up."),
    "without": (
        "पैकेज न हो तो: सिंक स्क्रीन पर सर्वर का पता और यह कोड डालें। कोड एक ही बार काम करता है।",
        "Without the package: enter the server address and this code on the Sync screen. The code works once."),
    "code": ("पंजीकरण कोड", "Enrolment code"),
    "valid": ("मान्य", "Valid until"),
    "server": ("सर्वर", "Server"),
    "help": ("सहायता", "Help"),
}


def _fonts_folder() -> Path:
    # The desk's bundled Noto fonts: data only, read where the desk package installed them.
    return Path(str(importlib.resources.files("ihms_desk.resources").joinpath("fonts")))


def write_slips(issued: Sequence[IssuedCode], path: Path, *, district: str, server_url: str,
                helpline: str = "") -> Path:
    """A4 pages of slips, three to a page with cut lines, one per facility."""
    import segno
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    fonts = _fonts_folder()
    for (family, style), name in _FONTS.items():
        pdf.add_font(family, style, str(fonts / name))
    pdf.set_fallback_fonts(["latin", "deva"])
    pdf.set_text_shaping(True)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title(f"IHMS Desk facility packages: {district}")
    pdf.set_creator("ihms-server rollout")
    width = pdf.w - 2 * MARGIN
    if not issued:
        pdf.add_page()
        pdf.set_font("deva", "", 12)
        pdf.multi_cell(width, 7, f"{district}: सभी संस्थाएँ पंजीकृत हैं। / every facility is enrolled; no slip to print.")
    for index, entry in enumerate(issued):
        if index % SLIPS_PER_PAGE == 0:
            pdf.add_page()
        top = MARGIN + (index % SLIPS_PER_PAGE) * SLIP_HEIGHT
        _slip(pdf, entry, top, width, server_url=server_url, helpline=helpline, qr=segno.make(
            f"IHMS {entry.facility['code']} {entry.enrolment_code}", error="m"))
    pdf.output(str(path))
    return path


def _slip(pdf: Any, entry: IssuedCode, top: float, width: float, *, server_url: str, helpline: str,
          qr: Any) -> None:
    facility = entry.facility
    x = MARGIN
    if top > MARGIN:  # the cut line above every slip but a page's first
        pdf.set_draw_color(150, 150, 150)
        pdf.set_dash_pattern(dash=2, gap=2)
        pdf.line(x - 5, top - 4, x + width + 5, top - 4)
        pdf.set_dash_pattern()
    pdf.set_draw_color(0, 0, 0)
    qr_size = 38.0
    text_width = width - qr_size - 6
    pdf.set_xy(x, top)
    pdf.set_font("deva", "B", 13)
    pdf.cell(text_width, 7, f"{SLIP_TEXT['title'][0]} / {SLIP_TEXT['title'][1]}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("latin", "B", 15)
    pdf.cell(text_width, 8, f"{facility['name']}  ({facility['code']})", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("latin", "", 10)
    pdf.cell(text_width, 5.5, f"{facility['district']} · {facility['block']} · {facility['type']}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    pdf.set_font("deva", "", 10)
    label = f"{SLIP_TEXT['code'][0]} / {SLIP_TEXT['code'][1]}:"
    label_width = pdf.get_string_width(label) + 3
    pdf.cell(label_width, 7, label)
    pdf.set_font("latin", "B", 17)
    pdf.cell(text_width - label_width, 7, entry.enrolment_code, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("deva", "", 10)
    until = entry.expires_at.astimezone(IST).strftime("%d-%m-%Y")
    pdf.cell(text_width, 5.5, f"{SLIP_TEXT['valid'][0]} / {SLIP_TEXT['valid'][1]}: {until}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.cell(text_width, 5.5, f"{SLIP_TEXT['server'][0]} / {SLIP_TEXT['server'][1]}: {server_url}",
             new_x="LMARGIN", new_y="NEXT")
    if helpline:
        pdf.cell(text_width, 5.5, f"{SLIP_TEXT['help'][0]} / {SLIP_TEXT['help'][1]}: {helpline}",
                 new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    for key in ("steps", "without"):
        hindi, english = SLIP_TEXT[key]
        pdf.set_font("deva", "", 8.5)
        pdf.multi_cell(width, 4.2, hindi, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("latin", "", 8.5)
        pdf.multi_cell(width, 4.2, english, new_x="LMARGIN", new_y="NEXT")
    _qr(pdf, qr, x + width - qr_size, top, qr_size)
    pdf.set_font("latin", "", 7)
    pdf.set_xy(x + width - qr_size, top + qr_size + 0.5)
    pdf.cell(qr_size, 3.5, f"package {entry.package_id}", align="C")


def _qr(pdf: Any, qr: Any, x: float, y: float, size: float) -> None:
    """The QR code as filled rectangles (crisp at any zoom, no image library): each run of
    dark modules in a row is one rectangle."""
    matrix = [list(row) for row in qr.matrix]
    border = 2  # quiet zone, in modules
    count = len(matrix) + 2 * border
    module = size / count
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + (start + border) * module, y + (r + border) * module, (c - start) * module, module,
                         style="F")
            else:
                c += 1
