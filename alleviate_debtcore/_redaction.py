"""The one redaction of every error text that may quote a server or an input: ``redact``.

A server (or anything between us and it) may echo what the call sent, in any spelling:
graphql-js quotes rejected variables (``Variable "$input" got invalid value "666023511"``), a
vendor reformats them (``DEVOS, THOMAS``, ``Sep 6, 1957``, ``666 02 3511``). So every error
message built from a response or an input (``PayloadError``, ``GraphQLResponseError`` and its
``GraphQLErrorDetail`` messages, paths and extensions, ``APIStatusError`` quoting a 4xx/5xx body,
``ResponseDecodeError``, ``ResponseValidationError``, ``InputValidationError``) goes through
``redact(text, sent)``, where ``sent`` is what the call sent (its variables). Nothing is worked
out on the success path: a call's values are read when an error text is redacted.

What is removed (replaced by ``<redacted>``, overlapping or touching spans merged):

1. **The values this call sent.** Every string leaf of ``sent`` and every number of 4 or more
   digits, in these spellings:

   - the whole value, case-insensitive, with any separators (spaces, punctuation, invisible
     characters) or none between any two of its letters and digits: ``110 Bear Creek Rd.``,
     ``110BEARCREEKRD``, ``T. H. O. M. A. S``, ``666 02 3511``, ``1957/09/06``;
   - its digits alone when digits are most of it (5 or more): ``666-02-3511`` of ``666023511``,
     ``19570906`` of ``1957-09-06``; for 7 or more digits also its last four and first five
     digits as whole numbers (``ending 3511``, ``666-02``);
   - a date it holds (``YYYY-MM-DD``, ``MM/DD/YYYY``, ``YYYYMMDD``, an ISO date-time) wherever
     the text spells that date: numbers in the orders Y-M-D, M-D-Y, D-M-Y (and Y-D-M), padded or
     not, two- or four-digit year, any separators (``1957-9-6``, ``09/06/1957``, ``6.9.57``),
     or the month's name or abbreviation (``Sep 6, 1957``, ``September 6th 1957``, ``6 Sep
     1957``, ``06-Sep-1957``, ``1957 Sep 06``, ``Sep 6``, ``September 1957``);
   - each word of 3 or more characters of a value with spaces or without digits (``DEVOS`` of
     ``THOMAS DEVOS``, ``BEAR`` and ``CREEK`` of an address, ``JONES`` of ``SMITH-JONES``),
     except street and unit designators, directions and name suffixes (``road``, ``apt``,
     ``north``, ``jr`` ...).

   Texts are searched with their separators removed, after folding case, accents and
   compatibility forms (``JOSÉ`` matches ``jose``, full-width digits match ASCII ones). Values of
   5 or more letters and digits match anywhere, even inside a longer word; shorter ones only as a
   whole word or number (``Ann`` does not shred ``annual``, nor ``3511`` a ``35110``). Skipped,
   because removing them would shred messages without protecting anyone: values under 3
   characters (a state, ``Jr``), numbers under 4 digits, booleans, ``true``/``false``/``null``,
   enum-shaped constants (``ARRAY_EQUIFAX``), strings over 256 characters (an uploaded document:
   the patterns below still apply) and the values of a call beyond its first 10,000.

2. **Today's patterns, whatever was sent:** the value after graphql-js's echo phrases (``got
   invalid value ...``, ``cannot represent ... value: ...``, ``found ...``) up to the end of its
   clause; SSNs (``666-02-3511``, ``666 02 3511``), runs of 9 or more digits (not a UUID's last
   group: request ids stay quotable), dates (``1957-9-6``, ``09/06/1957``, ``06-09-1957``,
   ``19570906``, ``Sep 6, 1957``, ``6 Sep 1957``).

Only the first 16 KiB of a text are kept (never cutting a redacted span in two), with how much
was withheld: redaction stays fast whatever the server sends (a 1,000-value call and a 16 KiB
text take milliseconds, 10,000 values a tenth of a second).

What can still pass (an echo the server made on purpose can always encode a value): fragments
other than those above (a bare year of birth, the middle digits ``602`` of an SSN, one initial
``T.``), digits interleaved with letters (``6a6a6...``), values spelled out or encoded (``six six
six``, base64, reversed), look-alike letters of other scripts (a Cyrillic A), values too short or
too long to be matched (above), and values this call did not send (another applicant's data in a
shared message): only the patterns catch those. A short text may lose a word that happens to
spell a value (a street named ``Main`` takes ``main`` out of messages). The ``data``, ``errors``,
``messages`` and ``partial_data`` attributes of the exceptions are the server's answer as it came
(the caller asked for it) and are not redacted; their ``str``, ``repr`` and tracebacks are.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, Final, Literal, cast

__all__ = ["MAX_TEXT", "REDACTED", "Redactor", "redact"]

REDACTED: Final = "<redacted>"

MAX_TEXT: Final = 16 * 1024
_MIN_LENGTH: Final = 3
_MIN_NUMBER_DIGITS: Final = 4
_MAX_VALUE_LENGTH: Final = 256
_MAX_VALUES: Final = 10_000
# Values at least this long (letters and digits) match inside longer words too.
_ANYWHERE: Final = 5
# How far past MAX_TEXT a span may run and still be found whole.
_WINDOW: Final = 2 * _MAX_VALUE_LENGTH

_WORD: Final = re.compile(r"[^\W_]+")
_DIGIT: Final = re.compile(r"\d")
_ENUM_SHAPED: Final = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_CONSTANTS: Final = frozenset({"true", "false", "null", "none"})
# Words of an address or name that say nothing about the applicant.
_COMMON_WORDS: Final = frozenset(
    {
        "and", "the", "apt", "unit", "suite", "ste", "floor", "room", "bldg", "building",
        "street", "road", "drive", "lane", "avenue", "ave", "blvd", "boulevard", "court",
        "place", "way", "hwy", "highway", "circle", "trail", "terrace", "parkway", "pkwy",
        "route", "box", "north", "south", "east", "west", "jr", "sr", "iii", "mrs",
    }
)  # fmt: skip

# How a found value must stand: anywhere, as a whole word, or as a whole number.
Boundary = Literal["anywhere", "word", "number"]
_LOOSEST: Final[tuple[Boundary, ...]] = ("anywhere", "number", "word")

_MONTHS: Final = (
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
)  # fmt: skip
_MONTH: Final = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_SEP: Final = r"[\W_]*"
_DAY: Final = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?(?!\d)"
_YEAR: Final = r"(?P<year>\d{4}|\d{2})(?!\d)"
_NOT_LETTER: Final = r"(?<![^\W\d_])"
# Dates in any order and spelling, whoever's they are; a date found is removed when it is one
# the call sent. Each is tried at every position (a lookahead), so one match cannot hide another.
# The larger patterns are compiled on the first redaction (an error path), not at import.
_DATE_PATTERNS: Final = tuple(
    rf"(?=(?P<all>{pattern}))"
    for pattern in (
        r"(?<!\d)(?P<a>\d{1,4})[\W_]+(?P<b>\d{1,2})[\W_]+(?P<c>\d{1,4})(?!\d)",
        # The day's digits may run into the year's ("SEP061957").
        rf"{_NOT_LETTER}{_MONTH}{_SEP}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:{_SEP}{_YEAR})?(?!\d)",
        rf"(?<!\d){_DAY}{_SEP}(?:of{_SEP})?{_MONTH}(?:{_SEP}{_YEAR})?",
        rf"(?<!\d)(?P<year>\d{{4}}){_SEP}{_MONTH}{_SEP}{_DAY}",
        rf"{_NOT_LETTER}{_MONTH}{_SEP}(?P<year>\d{{4}})(?!\d)",
    )
)

# The value after a phrase that introduces an echo, up to the end of its clause ("; ", a location
# such as ` at "input.ssn"`, ". " or the end of the text).
_ECHO_PATTERN: Final = r"""(?:
        got\ invalid\ value
      | has\ invalid\ value
      | cannot\ represent\ (?:an?\ )?(?:non[- ][\w-]+\ )?value:?
      | invalid\ value:?
      | ,\ found
    )
    \s*(?P<value>.*?)
    (?:;\s|\ at\ ["']|\.\s|$)"""
_MONTH_NAMES: Final = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
# SSN- and date-shaped numbers, whoever's they are. A 9+ digit run that is a UUID's last group
# (a request id) is left alone.
_SHAPED_PATTERN: Final = rf"""\b\d{{3}}[-\s.]\d{{2}}[-\s.]\d{{4}}\b
      | (?<![0-9A-Fa-f]{{4}}-)(?<!\d)\d{{9,}}
      | \b\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b
      | \b\d{{1,2}}[-/]\d{{1,2}}[-/]\d{{2,4}}\b
      | \b(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b
      | \b{_MONTH_NAMES}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b
      | \b\d{{1,2}}(?:st|nd|rd|th)?[\s-]+(?:of\s+)?{_MONTH_NAMES}\.?[\s,-]+\d{{4}}\b"""


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], ...], re.Pattern[str], re.Pattern[str]]:
    """(dates, echo, shaped), compiled once, on first use."""
    return (
        tuple(re.compile(pattern, re.IGNORECASE) for pattern in _DATE_PATTERNS),
        re.compile(_ECHO_PATTERN, re.IGNORECASE | re.DOTALL | re.VERBOSE),
        re.compile(_SHAPED_PATTERN, re.IGNORECASE | re.VERBOSE),
    )


# How a sent value is read as a date: (pattern, group of the year, month, day).
_SENT_DATES: Final = (
    (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?"), (1, 2, 3)),
    (re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})"), (3, 1, 2)),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), (1, 2, 3)),
)


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    # One character for one, so positions in the folded text are positions in the original.
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return base if len(base) == 1 else char


def _fold(text: str) -> str:
    """``text`` lower-cased, without accents and compatibility forms, character for character."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def _leaves(sent: object) -> Iterator[str]:
    """The string and number leaves of ``sent`` (JSON-shaped), as strings, the first
    _MAX_VALUES in order."""
    stack: list[object] = [sent]
    count = 0
    while stack and count < _MAX_VALUES:
        item = stack.pop()
        if isinstance(item, str):
            count += 1
            yield item
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if len(str(abs(item))) >= _MIN_NUMBER_DIGITS:
                count += 1
                yield str(item)
        elif isinstance(item, float):
            if item == item and abs(item) >= 10 ** (_MIN_NUMBER_DIGITS - 1):  # not NaN
                count += 1
                yield str(int(item)) if item.is_integer() else repr(item)
        elif isinstance(item, Mapping):
            stack.extend(reversed(list(cast(Mapping[object, object], item).values())))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(cast(Sequence[object], item)))


def _sent_date(value: str) -> date | None:
    for form, (y, m, d) in _SENT_DATES:
        match = form.fullmatch(value)
        if match is not None:
            try:
                return date(int(match.group(y)), int(match.group(m)), int(match.group(d)))
            except ValueError:
                return None
    return None


def _spellings(value: str) -> Iterator[tuple[str, Boundary]]:
    """What to look for of one sent value: its letters and digits run together (the text is
    searched with its separators removed, so any spacing and punctuation match), each with how
    it must stand in the text."""
    words = _WORD.findall(value)
    chars = "".join(words)
    if len(chars) < _MIN_LENGTH:
        return
    yield chars, "anywhere" if len(chars) >= _ANYWHERE else "word"
    digits = "".join(_DIGIT.findall(value))
    if len(digits) >= 5 and 2 * len(digits) >= len(chars):
        yield digits, "anywhere" if len(digits) >= 7 else "number"
        if len(digits) >= 7:  # "ending 3511", "666-02"
            yield digits[-4:], "number"
            yield digits[:5], "number"
    if len(words) > 1 and (any(c.isspace() for c in value) or not digits):
        for word in words:
            if len(word) >= _MIN_LENGTH and word not in _COMMON_WORDS:
                yield word, "anywhere" if len(word) >= _ANYWHERE else "word"


def _merge(spans: Iterable[tuple[int, int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    return merged


class Redactor:
    """``redact`` for one call's values: what to look for is worked out at the first text."""

    __slots__ = ("_built", "_dates", "_literals", "_sent")

    def __init__(self, sent: object = None) -> None:
        self._sent = sent
        self._built = False
        self._literals: dict[str, Boundary] = {}
        self._dates = _Dates()

    def _build(self) -> None:
        for leaf in _leaves(self._sent):
            value = _fold(leaf).strip()
            if (
                len(value) < _MIN_LENGTH
                or len(value) > _MAX_VALUE_LENGTH
                or value in _CONSTANTS
                or _ENUM_SHAPED.fullmatch(leaf.strip())
            ):
                continue
            for literal, boundary in _spellings(value):
                # Two values with one spelling: the looser boundary (more is removed).
                known = self._literals.get(literal, boundary)
                self._literals[literal] = _LOOSEST[min(map(_LOOSEST.index, (known, boundary)))]
            when = _sent_date(value)
            if when is not None:
                self._dates.add(when)
        self._built, self._sent = True, None

    def _value_spans(self, folded: str) -> Iterator[tuple[int, int]]:
        # The text's letters and digits run together, and where each one was.
        runs = [(m.start(), m.group()) for m in _WORD.finditer(folded)]
        squeezed = "".join(run for _, run in runs)
        where = [start + i for start, run in runs for i in range(len(run))]
        for literal, boundary in self._literals.items():
            found = squeezed.find(literal)
            while found != -1:
                start, stop = where[found], where[found + len(literal) - 1] + 1
                if boundary == "anywhere" or _stands_alone(folded, start, stop, boundary):
                    yield start, stop
                found = squeezed.find(literal, found + 1)
        if self._dates:
            yield from self._date_spans(folded)

    def _date_spans(self, folded: str) -> Iterator[tuple[int, int]]:
        for pattern in _patterns()[0]:
            for match in pattern.finditer(folded):
                if self._dates.spelled_by(match):
                    yield match.span("all")

    def __call__(self, text: str) -> str:
        """``text`` with the call's values and every SSN- or date-shaped run replaced."""
        if not self._built:
            self._build()
        cut = len(text) > MAX_TEXT
        window = text[: MAX_TEXT + _WINDOW] if cut else text
        folded = _fold(window)
        spans = list(self._value_spans(folded)) if self._literals or self._dates else []
        _, echo, shaped = _patterns()
        spans.extend(m.span("value") for m in echo.finditer(folded) if m.group("value"))
        spans.extend(m.span() for m in shaped.finditer(folded))
        end = MAX_TEXT if cut else len(window)
        parts: list[str] = []
        position = 0
        for start, stop in _merge(spans):
            if start >= end:
                break
            parts += (window[position:start], REDACTED)
            position = stop
        end = max(end, position)  # a span across the cut is kept whole
        parts.append(window[position:end])
        if cut:
            parts.append(f" ... ({len(text) - end} more characters withheld)")
        return "".join(parts)

    def json(self, value: Any) -> Any:
        """A JSON value (GraphQL ``extensions``, a ``path``) with every string, key and number
        that holds something to redact redacted."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value if self(str(value)) == str(value) else REDACTED
        if isinstance(value, Mapping):
            items = cast(Mapping[object, object], value).items()
            return {self(str(k)): self.json(v) for k, v in items}
        if isinstance(value, list | tuple):
            return [self.json(item) for item in cast(Iterable[object], value)]
        return value


def _stands_alone(folded: str, start: int, stop: int, boundary: Boundary) -> bool:
    before = folded[start - 1] if start else " "
    after = folded[stop] if stop < len(folded) else " "
    if boundary == "number":
        return not before.isdigit() and not after.isdigit()
    return not before.isalnum() and not after.isalnum()


class _Dates:
    """The dates a call sent, as sets to look a spelled date up in (any year form, or none)."""

    __slots__ = ("days", "full", "months")

    def __init__(self) -> None:
        self.full: set[tuple[int, int, int]] = set()  # (year, month, day), year also as yy
        self.days: set[tuple[int, int]] = set()  # (month, day)
        self.months: set[tuple[int, int]] = set()  # (year, month), year also as yy

    def add(self, when: date) -> None:
        for year in (when.year, when.year % 100):
            self.full.add((year, when.month, when.day))
            self.months.add((year, when.month))
        self.days.add((when.month, when.day))

    def __bool__(self) -> bool:
        return bool(self.days)

    def spelled_by(self, match: re.Match[str]) -> bool:
        """Whether a date-shaped match spells one of these dates (in any order its numbers
        allow)."""
        groups = match.groupdict()
        if groups.get("a") is not None:
            a, b, c = groups["a"], groups["b"], groups["c"]
            # Y-M-D, M-D-Y, D-M-Y, and Y-D-M: rare, but as cheap to rule out.
            orders = ((a, b, c), (c, a, b), (c, b, a), (a, c, b))
            return any(
                len(y) in (2, 4) and (int(y), int(m), int(d)) in self.full for y, m, d in orders
            )
        month = _MONTHS.index(groups["mon"][:3]) + 1
        day, year = groups.get("day"), groups.get("year")
        if year is None:
            return day is not None and (month, int(day)) in self.days
        if day is None:
            return (int(year), month) in self.months
        return (int(year), month, int(day)) in self.full


def redact(text: str, sent: object = None) -> str:
    """``text`` without the values in ``sent`` (a call's variables, any JSON shape) in any of the
    spellings above, and without SSN- or date-shaped numbers."""
    return Redactor(sent)(text)
