"""Article text processing: sanitize body HTML, derive plain text, excerpts, reading time, slugs.

Everything that turns what an editor (or a partner feed) sends into what the API stores goes
through here, so the demo seed, imports and editorial mutations all agree on what a "clean
body", an "excerpt" or a "slug" is.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import unicodedata
from html.parser import HTMLParser

import nh3

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "ALLOWED_URL_SCHEMES",
    "format_byline",
    "html_to_text",
    "make_excerpt",
    "paragraphs_to_html",
    "reading_time_minutes",
    "sanitize_html",
    "slugify",
]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "cite",
        "code",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "ul",
    }
)
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title"}),
    "abbr": frozenset({"title"}),
    "img": frozenset({"src", "alt", "width", "height"}),
}
ALLOWED_URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"

# Removed together with everything inside them; any other disallowed tag is unwrapped and its
# text kept (a stray <span> or <h1> in a partner feed should not lose the words it wraps).
_DROPPED_WITH_CONTENT: frozenset[str] = frozenset(
    {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "select"}
)
_DIMENSION = re.compile(r"^[0-9]{1,5}$")


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    """Keep img width/height only when they are plain pixel counts."""
    if element == "img" and attribute in {"width", "height"}:
        return value if _DIMENSION.match(value.strip()) else None
    return value


def sanitize_html(html_fragment: str) -> str:
    """Reduce untrusted HTML to the allow-list a news body needs.

    Paragraphs, h2-h4 headings, quotes, lists, links, emphasis, figures and images survive;
    scripts, styles and embedded frames are dropped with their content; event handlers,
    inline styles and every other attribute are removed; links and image sources must be
    http, https or mailto (no ``javascript:`` or ``data:``); every link gets
    ``rel="noopener noreferrer nofollow"``; comments are stripped.
    """
    return nh3.clean(
        html_fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


# Elements that start a new paragraph in the plain-text rendering.
_BLOCK_TAGS: frozenset[str] = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
_INVISIBLE_TAGS: frozenset[str] = frozenset({"script", "style", "template", "head", "title"})
# Collapsible whitespace, as a browser sees it: a no-break space is content, not layout.
_SPACES = re.compile(r"[ \t\r\f\v]+")
_WHITESPACE = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    """Collects text, breaking paragraphs at block elements and lines at <br>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._current: list[str] = []
        self._hidden_depth = 0

    def _flush(self) -> None:
        lines = [_SPACES.sub(" ", line).strip() for line in "".join(self._current).split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            self.paragraphs.append(paragraph)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden_depth += 1
        elif tag == "br":
            self._current.append("\n")
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._current.append("\n")
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            # Source newlines are layout, not line breaks; only <br> makes a line break.
            self._current.append(data.replace("\n", " "))

    def close(self) -> None:
        super().close()
        self._flush()


def html_to_text(html_fragment: str) -> str:
    """Plain text of an HTML fragment: one paragraph per block element, separated by a blank
    line; entities unescaped; runs of spaces collapsed; ``<br>`` kept as a newline."""
    extractor = _TextExtractor()
    extractor.feed(html_fragment)
    extractor.close()
    return "\n\n".join(extractor.paragraphs)


ELLIPSIS = "\u2026"
# Punctuation that reads badly right before an ellipsis ("Seoul, …").
_TRAILING_PUNCTUATION = " ,;:-\u2013\u2014([{\u201c\u2018\"'"


def make_excerpt(text: str, limit: int = 300) -> str:
    """A teaser of at most ``limit`` characters that never cuts a word in half.

    Whitespace (including paragraph breaks) is collapsed to single spaces. Text that fits is
    returned whole; otherwise it is cut at the last word boundary that leaves room for a
    trailing "…" (which counts toward the limit). Only when the first word alone is longer
    than the limit is it cut inside the word, since the result must still fit.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    collapsed = _WHITESPACE.sub(" ", text).strip()
    if len(collapsed) <= limit:
        return collapsed
    room = limit - len(ELLIPSIS)
    head = collapsed[: room + 1]  # one extra character: is the cut at a word boundary?
    if head[room:] == " ":
        cut = head[:room]
    else:
        boundary = head.rfind(" ", 0, room + 1)
        cut = head[:boundary] if boundary > 0 else head[:room]
    cut = cut.rstrip(_TRAILING_PUNCTUATION) or cut[:room]
    return cut + ELLIPSIS


def reading_time_minutes(text: str, words_per_minute: int = 230) -> int:
    """Minutes an average reader needs for ``text``, rounded up, and never less than one."""
    return reading_time_for_words(len(text.split()), words_per_minute)


def reading_time_for_words(words: int, words_per_minute: int = 230) -> int:
    """`reading_time_minutes` for a text whose words are already counted (bulk loads)."""
    if words_per_minute < 1:
        raise ValueError("words_per_minute must be at least 1")
    return max(1, math.ceil(words / words_per_minute))


# Letters NFKD does not decompose into an ASCII base letter.
_TRANSLITERATIONS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ł": "l",
        "Ł": "L",
        "\u0131": "i",  # dotless i
    }
)
# Apostrophes (straight or curly) join a word rather than split it: "China's" -> "chinas".
_APOSTROPHES = re.compile("['\u2019\u2018\u02bc`]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(value: str, max_length: int = 200) -> str:
    """A URL slug: lowercase ASCII words joined by single hyphens.

    Accents are transliterated ("Đà Nẵng" -> "da-nang"), apostrophes dropped, everything else
    that is not a letter or digit becomes a word break. Slugs longer than ``max_length`` are
    cut at the last hyphen that fits (inside a word only when a single word is too long).
    Text with letters or digits but nothing transliterable (e.g. "北京") gets a short stable
    hash instead of an empty slug; text with no letters or digits at all gives "".
    """
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    ascii_text = (
        unicodedata.normalize("NFKD", value.translate(_TRANSLITERATIONS))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    slug = _NON_ALNUM.sub("-", _APOSTROPHES.sub("", ascii_text).lower()).strip("-")
    if not slug:
        if not any(ch.isalnum() for ch in value):
            return ""
        slug = hashlib.blake2b(value.strip().encode("utf-8"), digest_size=6).hexdigest()
    if len(slug) <= max_length:
        return slug
    boundary = slug.rfind("-", 0, max_length + 1)
    cut = slug[:boundary] if boundary > 0 else slug[:max_length]
    return cut.rstrip("-")


def paragraphs_to_html(paragraphs: list[str]) -> str:
    """Escape each non-blank paragraph and wrap it in ``<p>``, one per line."""
    return "\n".join(
        f"<p>{html.escape(paragraph.strip(), quote=False)}</p>"
        for paragraph in paragraphs
        if paragraph.strip()
    )


def format_byline(names: list[str]) -> str:
    """ "By A", "By A, B and C": a story's byline from its authors' names, in byline order."""
    if len(names) <= 1:
        return f"By {''.join(names)}"
    return f"By {', '.join(names[:-1])} and {names[-1]}"
