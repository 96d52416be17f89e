"""What the program says to people, in each language, from a stable kind and its values.

Every refusal (store, barcode, CSV import), every environment problem and every sync failure
carries a ``kind`` and its ``values``; the words are looked up here, one table per language
(:mod:`ihms_desk.wording.en`, :mod:`ihms_desk.wording.hi`)::

    from ihms_desk import wording
    wording.say("stock_too_low", {"available": 4, "item": "D0005", "requested": 10}, "hi")
    wording.text_of(refusal, "hi")      # anything with .kind and .values

The tables are plain Python and import nothing of the program, and nothing here imports Qt:
the store words its English ``message`` (logs, the server's view) from them, the command
line speaks the user's language from them, and the screens look them up the same way. No
English sentence is ever parsed back into its parts. Adding a refusal is one entry in
``en.MESSAGES`` and one in ``hi.MESSAGES``; ``tests/test_wording.py`` fails while a kind has
no Hindi, or a Hindi wording names a value the English does not have.
"""

from __future__ import annotations

import functools
import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ihms_desk.wording import en, hi

#: The languages the program speaks, by code, with their own names.
LANGUAGES: dict[str, str] = {"en": "English", "hi": "हिन्दी"}
#: Overrides the language of the command line (``hi`` or ``en``); else the facility's setting.
LANGUAGE_ENV = "IHMS_LANG"

#: Each language's table of kinds, and of labels (pieces that stand inside a message).
_MESSAGES: dict[str, dict[str, str]] = {"en": en.MESSAGES, "hi": hi.MESSAGES}
_LABELS: dict[str, dict[str, str]] = {"en": en.LABELS, "hi": hi.LABELS}
#: Units of issue in each language but English (the catalogue's own words).
_UNITS: dict[str, dict[str, str]] = {"hi": hi.UNITS}


@dataclass(frozen=True)
class Label:
    """A value that is itself a word to look up: a field's name, a role, what a user may not
    do, a barcode element's title. ``key`` finds it in each language's ``LABELS``; without an
    entry there the ``english`` (or the English table's) stands."""

    key: str
    english: str = ""

    def __str__(self) -> str:
        return self.english or en.LABELS.get(self.key, self.key)


class Worded(Protocol):
    """Anything that says something through the tables: a refusal, a sync failure."""

    @property
    def kind(self) -> str | None: ...

    @property
    def values(self) -> Mapping[str, object]: ...


def say(kind: str, values: Mapping[str, object] | None = None, language: str = "en") -> str:
    """The words for ``kind`` in ``language`` (English where that language has none), with
    ``values`` filled in; a :class:`Label` value is looked up in the same language."""
    template = _MESSAGES.get(language, en.MESSAGES).get(kind)
    if template is None:
        template = en.MESSAGES[kind]  # a kind nobody wrote is a bug: KeyError
    shown = {name: _in_language(value, language) for name, value in (values or {}).items()}
    if language != "en" and kind in en.SYNC_MESSAGES:
        # Sync's values arrive as text (the server's reasons, what was wrong with an answer).
        shown = {name: reword(value, language) if isinstance(value, str) else value for name, value in shown.items()}
    return template.format_map(shown)


def _in_language(value: object, language: str) -> object:
    """A value that is itself words (a :class:`Label`, a :class:`Said`, lines of them) in
    ``language``; any other value as it is."""
    if isinstance(value, Label):
        return label(value, language)
    if isinstance(value, Said):
        return say(value.kind, value.values, language)
    if isinstance(value, SaidLines):
        return "\n".join(say(line.kind, line.values, language) for line in value)
    return value


_PHRASE_VALUE = re.compile(r"\{(\w+)\}")


@functools.cache
def _phrases() -> list[tuple[str, re.Pattern[str]]]:
    # Compiled on first use: the first window imports this module.
    phrases = []
    for key, template in en.LABELS.items():
        if key.startswith("sync."):
            pieces = _PHRASE_VALUE.split(template)  # text, name, text, ...
            pattern = "".join(re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>.*?)"
                              for index, piece in enumerate(pieces))
            phrases.append((key, re.compile(pattern, re.DOTALL)))
    return phrases


def reword(text: str, language: str) -> str:
    """A fixed phrase inside a sync failure's value (the state server's reason for refusing a
    token, what was wrong with an answer: they reach the desk as text) in ``language``;
    any other text stays as it is."""
    table = _LABELS.get(language, en.LABELS)
    for key, pattern in _phrases():
        match = pattern.fullmatch(text)
        if match and key in table:
            return table[key].format_map(match.groupdict())
    return text


def label(value: Label, language: str = "en") -> str:
    """A label in ``language``, English when that language has no entry for it."""
    if language != "en":
        found = _LABELS.get(language, en.LABELS).get(value.key)
        if found is not None:
            return found
    return str(value)


def text_of(worded: Worded, language: str = "en", fallback: str | None = None) -> str:
    """What ``worded`` says in ``language``; ``fallback`` (its own message) for a kind the
    tables do not know, such as a sync failure recorded by an older version."""
    kind = worded.kind
    if kind is None or kind not in en.MESSAGES:
        return fallback if fallback is not None else str(worded)
    try:
        return say(kind, worded.values, language)
    except (KeyError, IndexError, ValueError):  # values that do not fit the words
        return fallback if fallback is not None else say(kind, worded.values, "en")


def group_indian(number: int) -> str:
    """``1234567`` as ``12,34,567``: the last three digits, then groups of two (lakh, crore),
    as registers print numbers in both languages (the screens, reports and files use it)."""
    sign = "-" if number < 0 else ""
    digits = str(abs(int(number)))
    if len(digits) <= 3:
        return sign + digits
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return sign + ",".join(groups) + "," + tail


def unit_name(name: str, language: str = "en") -> str:
    """A unit of issue (``tablet``) in ``language`` (``गोली``); a unit the table does not
    know stays as the catalogue has it."""
    return _UNITS.get(language, {}).get(name, name)


def month_as_printed(expiry_month: str) -> str:
    """An expiry month ``2027-03`` as packs, registers and every message print it: ``03/2027``
    (a text that is not a month stays as it is)."""
    year, _, month = expiry_month.partition("-")
    return f"{month}/{year}" if month else expiry_month


def whole_months(value: float) -> str:
    """Months of stock as registers count them: whole months, rounded down (1.9 months is one
    full month, never "2"); under one month but some stock is ``<1``, not a misleading 0."""
    if 0 < value < 1:
        return "<1"
    return group_indian(int(value))


def placeholders(template: str) -> set[str]:
    """The value names a template uses (``{item}`` -> ``item``)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def language_for_cli(setting: str | None = None) -> str:
    """The command line's language: ``IHMS_LANG`` when set, else the facility's setting."""
    chosen = (os.environ.get(LANGUAGE_ENV) or setting or "en").strip().lower()
    return chosen if chosen in LANGUAGES else "en"


class Said(str):
    """English words that remember their kind and values, where a plain string is what is
    kept (a CSV import's refused rows): another language words them again from the table.

    >>> reason = Said("column_empty", {"column": "code"})
    >>> reason, text_of(reason, "hi")
    ('code is empty', 'code खाली है')
    """

    kind: str
    values: dict[str, object]

    def __new__(cls, kind: str, values: Mapping[str, object] | None = None) -> Said:
        said = super().__new__(cls, say(kind, values))
        said.kind = kind
        said.values = dict(values or {})
        return said


class SaidLines(tuple[Said, ...]):
    """Several :class:`Said` as one value, a line each (every bad row of an imported file):
    each language words every line again from its table."""

    def __str__(self) -> str:
        return "\n".join(self)
