"""The one redaction of every error text that may quote a server or an input: ``redact``.

A server (or anything between us and it) may echo what the call sent, in any spelling:
graphql-js quotes rejected variables (``Variable "$input" got invalid value "666023511"``), a
vendor reformats them (``DEVOS, THOMAS``, ``Sep 6, 1957``, ``666 02 3511``). So every error
message built from a response or an input (``PayloadError``, ``GraphQLResponseError`` and its
``GraphQLErrorDetail`` messages, paths and extensions, ``APIStatusError`` quoting a 4xx/5xx body,
``ResponseDecodeError``, ``ResponseValidationError``, ``InputValidationError``) goes through
``redact(text, sent)``, where ``sent`` is what the call sent (its variables). Nothing is built on
the success path: the patterns for a call's values are made when an error text is redacted.

What is removed (replaced by ``<redacted>``, overlapping or touching spans merged):

1. **The values this call sent.** Every string leaf of ``sent`` and every number of 4 or more
   digits, in these spellings:

   - the whole value, case-insensitive, with any run of spaces or punctuation (or none) between
     its letter/digit runs: ``110 Bear Creek Rd.``, ``110BEARCREEKRD``, ``Smith-Jones``;
   - its digits alone when digits are most of it (5 or more): ``666-02-3511``, ``666 02 3511``,
     ``19570906``, ``78 701``; for 7 or more digits also every leading and trailing run of 4 or
     more digits (``ending 3511``, ``666-02``, a bare year of birth);
   - a date (``YYYY-MM-DD``, ``MM/DD/YYYY``, ``YYYYMMDD``, or an ISO date-time) in the numeric
     orders Y-M-D, M-D-Y and D-M-Y with any separators, padded or not, two- or four-digit year
     (``1957-9-6``, ``09/06/1957``, ``6.9.57``), and with the month's name or abbreviation
     (``Sep 6, 1957``, ``September 6th 1957``, ``6 Sep 1957``, ``06-Sep-1957``, ``1957 Sep 06``,
     ``Sep 6``, ``September 1957``);
   - each word of 3 or more characters of a value with spaces or without digits (``DEVOS`` of
     ``THOMAS DEVOS``, ``BEAR`` and ``CREEK`` of an address, ``JONES`` of ``SMITH-JONES``),
     except street and unit designators, directions and name suffixes (``road``, ``apt``,
     ``north``, ``jr`` ...).

   Values and texts are compared after folding accents and compatibility forms (``JOSÉ`` matches
   ``jose``, full-width digits match ASCII ones; zero-width and other invisible characters count
   as separators). Values of 5 or more letters/digits match anywhere, even inside a longer word;
   shorter ones only as a whole word (``Ann`` does not shred ``annual``). Skipped, because
   removing them would shred messages without protecting anyone: values under 3 characters (a
   state, ``Jr``), numbers under 4 digits, booleans, ``true``/``false``/``null``, enum-shaped
   constants (``ARRAY_EQUIFAX``), strings over 256 characters (an uploaded document: the patterns
   below still apply) and, beyond the first 1,000 values of a call, the rest.

2. **Today's patterns, whatever was sent:** the value after graphql-js's echo phrases (``got
   invalid value ...``, ``cannot represent ... value: ...``, ``found ...``) up to the end of its
   clause; SSNs (``666-02-3511``, ``666 02 3511``), runs of 9 or more digits, dates
   (``1957-9-6``, ``09/06/1957``, ``06-09-1957``, ``19570906``, ``Sep 6, 1957``, ``6 Sep 1957``).

Texts over 16 KiB keep their first 16 KiB (never cutting a redacted span in two) and say how much
was withheld: redaction stays fast whatever the server sends.

What can still pass (an echo the server made on purpose can always encode a value): fragments
other than those above (``666-02`` alone is removed, the middle digits ``602`` are not; one
initial ``T.``), digits interleaved with letters (``6a6a6...``), values spelled out or encoded
(``six six six``, base64, reversed), look-alike characters from other scripts (a Cyrillic A),
values too short or too long to be matched (above), and values this call did not send (another
applicant's data in a shared message): only the patterns catch those. The ``data``, ``errors``,
``messages`` and ``partial_data`` attributes of the exceptions are the server's answer as it came
(the caller asked for it) and are not redacted; their ``str``, ``repr`` and tracebacks are.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final, cast

__all__ = ["MAX_TEXT", "REDACTED", "Redactor", "redact"]

REDACTED: Final = "<redacted>"

MAX_TEXT: Final = 16 * 1024
_MIN_LENGTH: Final = 3
_MIN_NUMBER_DIGITS: Final = 4
_MAX_VALUE_LENGTH: Final = 256
_MAX_VALUES: Final = 1_000
# Values at least this long (letters and digits) match inside longer words too.
_ANYWHERE: Final = 5
# How far past MAX_TEXT a span may run and still be found whole.
_WINDOW: Final = 2 * _MAX_VALUE_LENGTH

# Any run of characters that are not letters or digits (spaces, punctuation, zero-width...).
_SEP: Final = r"[\W_]*"
_WORD: Final = re.compile(r"[^\W_]+")
_DIGIT: Final = re.compile(r"\d")
_NOT_WORD_BEFORE: Final = r"(?<![^\W_])"
_NOT_WORD_AFTER: Final = r"(?![^\W_])"
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

_MONTHS: Final = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH_NAMES: Final = "|".join(m for full in _MONTHS for m in (full, full[:3])) + "|sept"
_ORDINAL: Final = r"(?:st|nd|rd|th)?"

# The value after a phrase that introduces an echo, up to the end of its clause ("; ", a location
# such as ` at "input.ssn"`, ". " or the end of the text).
_ECHO: Final = re.compile(
    r"""(?:
        got\ invalid\ value
      | has\ invalid\ value
      | cannot\ represent\ (?:an?\ )?(?:non[- ][\w-]+\ )?value:?
      | invalid\ value:?
      | ,\ found
    )
    \s*(?P<value>.*?)
    (?:;\s|\ at\ ["']|\.\s|$)""",
    re.IGNORECASE | re.DOTALL | re.VERBOSE,
)
# SSN- and date-shaped numbers, whoever's they are. A 9+ digit run that is a UUID's last group
# (a request id) is left alone.
_SHAPED: Final = re.compile(
    rf"""\b\d{{3}}[-\s.]\d{{2}}[-\s.]\d{{4}}\b
      | (?<![0-9A-Fa-f]{{4}}-)(?<!\d)\d{{9,}}
      | \b\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}\b
      | \b\d{{1,2}}[-/]\d{{1,2}}[-/]\d{{2,4}}\b
      | \b(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b
      | \b(?:{_MONTH_NAMES})\.?\s+\d{{1,2}}{_ORDINAL},?\s+\d{{4}}\b
      | \b\d{{1,2}}{_ORDINAL}[\s-]+(?:of\s+)?(?:{_MONTH_NAMES})\.?[\s,-]+\d{{4}}\b""",
    re.IGNORECASE | re.VERBOSE,
)
_DATE_FORMS: Final = (
    (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?"), (1, 2, 3)),
    (re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})"), (3, 1, 2)),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), (1, 2, 3)),
)


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    # One character for one, so positions in the folded text are positions in the original.
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base if len(base) == 1 else char


def _fold(text: str) -> str:
    """``text`` without accents and compatibility forms, character for character."""
    return text if text.isascii() else "".join(map(_fold_char, text))


def _leaves(sent: object) -> Iterable[str]:
    """The string and number leaves of ``sent`` (JSON-shaped), as strings, at most _MAX_VALUES."""
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
            stack.extend(cast(Mapping[object, object], item).values())
        elif isinstance(item, list | tuple):
            stack.extend(cast(Iterable[object], item))


def _bounded(pattern: str, length: int) -> str:
    if length >= _ANYWHERE:
        return pattern
    return f"{_NOT_WORD_BEFORE}{pattern}{_NOT_WORD_AFTER}"


def _spelled(chars: str) -> str:
    # Any separators (or none) between any two characters: "T. H. O. M. A. S", "666 02 3511".
    return _SEP.join(map(re.escape, chars))


def _date_patterns(value: str) -> list[tuple[int, str]]:
    for form, (y, m, d) in _DATE_FORMS:
        match = form.fullmatch(value)
        if match is None:
            continue
        try:
            when = date(int(match.group(y)), int(match.group(m)), int(match.group(d)))
        except ValueError:
            return []
        break
    else:
        return []
    year = f"{when.year:04d}"
    full_year = rf"(?:{year[:2]})?{year[2:]}"
    month = f"0?{when.month}" if when.month < 10 else str(when.month)
    day = (f"0?{when.day}" if when.day < 10 else str(when.day)) + rf"{_ORDINAL}(?!\d)"
    name = _MONTHS[when.month - 1]
    month_name = rf"(?<![^\W\d_])(?:{name}|{name[:3]}{'|sept' if when.month == 9 else ''})\.?"
    numeric = [
        f"{year}{_SEP}{month}{_SEP}{day}",
        f"{month}{_SEP}{day}{_SEP}{full_year}",
        f"{day}{_SEP}{month}{_SEP}{full_year}",
    ]
    named = [
        f"{month_name}{_SEP}{day}(?:{_SEP}{full_year}(?!\\d))?",
        f"{day}{_SEP}(?:of{_SEP})?{month_name}(?:{_SEP}{full_year}(?!\\d))?",
        f"{year}{_SEP}{month_name}{_SEP}{day}",
        f"{month_name}{_SEP}{year}(?!\\d)",
    ]
    # Weighted as the 8 digits of the date: before its year alone, after the whole value.
    return [(8, rf"(?<!\d){p}") for p in numeric] + [(8, rf"(?<!\d)(?:{'|'.join(named)})")]


def _patterns(value: str) -> list[tuple[int, str]]:
    """Every spelling of one sent value to look for (case-insensitive regular expressions), each
    with its weight: how many of the value's letters and digits it stands for."""
    value = _fold(value).strip()
    if (
        len(value) < _MIN_LENGTH
        or len(value) > _MAX_VALUE_LENGTH
        or value.lower() in _CONSTANTS
        or _ENUM_SHAPED.fullmatch(value)
    ):
        return []
    words = _WORD.findall(value)
    chars = "".join(words)
    if len(chars) < _MIN_LENGTH:
        return []
    found = [(len(chars), _bounded(_spelled(chars), len(chars)))]
    digits = "".join(_DIGIT.findall(value))
    if len(digits) >= 5 and 2 * len(digits) >= len(chars):
        spelled = _spelled(digits)
        found.append((len(digits), spelled if len(digits) >= 7 else rf"(?<!\d){spelled}(?!\d)"))
        if len(digits) >= 7:
            found.extend(
                (size, rf"(?<!\d){_spelled(run)}(?!\d)")
                for size in range(4, len(digits))
                for run in (digits[:size], digits[-size:])
            )
    found.extend(_date_patterns(value))
    if len(words) > 1 and (any(c.isspace() for c in value) or not digits):
        found.extend(
            (len(word), _bounded(_spelled(word), len(word)))
            for word in words
            if len(word) >= _MIN_LENGTH and word.lower() not in _COMMON_WORDS
        )
    return found


class Redactor:
    """``redact`` for one call's values: the patterns are built at the first text, once."""

    __slots__ = ("_built", "_sent", "_values")

    def __init__(self, sent: object = None) -> None:
        self._sent = sent
        self._built = False
        self._values: re.Pattern[str] | None = None

    def _value_pattern(self) -> re.Pattern[str] | None:
        if not self._built:
            weights: dict[str, int] = {}
            for leaf in _leaves(self._sent):
                for weight, pattern in _patterns(leaf):
                    weights[pattern] = max(weight, weights.get(pattern, 0))
            # Heaviest first: at one position the alternation takes the first that matches.
            ordered = sorted(weights, key=weights.__getitem__, reverse=True)
            self._values = re.compile("|".join(ordered), re.IGNORECASE) if ordered else None
            self._built, self._sent = True, None
        return self._values

    def __call__(self, text: str) -> str:
        """``text`` with the call's values and every SSN- or date-shaped run replaced."""
        cut = len(text) > MAX_TEXT
        window = text[: MAX_TEXT + _WINDOW] if cut else text
        folded = _fold(window)
        spans: list[tuple[int, int]] = []
        values = self._value_pattern()
        if values is not None:
            spans.extend(m.span() for m in values.finditer(folded) if m.end() > m.start())
        spans.extend(m.span("value") for m in _ECHO.finditer(folded) if m.group("value"))
        spans.extend(m.span() for m in _SHAPED.finditer(folded))
        merged: list[list[int]] = []
        for start, stop in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], stop)
            else:
                merged.append([start, stop])
        end = MAX_TEXT if cut else len(window)
        parts: list[str] = []
        position = 0
        for start, stop in merged:
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


def redact(text: str, sent: object = None) -> str:
    """``text`` without the values in ``sent`` (a call's variables, any JSON shape) in any of the
    spellings above, and without SSN- or date-shaped numbers."""
    return Redactor(sent)(text)
