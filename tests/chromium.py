"""The real headless Chromium the web-page tests drive (Debian's chromium, through Playwright).

One place for the binary, its flags and the module-scoped ``browser`` fixture, so the server's
page tests and the end-to-end tests launch it the same way; import the fixture into a test
module (``from tests.chromium import browser``) to use it there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the module's tests (each opens its own page)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
