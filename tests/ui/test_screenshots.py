"""The screenshot command renders every screen in English and Hindi, with data, to PNG files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage

from ihms_desk.ui import i18n, screenshots
from ihms_desk.ui.screenshots import SCREENS


def test_every_screen_in_both_languages(tmp_path: Path, chc_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(screenshots, "SETTLE_MS", 150)
    out = tmp_path / "shots"
    assert screenshots.main([str(out), "--data-dir", str(chc_dir), "--size", "1024x700"]) == 0
    assert i18n.current_language() == "en"
    names = {path.name for path in out.glob("*.png")}
    for language in ("en", "hi"):
        assert f"{language}-00-login.png" in names and f"{language}-20-setup.png" in names
        for number, (key, _user) in enumerate(SCREENS, start=1):
            assert f"{language}-{number:02d}-{key}.png" in names
    english = QImage(str(out / "en-01-dispense.png"))
    hindi = QImage(str(out / "hi-01-dispense.png"))
    assert (english.width(), english.height()) == (1024, 700)
    assert english != hindi  # the labels changed language
    # The dispense screen was shown mid-prescription, not empty: more colours than a bare form.
    colours = {english.pixel(x, y) for x in range(0, 1024, 7) for y in range(0, 700, 7)}
    assert len(colours) > 20
