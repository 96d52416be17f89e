"""The sync suite's own desk: a set-up store in the test's folder with no catalogue (the root
conftest's ``store`` has one, and a fixed clock these tests do not want)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ihms_desk.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "data")
    opened.set_up(code="CHC-UNIT-001", name="CHC Unit", district="Jaipur", block="Chaksu", type="CHC",
                  admin_username="admin", admin_full_name="Admin", admin_password="unit-password")
    opened.act_as("admin")
    yield opened
    opened.close()
