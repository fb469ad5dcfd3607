"""Checking what editors and readers send: every problem found, each tied to its input field.

Validators never raise for bad input: they record a `FieldError` in a `Problems` collection
and return the cleaned value (or None). A write goes ahead only when nothing was recorded, so
a client sees every mistake in one round trip and invalid input changes nothing.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar
from urllib.parse import urlsplit

from api.content import slugify
from api.countries import is_country_code
from api.errors import ErrorCode

BAD_INPUT = ErrorCode.BAD_USER_INPUT.value
NOT_FOUND = ErrorCode.NOT_FOUND.value

Path = tuple[str | int, ...]

V = TypeVar("V")
R = TypeVar("R")

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# BCP-47 (RFC 5646) language tags: language[-extlang][-script][-region][-variant]*
# [-extension]*[-privateuse], or a private-use tag on its own. The primary subtag is 2-3
# letters (the 4-8 letter forms are reserved and unassigned); grandfathered tags are refused.
BCP47 = re.compile(
    r"""^(?:
        (?P<language>[a-z]{2,3}(?:-[a-z]{3}){0,3})
        (?:-(?P<script>[a-z]{4}))?
        (?:-(?P<region>[a-z]{2}|[0-9]{3}))?
        (?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*
        (?:-[0-9a-wyz](?:-[a-z0-9]{2,8})+)*
        (?:-x(?:-[a-z0-9]{1,8})+)?
      | x(?:-[a-z0-9]{1,8})+
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Deliberately simple: one @, a dot-separated domain with a letter TLD, no spaces or quotes.
# The confirmation mail is the real check.
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


class Missing(enum.Enum):
    """An optional input field the client did not send (as opposed to sending null)."""

    MISSING = "missing"


MISSING = Missing.MISSING


@dataclass(frozen=True)
class FieldError:
    path: Path
    message: str
    code: str = BAD_INPUT


@dataclass
class Problems:
    """The problems found in one input, in the order found."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, path: Path, message: str, code: str = BAD_INPUT) -> None:
        self.errors.append(FieldError(path, message, code))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def text(
        self, path: Path, value: str | None, *, required: bool = False, max_length: int
    ) -> str | None:
        """Trimmed text; None when blank. Records a problem if required and blank, or too long."""
        cleaned = value.strip() if value is not None else None
        if not cleaned:
            if required:
                self.add(path, "This field is required.")
            return None
        if len(cleaned) > max_length:
            self.add(path, f"At most {max_length} characters (got {len(cleaned)}).")
        return cleaned

    def slug(self, path: Path, value: str, *, max_length: int) -> str | None:
        cleaned = value.strip()
        if not SLUG.match(cleaned):
            self.add(
                path,
                "A slug is lowercase letters, digits and single hyphens (e.g. 'the-korea-herald').",
            )
            return None
        if len(cleaned) > max_length:
            self.add(path, f"At most {max_length} characters (got {len(cleaned)}).")
            return None
        return cleaned

    def slug_or_derived(
        self, path: Path, given: str | None, source_text: str | None, *, max_length: int
    ) -> str | None:
        """The given slug, validated; else one derived from `source_text` (a name or headline)."""
        if given is not None:
            return self.slug(path, given, max_length=max_length)
        if source_text is None:
            return None  # the missing text is reported on its own field
        derived = slugify(source_text, max_length=max_length)
        if not derived:
            self.add(path, "No slug can be derived from this text; send one.")
            return None
        return derived

    def url(
        self, path: Path, value: str | None, *, required: bool = False, max_length: int = 2048
    ) -> str | None:
        """An absolute http(s) URL; None when blank."""
        cleaned = self.text(path, value, required=required, max_length=max_length)
        if cleaned is None:
            return None
        try:
            parts = urlsplit(cleaned)
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme.lower() not in {"http", "https"}
            or not parts.hostname
            or any(ch.isspace() for ch in cleaned)
        ):
            self.add(path, "Must be an absolute http:// or https:// URL.")
            return None
        return cleaned

    def country(self, path: Path, value: str) -> str | None:
        code = value.strip().upper()
        if not is_country_code(code):
            self.add(path, f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. 'KR').")
            return None
        return code

    def countries(self, path: Path, values: Sequence[str], *, max_count: int = 50) -> list[str]:
        """Valid codes, upper-cased and deduplicated in order."""
        if len(values) > max_count:
            self.add(path, f"At most {max_count} countries.")
            return []
        codes = [self.country((*path, index), value) for index, value in enumerate(values)]
        return list(dict.fromkeys(code for code in codes if code is not None))

    def language(self, path: Path, value: str) -> str | None:
        """A BCP-47 tag in canonical case ('en', 'zh-Hant-TW')."""
        cleaned = value.strip()
        match = BCP47.match(cleaned) if len(cleaned) <= 35 else None
        if match is None:
            self.add(
                path, f"{value!r} is not a BCP-47 language tag (e.g. 'en', 'ko', 'zh-Hant-TW')."
            )
            return None
        return canonical_language_tag(cleaned)

    def email(self, path: Path, value: str) -> str | None:
        """A plausible address, lower-cased; the confirmation mail proves it."""
        cleaned = value.strip()
        if len(cleaned) > 254 or not EMAIL.match(cleaned):
            self.add(path, "This is not a valid email address.")
            return None
        return cleaned.lower()

    def aware(self, path: Path, moment: datetime) -> datetime | None:
        if moment.tzinfo is None:
            self.add(path, "Needs a time zone (e.g. 2026-05-01T06:00:00Z).")
            return None
        return moment

    def unique(self, path: Path, values: Sequence[str], what: str) -> None:
        if len(set(values)) != len(values):
            self.add(path, f"The same {what} is listed twice.")


def canonical_language_tag(tag: str) -> str:
    """RFC 5646 case conventions: language lower, script title case, region upper; anything
    after an extension or private-use singleton lower."""
    parts = tag.lower().split("-")
    out = [parts[0]]
    singleton_seen = len(parts[0]) == 1
    for part in parts[1:]:
        singleton_seen = singleton_seen or len(part) == 1
        if not singleton_seen and len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif not singleton_seen and len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part)
    return "-".join(out)


def checked(value: V | Missing | None, check: Callable[[V], R | None]) -> R | Missing | None:
    """Validate an optional field: absent and null pass through, anything else is checked."""
    if value is None or isinstance(value, Missing):
        return value
    return check(value)


def input_path(*path: str | int) -> Path:
    """The path of a field inside a mutation's `input` argument."""
    return ("input", *path)
