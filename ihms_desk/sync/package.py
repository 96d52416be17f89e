"""The facility package: a small file the state signs for one facility (its code, name,
district, block, type, the server's address and a one-time enrolment code), which the setup
wizard opens so nobody types a code or an address.

A wire format shared by the server (``ihms-server rollout`` writes and signs packages) and the
desk (the wizard checks them against the state's public keys shipped with the program); it
imports nothing of the program but the field rules and the data folder's resource path.

The file is JSON::

    {"format": "ihms-facility-package", "version": 1, "key_id": "rj-state-2026",
     "payload": "{...the facility, server and code as JSON text...}",
     "signature": "<Ed25519 signature of the payload's UTF-8 bytes, base64>"}

The payload is kept as the exact text that was signed, so no re-encoding can break the
signature and nothing has to be put in a canonical form. Keys are Ed25519 (RFC 8032); each
has a short id, so the state can add a new key to the program, sign with it, and drop the old
one a release later (docs/server.md, "Facility packages").
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ihms_desk import fields
from ihms_desk.wording import say

FORMAT = "ihms-facility-package"
VERSION = 1
#: What a package file's name ends with (the wizard looks for these).
SUFFIX = ".ihms-package"
#: A package file is a few hundred bytes; anything much bigger is not one.
MAX_BYTES = 64 * 1024
#: The folder of the program's resources holding the state's public keys, one per file:
#: ``<key id>.pub`` with the 32-byte Ed25519 public key in base64.
KEYS_FOLDER = "rollout_keys"
KEY_SUFFIX = ".pub"


class PackageError(Exception):
    """A package that cannot be used, by kind (worded from :mod:`ihms_desk.wording`)."""

    def __init__(self, kind: str, **values: object) -> None:
        self.kind = kind
        self.field: str | None = None
        self.values: dict[str, object] = values
        self.message = say(kind, values)
        super().__init__(self.message)


@dataclass(frozen=True)
class FacilityPackage:
    """What a checked package says: the facility, where to enrol and with which code."""

    code: str
    name: str
    district: str
    block: str
    type: str
    server_url: str
    enrolment_code: str
    expires_at: dt.datetime
    issued_at: dt.datetime
    package_id: str
    key_id: str
    #: The district's number for help, printed on the slip and shown by the desk.
    helpline: str = ""

    def facility(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "district": self.district, "block": self.block,
                "type": self.type}

    def expired(self, now: dt.datetime) -> bool:
        return now >= self.expires_at


def _utc(text: Any, name: str) -> dt.datetime:
    if not isinstance(text, str):
        raise PackageError("package_incomplete")
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise PackageError("package_incomplete") from None
    if moment.tzinfo is None:
        raise PackageError("package_incomplete")
    return moment.astimezone(dt.timezone.utc)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def payload_of(facility: Mapping[str, Any], *, server_url: str, enrolment_code: str, expires_at: dt.datetime,
               issued_at: dt.datetime, helpline: str = "", package_id: str | None = None) -> str:
    """The text the state signs for one facility."""
    return json.dumps({
        "facility": {key: facility[key] for key in ("code", "name", "district", "block", "type")},
        "server_url": server_url,
        "enrolment_code": enrolment_code,
        "expires_at": _iso(expires_at),
        "issued_at": _iso(issued_at),
        "helpline": helpline,
        "package_id": package_id or secrets.token_hex(8),
    }, ensure_ascii=False, sort_keys=True)


def sign(payload: str, private_key: Any, key_id: str) -> bytes:
    """The package file's bytes: ``payload`` signed with an Ed25519 private key
    (``cryptography``'s ``Ed25519PrivateKey``)."""
    signature = private_key.sign(payload.encode("utf-8"))
    return (json.dumps({
        "format": FORMAT, "version": VERSION, "key_id": key_id, "payload": payload,
        "signature": base64.b64encode(signature).decode("ascii"),
    }, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def public_key_text(private_key: Any) -> str:
    """The public half of an Ed25519 private key, as a ``.pub`` file holds it."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def read(data: bytes, trusted: Mapping[str, str]) -> FacilityPackage:
    """Check a package's signature against the ``trusted`` public keys (key id -> base64) and
    return what it says. Raises :class:`PackageError`; an expired code is the caller's to judge
    (the desk says so and offers the other ways)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if len(data) > MAX_BYTES:
        raise PackageError("package_unreadable")
    try:
        outer = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise PackageError("package_unreadable") from None
    if not isinstance(outer, dict) or outer.get("format") != FORMAT:
        raise PackageError("package_unreadable")
    if outer.get("version") != VERSION:
        raise PackageError("package_too_new", version=str(outer.get("version")))
    key_id, payload, signature = outer.get("key_id"), outer.get("payload"), outer.get("signature")
    if not isinstance(key_id, str) or not isinstance(payload, str) or not isinstance(signature, str):
        raise PackageError("package_signature_bad")
    public = trusted.get(key_id)
    if public is None:
        raise PackageError("package_key_unknown", key_id=key_id[:40])
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public, validate=True)).verify(
            base64.b64decode(signature, validate=True), payload.encode("utf-8"))
    except (InvalidSignature, binascii.Error, ValueError):
        raise PackageError("package_signature_bad") from None
    return _facility_package(json.loads(payload), key_id)


def _facility_package(body: Any, key_id: str) -> FacilityPackage:
    """The payload's fields, each checked with the rules the store and the server share."""
    facility = body.get("facility") if isinstance(body, dict) else None
    if not isinstance(facility, dict):
        raise PackageError("package_incomplete")
    code = str(facility.get("code", "")).strip().upper()
    if not fields.is_facility_code(code):
        raise PackageError("package_incomplete")
    texts = {key: str(facility.get(key, "")).strip() for key in ("name", "district", "block", "type")}
    if not all(texts.values()) or texts["type"] not in fields.FACILITY_TYPES:
        raise PackageError("package_incomplete")
    server_url, enrolment_code = body.get("server_url"), body.get("enrolment_code")
    if not isinstance(server_url, str) or not server_url.startswith(("https://", "http://")):
        raise PackageError("package_incomplete")
    if not isinstance(enrolment_code, str) or not enrolment_code.strip():
        raise PackageError("package_incomplete")
    if fields.plain_http_refused(server_url):
        raise PackageError("package_plain_http", server=server_url.strip()[:200])
    helpline = body.get("helpline")
    return FacilityPackage(
        code=code, name=texts["name"], district=texts["district"], block=texts["block"], type=texts["type"],
        server_url=server_url.strip(), enrolment_code=enrolment_code.strip(),
        expires_at=_utc(body.get("expires_at"), "expires_at"), issued_at=_utc(body.get("issued_at"), "issued_at"),
        package_id=str(body.get("package_id", ""))[:40], key_id=key_id,
        helpline=helpline.strip()[:60] if isinstance(helpline, str) else "",
    )


def read_file(path: Path, trusted: Mapping[str, str] | None = None) -> FacilityPackage:
    """A package file checked against ``trusted`` keys (default: those shipped with the program)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise PackageError("package_cannot_open", path=str(path)) from None
    return read(data, shipped_keys() if trusted is None else trusted)


def shipped_keys(folder: Path | None = None) -> dict[str, str]:
    """The state's public keys shipped with the program (``resources/rollout_keys/*.pub``)."""
    if folder is None:
        from ihms_desk.paths import resource_path

        folder = resource_path(KEYS_FOLDER)
    keys: dict[str, str] = {}
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return keys
    for entry in entries:
        if entry.name.endswith(KEY_SUFFIX):
            text = entry.read_text(encoding="ascii").strip()
            if text:
                keys[entry.name[: -len(KEY_SUFFIX)]] = text
    return keys


def found_in(folders: list[Path], depth: int = 1) -> list[Path]:
    """Package files in ``folders`` and (``depth``) their subfolders, in name order: a USB
    stick may hold a whole district's packages, in its root or a folder of their own."""
    found: list[Path] = []
    for folder in folders:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_file() and entry.name.lower().endswith(SUFFIX):
                    found.append(Path(entry.path))
                elif depth > 0 and entry.is_dir() and not entry.name.startswith((".", "$")):
                    found += found_in([Path(entry.path)], depth - 1)
            except OSError:
                continue
    return found
