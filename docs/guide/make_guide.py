"""The one-page guide for a CHC, in Hindi and in English (one page each, so one sheet printed
on both sides), made from the program as it is now: its screenshots are taken from a real
first run (the facility package opened, a dispense saved) each time the script runs.

    python docs/guide/make_guide.py [--out docs/guide/quick-guide.pdf] [--pages DIR]

``--pages DIR`` also renders each PDF page to PNG there (pdftoppm), to look at.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

#: Shown as "whom to call" when the facility package carries no number of its own.
HELPLINE_EXAMPLE = "0141-2222222"


@dataclass(frozen=True)
class Words:
    title: str
    subtitle: str
    sections: tuple[tuple[str, str], ...]
    lights: tuple[str, str, str]
    footer: str


HINDI = Words(
    title="IHMS Desk: शुरुआत की एक पन्ने की गाइड",
    subtitle="दवा वितरण काउंटर के लिए · कीबोर्ड से सब काम · इंटरनेट न हो तब भी",
    sections=(
        ("1. इंस्टॉल करें",
         "ihms-desk-installer.exe चलाएँ (एडमिनिस्ट्रेटर)। डेटा के लिए ड्राइव D: चुनें। डेस्कटॉप पर IHMS Desk "
         "का आइकन बनेगा और रात 9 बजे का सिंक अपने-आप तय हो जाएगा। ज़िले से मिली USB स्टिक लगाएँ और IHMS Desk खोलें: "
         "सेटअप संस्था, ज़िला, ब्लॉक और सर्वर अपने-आप भर देगा। हिन्दी के लिए पहले नीचे वाले तीर का बटन दबाएँ, फिर Enter।"),
        ("2. पहला लॉगिन",
         "सेटअप में MO इंचार्ज का नाम और पासवर्ड (दो बार) डालें। स्टिक पर users.csv हो तो Enter से फार्मासिस्ट और "
         "स्टोर क्लर्क जुड़ जाते हैं; चालान की CSV हो तो Enter से स्टॉक आ जाता है। आगे हर कोई अपने यूज़र नाम और "
         "पासवर्ड से लॉगिन करे; पासवर्ड किसी को न बताएँ।"),
        ("3. पहला वितरण",
         "F2: वितरण। OPD नंबर, नाम, उम्र, लिंग (M/F/O), डॉक्टर लिखें, हर खाने के बाद Enter। दवा के नाम के पहले अक्षर "
         "(जैसे par 500) और Enter, फिर मात्रा (10 या 1-0-1 x5) और Enter। F10 से सेव। स्टॉक कम हो तो स्क्रीन "
         "“NOT AVAILABLE” बताती है: पर्ची पर NA लिखें।"),
        ("4. सिंक की बत्ती (नीचे दाएँ)",
         "रिकॉर्ड हर हाल में इसी कंप्यूटर पर सुरक्षित हैं; लाइन आते ही अपने-आप भेजे जाते हैं। कुछ दबाने की ज़रूरत नहीं।"),
        ("5. किसे फ़ोन करें",
         "ज़िला IHMS हेल्पडेस्क: नंबर आपकी संस्था की पर्ची पर छपा है (उदाहरण: {helpline})। फ़ोन करने से पहले F11 "
         "(सिंक) स्क्रीन पर लिखा संदेश पढ़कर बताएँ। बिजली जाने पर कुछ नहीं खोता: सेव हुआ रिकॉर्ड सुरक्षित है।"),
    ),
    lights=("हरा “ऑनलाइन”: सब भेजा जा चुका है या जा रहा है।",
            "लाल “ऑफ़लाइन”: लाइन नहीं है; रिकॉर्ड प्रतीक्षा में हैं और बाद में जाएँगे।",
            "धूसर “सेट नहीं”: डेस्क अभी पंजीकृत नहीं है; लाइन आते ही पैकेज से अपने-आप होगा।"),
    footer="यह गाइड IHMS Desk के मौजूदा संस्करण की स्क्रीन से बनी है।",
)

ENGLISH = Words(
    title="IHMS Desk: the one-page guide",
    subtitle="For the drug distribution counter · everything by keyboard · works without the internet",
    sections=(
        ("1. Install",
         "Run ihms-desk-installer.exe (as administrator). Choose drive D: for the data. An IHMS Desk icon appears on "
         "the desktop and the nightly sync at 21:00 is set up by itself. Plug in the USB stick from the district and "
         "open IHMS Desk: set-up fills in the facility, district, block and server. For Hindi press the Down arrow key first, then Enter."),
        ("2. First login",
         "In set-up, type the MO in-charge's name and password (twice). With users.csv on the stick, Enter adds the "
         "pharmacist and the store clerk; with the challan's CSV, Enter receives the stock. From then on everyone logs "
         "in with their own user name and password; never share a password."),
        ("3. First dispense",
         "F2: Dispense. Type the OPD number, name, age, sex (M/F/O) and doctor, Enter after each. The first letters "
         "of the medicine (par 500) and Enter, then the quantity (10 or 1-0-1 x5) and Enter. F10 saves. When stock "
         "is short the screen says NOT AVAILABLE: write NA on the slip."),
        ("4. The sync light (bottom right)",
         "Records are always safe on this PC; they are sent by themselves whenever the line is up. Nothing to press."),
        ("5. Whom to call",
         "The district IHMS helpdesk: the number is printed on your facility's slip (for example {helpline}). Before "
         "calling, read out the message on the Sync screen (F11). A power cut loses nothing: a saved record is safe."),
    ),
    lights=("Green \"online\": everything is sent or being sent.",
            "Red \"offline\": no line; records wait and go later by themselves.",
            "Grey \"not set up\": not enrolled yet; it happens by itself from the package once the line is up."),
    footer="Made from the screens of the current IHMS Desk.",
)


def take_screenshots(folder: Path, language: str) -> dict[str, Path]:
    """A real first run in ``language`` (benchmarks/first_run_bench.py's drive), then the
    screens the guide shows, grabbed as PNG."""
    from first_run_bench import FACILITY, make_stick, program_sees
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtTest import QTest

    from ihms_desk.store import Store
    from ihms_desk.ui import i18n
    from ihms_desk.ui.app import create_application
    from ihms_desk.ui.login import LoginScreen
    from ihms_desk.ui.main_window import MainWindow
    from ihms_desk.ui.setup_wizard import SetupWizard
    from ihms_desk.ui.sync_status import SyncStatus
    from first_run_bench import drive_first_run

    create_application()
    shots: dict[str, Path] = {}
    stick = make_stick(folder / "usb")

    def grab(widget: object, name: str, keep_width: float = 1.0) -> None:
        """The widget as PNG; ``keep_width`` keeps its left part only (the part the guide is about)."""
        for _ in range(5):
            QCoreApplication.processEvents()
        path = folder / f"{language}-{name}.png"
        picture = widget.grab()  # type: ignore[attr-defined]
        picture.copy(0, 0, int(picture.width() * keep_width), picture.height()).save(str(path))
        shots[name] = path

    i18n.set_language(language)
    with Store.open(folder / "fresh") as fresh, program_sees(stick):
        wizard = SetupWizard(fresh)
        wizard.resize(720, 600)
        wizard.show()
        grab(wizard, "setup")
        wizard.close()
    data = folder / "desk"
    drive_first_run(data, stick, language)
    i18n.set_language(language)
    with Store.open(data) as store:
        login = LoginScreen(store)
        login.resize(620, 420)
        login.show()
        QTest.keyClicks(login.username_edit, "kavita")
        grab(login, "login")
        login.close()
        store.login("kavita", "kavita-pw1")
        window = MainWindow(store, start="dispense")
        window.resize(1366, 698)
        window.show()
        screen = window.screens["dispense"]
        screen.opd_edit.setText("102")
        for edit, text in ((screen.name_edit, "Ramesh"), (screen.age_sex_edit, "61M"), (screen.prescriber_edit, "Dr R")):
            QTest.keyClicks(edit, text)
        screen.picker.choose_code("D0037")
        QTest.keyClicks(screen.qty_edit, "1-0-1 x5")
        grab(screen, "dispense", keep_width=0.62)
        window.close()
    for key, state in (("online", (True, 0, "2026-12-01T15:30:00+00:00", None)),
                       ("offline", (False, 14, "2026-12-01T15:30:00+00:00", "no line")),
                       ("never", (None, 3, None, None))):
        light = SyncStatus()
        light.set_state(*state)
        light.resize(light.sizeHint())
        light.show()
        grab(light, f"light-{key}")
        light.close()
    assert FACILITY["code"]
    i18n.set_language("en")
    return shots


def write_pdf(out: Path, pages: list[tuple[str, Words, dict[str, Path]]], helpline: str) -> Path:
    from fpdf import FPDF
    from PIL import Image

    from ihms_desk.paths import resource_path

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    for family, style, name in (("latin", "", "NotoSans-Regular.ttf"), ("latin", "B", "NotoSans-Bold.ttf"),
                                ("deva", "", "NotoSansDevanagari-Regular.ttf"),
                                ("deva", "B", "NotoSansDevanagari-Bold.ttf")):
        pdf.add_font(family, style, str(resource_path("fonts", name)))
    pdf.set_text_shaping(True)
    pdf.set_auto_page_break(False)
    pdf.set_margins(12, 10, 12)
    pdf.set_title("IHMS Desk quick guide")
    pdf.set_creator("docs/guide/make_guide.py")
    width = pdf.w - 24

    def image(path: Path, x: float, y: float, w: float) -> float:
        """Place a screenshot (scaled down for a small file); returns its height."""
        with Image.open(path) as picture:
            ratio = picture.height / picture.width
            small = picture.convert("RGB")
            small.thumbnail((1000, 1000))
            pdf.image(small, x=x, y=y, w=w)
        pdf.set_draw_color(180, 180, 180)
        pdf.rect(x, y, w, w * ratio)
        return w * ratio

    for language, words, shots in pages:
        family = "deva" if language == "hi" else "latin"
        pdf.set_fallback_fonts(["latin"] if language == "hi" else ["deva"])
        pdf.add_page()
        pdf.set_font(family, "B", 17)
        pdf.cell(width, 9, words.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 9.5)
        pdf.set_text_color(80, 80, 80)
        pdf.cell(width, 5.5, words.subtitle, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        top = pdf.get_y() + 2
        # Left column: the words; right column: the screenshots beside them.
        text_width, shot_x, shot_width = 104.0, 12 + 108.0, width - 108.0
        pdf.set_y(top)
        for heading, body in words.sections:
            pdf.set_font(family, "B", 11)
            pdf.multi_cell(text_width, 6, heading, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(family, "", 9.3)
            pdf.multi_cell(text_width, 4.6, body.format(helpline=helpline), new_x="LMARGIN", new_y="NEXT")
            if heading.startswith("4."):
                for key, meaning in zip(("online", "offline", "never"), words.lights):
                    y = pdf.get_y() + 1
                    height = image(shots[f"light-{key}"], 14, y, 48)
                    pdf.set_xy(64, y - 0.5)
                    pdf.multi_cell(text_width - 52, 4.3, meaning, new_x="LMARGIN", new_y="NEXT")
                    pdf.set_y(max(pdf.get_y(), y + height) + 1)
            pdf.ln(2)
        y = top
        for key in ("setup", "login", "dispense"):
            y += image(shots[key], shot_x, y, shot_width) + 4
        pdf.set_xy(12, 285)
        pdf.set_font(family, "", 7.5)
        pdf.set_text_color(100, 100, 100)
        pdf.cell(width, 4, words.footer)
        pdf.set_text_color(0, 0, 0)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "guide" / "quick-guide.pdf"))
    parser.add_argument("--pages", help="also render the pages to PNG in this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ihms-guide-") as temp:
        folder = Path(temp)
        os.environ.setdefault("IHMS_MACHINE_DIR", str(folder / "pc"))
        os.environ.setdefault("IHMS_LOG_DIR", str(folder / "logs"))
        pages = []
        for language, words in (("hi", HINDI), ("en", ENGLISH)):
            shots_folder = folder / language
            shots_folder.mkdir()
            pages.append((language, words, take_screenshots(shots_folder, language)))
        out = write_pdf(Path(args.out), pages, HELPLINE_EXAMPLE)
    print(f"guide written to {out}")
    if args.pages:
        Path(args.pages).mkdir(parents=True, exist_ok=True)
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            print("pdftoppm is missing (poppler-utils): pages not rendered", file=sys.stderr)
            return 1
        subprocess.run([pdftoppm, "-png", "-r", "80", str(out), str(Path(args.pages) / "page")], check=True)
        print(f"pages rendered to {args.pages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
