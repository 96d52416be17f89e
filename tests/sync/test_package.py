"""Facility packages: what the state signs the desk reads back; a changed, foreign, newer or
damaged package is refused by kind, and nothing else of the file is trusted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ihms_desk import wording
from ihms_desk.sync import package
from ihms_desk.sync.package import PackageError

FACILITY = {"code": "RJ-JPR-CHC-014", "name": "CHC Chaksu", "district": "Jaipur", "block": "Chaksu", "type": "CHC"}
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc)


def signed(key: Ed25519PrivateKey, key_id: str = "rj-state-2026", **changes: object) -> bytes:
    payload = package.payload_of({**FACILITY, **changes.pop("facility", {})},  # type: ignore[dict-item]
                                 server_url=str(changes.pop("server_url", "https://ihms.rajasthan.example")),
                                 enrolment_code="ABCD-EFGH-JKMN", expires_at=NOW + dt.timedelta(days=60),
                                 issued_at=NOW, helpline="0141-2222222")
    return package.sign(payload, key, key_id)


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def trusted(key: Ed25519PrivateKey) -> dict[str, str]:
    return {"rj-state-2026": package.public_key_text(key)}


def test_what_the_state_signs_the_desk_reads(key: Ed25519PrivateKey, trusted: dict[str, str]) -> None:
    found = package.read(signed(key), trusted)
    assert found.facility() == FACILITY
    assert found.server_url == "https://ihms.rajasthan.example" and found.enrolment_code == "ABCD-EFGH-JKMN"
    assert found.expires_at == NOW + dt.timedelta(days=60) and found.helpline == "0141-2222222"
    assert found.key_id == "rj-state-2026" and not found.expired(NOW) and found.expired(NOW + dt.timedelta(days=61))


def test_a_package_changed_after_signing_is_refused(key: Ed25519PrivateKey, trusted: dict[str, str]) -> None:
    outer = json.loads(signed(key))
    # Someone points the package at their own server: the signature no longer matches.
    outer["payload"] = outer["payload"].replace("ihms.rajasthan.example", "evil.example")
    with pytest.raises(PackageError) as refused:
        package.read(json.dumps(outer).encode(), trusted)
    assert refused.value.kind == "package_signature_bad"
    assert "changed after the state signed it" in refused.value.message
    assert "बदला गया" in wording.text_of(refused.value, "hi")


def test_a_package_signed_with_another_key_is_refused(trusted: dict[str, str]) -> None:
    stranger = Ed25519PrivateKey.generate()
    with pytest.raises(PackageError) as unknown:
        package.read(signed(stranger, "someone-else"), trusted)
    assert unknown.value.kind == "package_key_unknown" and unknown.value.values["key_id"] == "someone-else"
    # The state's key id, but the stranger's signature: a forged package.
    with pytest.raises(PackageError) as forged:
        package.read(signed(stranger), trusted)
    assert forged.value.kind == "package_signature_bad"


def test_rotation_two_keys_trusted_at_once(key: Ed25519PrivateKey, trusted: dict[str, str]) -> None:
    new = Ed25519PrivateKey.generate()
    both = {**trusted, "rj-state-2027": package.public_key_text(new)}
    assert package.read(signed(key), both).key_id == "rj-state-2026"
    assert package.read(signed(new, "rj-state-2027"), both).key_id == "rj-state-2027"


@pytest.mark.parametrize("data, kind", [
    (b"not json at all", "package_unreadable"),
    (b'{"format": "something-else"}', "package_unreadable"),
    (b'{"format": "ihms-facility-package", "version": 2}', "package_too_new"),
    (b'{"format": "ihms-facility-package", "version": 1, "key_id": "rj-state-2026"}', "package_signature_bad"),
    (b"x" * (package.MAX_BYTES + 1), "package_unreadable"),
])
def test_damaged_files_are_refused_by_kind(data: bytes, kind: str, trusted: dict[str, str]) -> None:
    with pytest.raises(PackageError) as refused:
        package.read(data, trusted)
    assert refused.value.kind == kind


def test_a_signed_package_with_a_bad_facility_is_still_refused(key: Ed25519PrivateKey, trusted: dict[str, str]) -> None:
    with pytest.raises(PackageError) as refused:
        package.read(signed(key, facility={"code": "RJ JPR 14"}), trusted)
    assert refused.value.kind == "package_incomplete"


def test_a_package_naming_a_plain_http_server_is_refused(key: Ed25519PrivateKey, trusted: dict[str, str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IHMS_ALLOW_PLAIN_HTTP", raising=False)
    with pytest.raises(PackageError) as refused:
        package.read(signed(key, server_url="http://10.0.0.5:8470"), trusted)
    assert refused.value.kind == "package_plain_http"
    assert refused.value.values == {"server": "http://10.0.0.5:8470"}
    # To this machine itself (a training PC running its own server), and in a lab that says so.
    assert package.read(signed(key, server_url="http://127.0.0.1:8470"), trusted).server_url == "http://127.0.0.1:8470"
    monkeypatch.setenv("IHMS_ALLOW_PLAIN_HTTP", "1")
    assert package.read(signed(key, server_url="http://10.0.0.5:8470"), trusted).server_url == "http://10.0.0.5:8470"


def test_packages_are_found_in_a_sticks_root_and_its_folders(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    (tmp_path / "IHMS").mkdir()
    (tmp_path / "IHMS" / "RJ-JPR-CHC-014.ihms-package").write_bytes(signed(key))
    (tmp_path / "RJ-JPR-CHC-015.ihms-package").write_bytes(signed(key))
    (tmp_path / "notes.txt").write_text("not a package")
    assert [p.name for p in package.found_in([tmp_path, tmp_path / "missing"])] == [
        "RJ-JPR-CHC-014.ihms-package", "RJ-JPR-CHC-015.ihms-package"]


def test_the_shipped_keys_are_read_from_their_folder(tmp_path: Path, key: Ed25519PrivateKey) -> None:
    (tmp_path / "rj-state-2026.pub").write_text(package.public_key_text(key) + "\n")
    (tmp_path / "README.md").write_text("how to add a key")
    assert package.shipped_keys(tmp_path) == {"rj-state-2026": package.public_key_text(key)}
    assert package.shipped_keys(tmp_path / "none") == {}
