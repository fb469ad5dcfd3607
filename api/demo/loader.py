"""Reading the demo's content files (`api/demo/data/*.toml`) with every value's type checked.

The demo newsroom, the country profiles, the story templates and the seed page's stories are
data, not code: TOML files shipped inside the package. Each module that owns a kind of content
turns its file's tables into its own frozen dataclasses through an `Entry`, whose getters check
each value and fail with a `DataFileError` naming the file, the entry and the key. A key nobody
reads is an error too, so a misspelt key cannot silently fall back to a default.

Prose is wrapped in the files to stay readable, so inside a string a line break reads as a single
space. A list of paragraphs is written either as an array of strings or as one multi-line string
with a blank line between paragraphs.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TypeVar

__all__ = ["DataFileError", "Entry", "entries", "table"]

T = TypeVar("T")

# Keys whose value, when present, names an entry in error messages ("source #3 (the-star)").
_NAMING_KEYS = ("key", "slug", "code", "external_id", "name", "headline")
_TOML_TYPES = {
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    str: "a string",
    list: "an array",
    dict: "a table",
    date: "a date",
    datetime: "a date-time",
}
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")


class DataFileError(ValueError):
    """A demo data file is missing, is not valid TOML, or holds a value of the wrong kind."""


def _path(name: str) -> Traversable:
    return resources.files("api.demo") / "data" / name


@functools.cache
def _document(name: str) -> dict[str, object]:
    """The parsed file, read once per process however many modules take content from it."""
    path = _path(name)
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DataFileError(f"{path}: {error}") from error


def _kind(value: object) -> str:
    return _TOML_TYPES.get(type(value), type(value).__name__)


def _unwrap(text: str) -> str | None:
    """`text` with its line breaks read as spaces; None if it holds a blank line."""
    if "\n" not in text:
        return text
    # Only ASCII blanks are trimmed: a no-break space at the edge of a line is content.
    lines = [line.strip(" \t\r") for line in text.strip(" \t\r\n").split("\n")]
    if "" in lines:
        return None
    return " ".join(lines)


class Entry:
    """One table of a data file, read key by key; each getter checks the value's type."""

    def __init__(self, where: str, values: Mapping[str, object]) -> None:
        self._where = where
        self._values = values
        self._unread = set(values)
        self._nested: list[Entry] = []

    def error(self, key: str, problem: str) -> DataFileError:
        """An error naming this entry, `key` and what is wrong with its value."""
        return DataFileError(f"{self._where}: {key!r} {problem}")

    def has(self, key: str) -> bool:
        """Whether the entry sets `key`."""
        return key in self._values

    def __iter__(self) -> Iterator[str]:
        """The entry's keys, in file order."""
        return iter(self._values)

    def _get(self, key: str, kind: type | tuple[type, ...]) -> object:
        if key not in self._values:
            raise self.error(key, "is missing")
        self._unread.discard(key)
        value = self._values[key]
        # bool is an int to Python, and a date-time a date; in TOML they are different kinds.
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if type(value) not in kinds:
            expected = " or ".join(_TOML_TYPES[k] for k in kinds)
            raise self.error(key, f"must be {expected}, not {_kind(value)}")
        return value

    def _prose(self, key: str, value: str) -> str:
        text = _unwrap(value)
        if text is None:
            raise self.error(key, "must be a single paragraph (it holds a blank line)")
        return text

    def text(self, key: str, default: str | None = None) -> str:
        """A string, line breaks read as spaces; `default` when the key is absent, if given."""
        if default is not None and key not in self._values:
            return default
        value = self._get(key, str)
        assert isinstance(value, str)
        return self._prose(key, value)

    def optional_text(self, key: str) -> str | None:
        """A string, or None when the key is absent."""
        return self.text(key) if key in self._values else None

    def texts(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """An array of strings, each read as by `text`."""
        if default is not None and key not in self._values:
            return default
        value = self._get(key, list)
        assert isinstance(value, list)
        for position, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(key, f"must hold strings, but item {position} is {_kind(item)}")
        return tuple(self._prose(key, item) for item in value)

    def paragraphs(self, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """Paragraphs: an array of strings, or one string with blank lines between paragraphs."""
        if default is not None and key not in self._values:
            return default
        value = self._values.get(key)
        if isinstance(value, list):
            return self.texts(key)
        block = self._get(key, (str, list))
        assert isinstance(block, str)
        return tuple(
            self._prose(key, paragraph)
            for paragraph in _BLANK_LINE.split(block.strip(" \t\r\n"))
            if paragraph
        )

    def number(self, key: str, default: float | None = None) -> float:
        """A number (integer or float), as a float."""
        if default is not None and key not in self._values:
            return default
        value = self._get(key, (int, float))
        assert isinstance(value, int | float)
        return float(value)

    def flag(self, key: str, default: bool | None = None) -> bool:
        """A boolean."""
        if default is not None and key not in self._values:
            return default
        value = self._get(key, bool)
        assert isinstance(value, bool)
        return value

    def day(self, key: str) -> date:
        """A local date (2018-08-30)."""
        value = self._get(key, date)
        assert isinstance(value, date)
        return value

    def moment(self, key: str) -> datetime:
        """A date-time with its UTC offset (2018-08-30T01:20:00Z)."""
        value = self._get(key, datetime)
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            raise self.error(key, "must carry a UTC offset (end it in Z)")
        return value

    def period(self, key: str) -> tuple[date, date] | None:
        """An inclusive [first, last] pair of dates, or None when the key is absent."""
        if key not in self._values:
            return None
        value = self._get(key, list)
        assert isinstance(value, list)
        if len(value) != 2 or any(type(item) is not date for item in value):
            raise self.error(key, "must be an array of two dates, [first, last]")
        first, last = value
        if first > last:
            raise self.error(key, "must not end before it starts")
        return (first, last)

    def table(self, key: str) -> Entry:
        """A nested table, read like its parent."""
        value = self._get(key, dict)
        assert isinstance(value, dict)
        nested = Entry(f"{self._where}: [{key}]", value)
        self._nested.append(nested)
        return nested

    def finish(self) -> None:
        """Fail if the entry sets a key that no getter read (a typo, or an unknown field)."""
        if self._unread:
            unknown = ", ".join(repr(key) for key in sorted(self._unread))
            raise DataFileError(f"{self._where}: unknown key(s) {unknown}")
        for nested in self._nested:
            nested.finish()


def _build(entry: Entry, build: Callable[[Entry], T]) -> T:
    value = build(entry)
    entry.finish()
    return value


def entries(name: str, key: str, build: Callable[[Entry], T]) -> tuple[T, ...]:
    """Every table of the array `[[key]]` in data file `name`, each turned into a value by `build`.

    `build` reads the entry through its getters; afterwards any key it did not read is an error.
    """
    path = _path(name)
    items = _document(name).get(key)
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise DataFileError(f"{path}: expected an array of tables [[{key}]]")
    built = []
    for position, values in enumerate(items):
        label = next((values[k] for k in _NAMING_KEYS if isinstance(values.get(k), str)), None)
        where = f"{path}: [[{key}]] #{position + 1}" + (f" ({label})" if label else "")
        built.append(_build(Entry(where, values), build))
    return tuple(built)


def table(name: str, key: str, build: Callable[[Entry], T]) -> T:
    """The table `[key]` in data file `name`, turned into a value by `build` (as `entries`)."""
    path = _path(name)
    values = _document(name).get(key)
    if not isinstance(values, dict):
        raise DataFileError(f"{path}: expected a table [{key}]")
    return _build(Entry(f"{path}: [{key}]", values), build)
