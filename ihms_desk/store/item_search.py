"""The item search's index of the catalogue, held in memory: ``Store.search_items`` ranks from it.

The counter searches at every keystroke. Matched in SQL, every keystroke compared each word
with the search text of all 6,000 items (LIKE) and summed each match's recent consumption: a
one-letter search ranks nearly the whole catalogue, 6-17 ms a keystroke on the five-year
database. Here each item's words sit once in sorted lists (the items with a word beginning
so are one slice of a list), and a word inside other words is looked for among the items
found for the same word one letter shorter a keystroke ago, so a keystroke is a few set
operations; SQL is asked only for the stock of the items shown.

The ranking is the SQL's, to the letter (``CatalogueMixin.search_items`` says it in words;
``tests/store/test_item_search.py`` keeps that SQL and compares the two on the starter
catalogue and 1,500 more items): LIKE and ``COLLATE NOCASE`` fold ASCII letters only, so the
index folds ASCII letters only too.

Kept current across connections and processes: the database counts every change of an item
in ``search_stamp`` (triggers, migration ``m012_search_stamp``); the index reads that count
before it answers and is built again when it moved. What this counter issued lately
(``consumption_month``, which every save changes) is read again, one grouped query, whenever
anything was written since: ``PRAGMA data_version`` moves with another connection's commit,
``total_changes`` with this connection's.
"""

from __future__ import annotations

import sqlite3
import string
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ihms_desk.store.catalogue import ITEM_COLUMN_COUNT, ITEM_COLUMNS, PARENTERAL_FORMS, SYNONYMS_MARK, item_from_row
from ihms_desk.store.model import Item

#: What LIKE and NOCASE fold: the 26 ASCII capitals, nothing else (not "É", not "İ").
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_MARK = SYNONYMS_MARK.strip()
#: How many item numbers the sets looked up lately may hold in all (about 5 MB); the least
#: recently used go first.
_REMEMBERED_MEMBERS = 150_000


def ascii_lower(text: str) -> str:
    """``text`` with ASCII capitals folded, as SQLite's LIKE and NOCASE compare it."""
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


class _Prefixes:
    """Keys in order, each with the number of the item it belongs to: the items with a key
    starting with a text are one slice of them."""

    def __init__(self, keys_of: dict[str, list[int]]) -> None:
        self.keys: list[str] = []
        self.numbers: list[int] = []
        for key in sorted(keys_of):
            numbers = keys_of[key]
            self.keys += [key] * len(numbers)
            self.numbers += numbers

    def starting(self, text: str) -> frozenset[int]:
        low = bisect_left(self.keys, text)
        last = ord(text[-1])
        if last < 0x10FFFF:
            # The first key past every key starting with the text.
            high = bisect_left(self.keys, text[:-1] + chr(last + 1), low)
        else:
            high = low
            while high < len(self.keys) and self.keys[high].startswith(text):
                high += 1
        return frozenset(self.numbers[low:high])


@dataclass
class _Index:
    """The catalogue at one count of its changes. Items are numbered in the order the search
    sorts its last key in (the name, compared as SQLite's BINARY does: by code point), so
    the numbers sort like the names."""

    stamp: int
    #: Each item's catalogue row; made an :class:`Item` when it is first shown (:meth:`item`).
    rows: list[sqlite3.Row]
    number_of_id: dict[int, int]
    codes: list[str]
    names: list[str]
    generics: list[str]
    texts: list[str]
    active: frozenset[int]
    parenteral: frozenset[int]
    #: Keys by kind: ``word`` every word of the search text (after a space, or first),
    #: ``later`` the words after the first (``' ' || word`` inside the text), ``synonym`` the
    #: first word of each synonym (after ``" | "``), and the whole ``code``, ``name`` and
    #: ``generic`` name.
    prefixes: dict[str, _Prefixes]
    #: Items by their code (``code = ? COLLATE NOCASE``; codes differing in case are two).
    with_code: dict[str, list[int]]
    #: Items whose search text holds each letter looked for: kept (a few dozen letters).
    with_letter: dict[str, frozenset[int]] = field(default_factory=dict)
    #: What was looked up lately, by (kind, text), least recent first: a counter types the
    #: same beginnings all day, and a word one letter longer is found among the shorter's.
    recent: dict[tuple[str, str], frozenset[int]] = field(default_factory=dict)
    recent_members: int = 0
    shown: dict[int, Item] = field(default_factory=dict)

    def item(self, number: int) -> Item:
        found = self.shown.get(number)
        if found is None:
            found = self.shown[number] = item_from_row(self.rows[number])
        return found

    def with_word(self, word: str) -> frozenset[int]:
        """Items whose search text holds ``word`` anywhere (``LIKE '%word%'``)."""
        texts = self.texts
        if len(word) == 1:
            found = self.with_letter.get(word)
            if found is None:
                found = self.with_letter[word] = frozenset(number for number, text in enumerate(texts) if word in text)
            return found

        def look() -> frozenset[int]:
            shorter = self.with_letter.get(word[0]) if len(word) == 2 else self.recent.get(("text", word[:-1]))
            if shorter is None:
                letters = sorted((self.with_word(letter) for letter in set(word)), key=len)
                shorter = letters[0].intersection(*letters[1:])
            return frozenset(number for number in shorter if word in texts[number])

        return self._remembered("text", word, look)

    def starting(self, kind: str, text: str) -> frozenset[int]:
        """Items with a key of ``kind`` (see :attr:`prefixes`) starting with ``text``."""
        return self._remembered(kind, text, lambda: self.prefixes[kind].starting(text))

    def _remembered(self, kind: str, text: str, look: Callable[[], frozenset[int]]) -> frozenset[int]:
        key = (kind, text)
        found = self.recent.pop(key, None)
        if found is None:
            found = look()
            self.recent_members += len(found)
            while self.recent and self.recent_members > _REMEMBERED_MEMBERS:
                self.recent_members -= len(self.recent.pop(next(iter(self.recent))))
        self.recent[key] = found
        return found

    def exact(self, first: str) -> frozenset[int]:
        """Items whose code is ``first`` (``code = ? COLLATE NOCASE``)."""
        return frozenset(self.with_code.get(first, ()))

    def rank_of(self, number: int, first: str) -> int:
        """How item ``number`` matches the first word: 0 its code, 1 its code's start, 2 its
        name's, 3 its generic name's, 4 a later word's start, 5 inside a word."""
        code = self.codes[number]
        if code == first:
            return 0
        if code.startswith(first):
            return 1
        if self.names[number].startswith(first):
            return 2
        if self.generics[number].startswith(first):
            return 3
        return 4 if " " + first in self.texts[number] else 5


def build_index(conn: sqlite3.Connection, stamp: int) -> _Index:
    """Read the catalogue (every item, withdrawn ones too) into an :class:`_Index`."""
    rows = conn.execute(f"SELECT {ITEM_COLUMNS}, i.search_text FROM item i ORDER BY i.name, i.id").fetchall()
    # The columns by position (ITEM_COLUMNS): 0 id, 1 code, 2 name, 3 generic name, 5 form, 9 active.
    texts = [ascii_lower(row[ITEM_COLUMN_COUNT]) for row in rows]
    codes = [ascii_lower(row[1]) for row in rows]
    names = [ascii_lower(row[2]) for row in rows]
    generics = [ascii_lower(row[3]) for row in rows]
    words: dict[str, list[int]] = {}
    later: dict[str, list[int]] = {}
    synonyms: dict[str, list[int]] = {}
    for number, text in enumerate(texts):
        tokens = text.split(" ")
        for at, token in enumerate(tokens):
            if not token:
                continue
            words.setdefault(token, []).append(number)
            if at:
                later.setdefault(token, []).append(number)
                # " | word": the mark is a word of its own after a space (never the first word).
                if tokens[at - 1] == _MARK and at > 1:
                    synonyms.setdefault(token, []).append(number)

    def one_each(keys: list[str]) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for number, key in enumerate(keys):
            found.setdefault(key, []).append(number)
        return found

    by_code = one_each(codes)

    return _Index(
        stamp=stamp,
        rows=rows,
        number_of_id={row[0]: number for number, row in enumerate(rows)},
        codes=codes,
        names=names,
        generics=generics,
        texts=texts,
        active=frozenset(number for number, row in enumerate(rows) if row[9]),
        parenteral=frozenset(number for number, row in enumerate(rows) if row[5] in PARENTERAL_FORMS),
        prefixes={"word": _Prefixes(words), "later": _Prefixes(later), "synonym": _Prefixes(synonyms),
                  "code": _Prefixes(by_code), "name": _Prefixes(one_each(names)), "generic": _Prefixes(one_each(generics))},
        with_code=by_code,
    )


class ItemSearch:
    """One store's (so one connection's) index and its figures of recent use, each read
    again only when the database says it changed."""

    def __init__(self) -> None:
        self._index: _Index | None = None
        self._use_key: tuple[int, int, str] | None = None
        #: Quantity issued since the month the search looks back to, by item number (not 0).
        self._use: dict[int, int] = {}

    def rank(self, conn: sqlite3.Connection, words: list[str], *, since: str, limit: int, include_inactive: bool,
             parenteral_last: bool) -> list[tuple[Item, int]]:
        """The best ``limit`` items for ``words`` (lower case, as ``search_words`` makes them),
        with the finer rank of each, best first::

            1. tier: the exact code (0); every word a word's start and the first word the start of
               the name, generic name, code or a synonym (1); every word a word's start (2);
               every word somewhere (3);
            2. injections, infusions and vaccines last (first, if ``not parenteral_last``);
            3. more issued since ``since`` (a month, ``YYYY-MM``) first;
            4. the finer rank (:meth:`_Index.rank_of`), then the name.
        """
        stamp, data_version = conn.execute(
            "SELECT (SELECT catalogue_changes FROM search_stamp WHERE id = 1), data_version FROM pragma_data_version"
        ).fetchone()
        index = self._index
        if index is None or index.stamp != stamp:
            index = self._index = build_index(conn, stamp)
            self._use_key = None
        use_key = (data_version, conn.total_changes, since)
        if use_key != self._use_key:
            self._use = self._read_use(conn, index, since)
            self._use_key = use_key
        return [(index.item(number), index.rank_of(number, words[0]))
                for number in self._best(index, words, limit, include_inactive, parenteral_last)]

    @staticmethod
    def _read_use(conn: sqlite3.Connection, index: _Index, since: str) -> dict[int, int]:
        rows = conn.execute("SELECT item_id, sum(qty) FROM consumption_month WHERE month >= ? GROUP BY item_id", (since,))
        number_of_id = index.number_of_id
        return {number_of_id[item_id]: qty for item_id, qty in rows if qty and item_id in number_of_id}

    def _best(self, index: _Index, words: list[str], limit: int, include_inactive: bool,
              parenteral_last: bool) -> list[int]:
        found = index.with_word(words[0]).intersection(*(index.with_word(word) for word in words[1:]))
        if not include_inactive:
            found &= index.active
        if not found:
            return []
        if limit < 0:  # SQL's LIMIT -1: no limit
            limit = len(found)
        first = words[0]
        starts = found.intersection(*(index.starting("word", word) for word in words))
        exact = found & index.exact(first)

        def by_form(tier: frozenset[int]) -> tuple[frozenset[int], frozenset[int]]:
            counter, ward = tier - index.parenteral, tier & index.parenteral
            return (counter, ward) if parenteral_last else (ward, counter)

        def groups() -> Iterator[frozenset[int]]:
            """Tier by tier, each split by form; worked out only while places are left."""
            yield from by_form(exact)
            first_starts = frozenset().union(*(index.starting(kind, first) for kind in ("name", "generic", "code", "synonym")))
            yield from by_form((starts & first_starts) - exact)
            yield from by_form(starts - first_starts - exact)
            yield from by_form(found - starts - exact)

        best: list[int] = []
        for group in groups():
            if len(best) >= limit:
                break
            if group:
                best += self._most_used(index, first, group, limit - len(best))
        return best[:limit]

    def _most_used(self, index: _Index, first: str, group: frozenset[int], count: int) -> list[int]:
        """The ``count`` best of one tier and form: more issued first, then the finer rank,
        then the name (the number)."""
        use = self._use
        issued = [number for number in use if number in group] if len(use) < len(group) \
            else [number for number in group if number in use]

        def ordered(numbers: Iterable[int]) -> list[int]:
            return sorted(numbers, key=lambda number: (-use[number], index.rank_of(number, first), number))

        more = [number for number in issued if use[number] > 0]
        if len(more) > count:
            # The finer rank only breaks ties: worked out for the few that can be shown.
            least = sorted((use[number] for number in more), reverse=True)[count - 1]
            more = [number for number in more if use[number] >= least]
        best = ordered(more)[:count]
        if len(best) >= count:
            return best
        # Never issued (most of a one-letter search): by rank, one set of items per rank.
        unused = group.difference(issued)
        for kind in ("exact", "code", "name", "generic", "later"):
            if len(best) >= count or not unused:
                break
            ranked = index.exact(first) if kind == "exact" else index.starting(kind, first)
            these = unused & ranked
            best += sorted(these)[:count - len(best)]
            unused -= these
        if len(best) < count:
            best += sorted(unused)[:count - len(best)]
        if len(best) < count:
            # Returns outweighing issues (a sum below zero) come after everything never issued.
            best += ordered(number for number in issued if use[number] < 0)
        return best[:count]
