"""Tests for api.content: sanitizing hostile HTML, plain text, excerpts, reading time, slugs."""

from __future__ import annotations

import pytest

from api.content import (
    html_to_text,
    make_excerpt,
    paragraphs_to_html,
    reading_time_minutes,
    sanitize_html,
    slugify,
)

# --- sanitize_html ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hostile",
    [
        "<p>Hello</p><script>alert('x')</script>",
        "<p>Hello<script src='https://evil.example/x.js'></script></p>",
        "<p>Hello</p><SCRIPT>alert(1)</SCRIPT>",
        "<p>Hello</p><svg><script>alert(1)</script></svg>",
        "<p>Hello</p><iframe src='https://evil.example'></iframe>",
        "<p>Hello</p><style>body{display:none}</style>",
        "<p>Hello</p><math><mi><script>alert(1)</script></mi></math>",
    ],
)
def test_script_and_embedded_content_are_removed(hostile: str) -> None:
    clean = sanitize_html(hostile)
    assert "<script" not in clean.lower()
    assert "alert" not in clean
    assert "evil.example" not in clean
    assert "<iframe" not in clean
    assert "<style" not in clean
    assert "<svg" not in clean
    assert "Hello" in clean


def test_split_script_tag_trick_leaves_only_inert_text() -> None:
    clean = sanitize_html("<p>Hello</p><scr<script>ipt>alert(1)</script>")
    assert clean == "<p>Hello</p>ipt&gt;alert(1)"
    # Sanitizing is stable: the output cannot be re-assembled into markup by a second pass.
    assert sanitize_html(clean) == clean


def test_event_handlers_and_inline_styles_are_stripped() -> None:
    clean = sanitize_html(
        '<img src="https://cdn.example/a.jpg" onerror="alert(1)" style="x" alt="A">'
        '<p onclick="steal()" onmouseover="x()" class="lead" id="p1">Text</p>'
    )
    assert clean == '<img src="https://cdn.example/a.jpg" alt="A"><p>Text</p>'


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
    ],
)
def test_dangerous_link_schemes_are_dropped(href: str) -> None:
    clean = sanitize_html(f'<a href="{href}">click</a>')
    assert "href" not in clean
    assert "click" in clean


def test_data_image_sources_are_dropped() -> None:
    clean = sanitize_html('<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x">')
    assert "data:" not in clean
    assert "src=" not in clean


def test_safe_links_keep_href_and_get_rel() -> None:
    clean = sanitize_html(
        '<a href="https://www.koreaherald.com/x" title="KH" target="_blank" rel="opener">KH</a>'
        '<a href="mailto:desk@example.org">mail</a>'
    )
    assert clean == (
        '<a href="https://www.koreaherald.com/x" title="KH" rel="noopener noreferrer nofollow">'
        "KH</a>"
        '<a href="mailto:desk@example.org" rel="noopener noreferrer nofollow">mail</a>'
    )


def test_news_markup_survives() -> None:
    body = (
        "<h2>Background</h2><p>One <em>two</em> <strong>three</strong> <b>b</b> <i>i</i></p>"
        "<blockquote><p>Quote</p></blockquote><ul><li>a</li></ul><ol><li>b</li></ol>"
        '<figure><img src="https://cdn.example/p.jpg" alt="P" width="1200" height="800">'
        "<figcaption>Caption</figcaption></figure><hr><p>Line<br>break</p>"
    )
    assert sanitize_html(body) == body


def test_disallowed_wrappers_are_unwrapped_not_dropped() -> None:
    clean = sanitize_html('<div class="x"><h1>Title</h1><span style="x">kept text</span></div>')
    assert clean == "Titlekept text"


def test_image_dimensions_must_be_numbers() -> None:
    clean = sanitize_html(
        '<img src="https://cdn.example/a.jpg" width="100%" height="expression(alert(1))">'
    )
    assert clean == '<img src="https://cdn.example/a.jpg">'


def test_comments_and_conditional_comments_are_stripped() -> None:
    clean = sanitize_html("<p>a<!-- secret --><!--[if IE]><script>x</script><![endif]-->b</p>")
    assert clean == "<p>ab</p>"


def test_attribute_breakout_is_escaped() -> None:
    clean = sanitize_html(
        '<a href="https://x.example/" title=\'"><script>alert(1)</script>\'>t</a>'
    )
    assert "<script" not in clean
    assert 'title="&quot;&gt;&lt;script&gt;' in clean


# --- html_to_text -----------------------------------------------------------------------------


def test_html_to_text_paragraphs_and_entities() -> None:
    html = (
        "<p>Kim &amp; Moon met   in\nPyongyang.</p>\n"
        "<p>&ldquo;Peace,&rdquo; he said &#8212; twice.</p>"
    )
    assert (
        html_to_text(html)
        == "Kim & Moon met in Pyongyang.\n\n\u201cPeace,\u201d he said \u2014 twice."
    )


def test_html_to_text_blocks_inline_and_breaks() -> None:
    html = (
        "<h2>Head</h2><blockquote><p>Quoted</p></blockquote>"
        "<ul><li>One</li><li>Two <em>too</em></li></ul><p>a<br>b</p>"
        "<script>ignored()</script><p></p><p>  </p>"
    )
    assert html_to_text(html) == "Head\n\nQuoted\n\nOne\n\nTwo too\n\na\nb"


def test_html_to_text_keeps_no_break_spaces() -> None:
    assert html_to_text("<p>the&nbsp;Rohingya\u00a0crisis</p>") == "the\u00a0Rohingya\u00a0crisis"


def test_html_to_text_of_plain_text_and_empty() -> None:
    assert html_to_text("just text") == "just text"
    assert html_to_text("") == ""


def test_paragraphs_round_trip_through_html() -> None:
    paragraphs = ["Kim said <no> & \u201cyes\u201d.", "  ", "Second paragraph."]
    html = paragraphs_to_html(paragraphs)
    assert html == ("<p>Kim said &lt;no&gt; &amp; \u201cyes\u201d.</p>\n<p>Second paragraph.</p>")
    assert html_to_text(html) == "Kim said <no> & \u201cyes\u201d.\n\nSecond paragraph."
    assert sanitize_html(html) == html


# --- make_excerpt -----------------------------------------------------------------------------


def test_short_text_is_returned_whole_and_collapsed() -> None:
    assert make_excerpt("  One\n\ntwo   three ") == "One two three"


def test_text_of_exactly_the_limit_is_not_truncated() -> None:
    text = "abcd efgh"
    assert make_excerpt(text, limit=9) == text


def test_truncation_at_word_boundary_with_ellipsis_counting() -> None:
    # Room for 9 characters plus the ellipsis: "abcd efgh" fits exactly.
    assert make_excerpt("abcd efgh ijkl", limit=10) == "abcd efgh\u2026"
    # One less and "efgh" no longer fits whole, so it goes.
    assert make_excerpt("abcd efgh ijkl", limit=9) == "abcd\u2026"


def test_trailing_punctuation_is_not_left_before_the_ellipsis() -> None:
    assert make_excerpt("Seoul, Tokyo and Beijing agreed", limit=14) == "Seoul, Tokyo\u2026"
    assert make_excerpt("Seoul, Tokyo and Beijing agreed", limit=12) == "Seoul\u2026"


def test_single_overlong_word_is_cut_to_fit() -> None:
    assert make_excerpt("x" * 50, limit=10) == "x" * 9 + "\u2026"


@pytest.mark.parametrize("limit", [1, 2, 5, 17, 50, 120, 299, 300])
def test_excerpt_never_exceeds_limit_and_never_cuts_words(limit: int) -> None:
    text = (
        "North Korea on Wednesday blasted the US for its sanctions against the North, "
        "calling it an \u201coutdated confrontation policy\u201d in its state-run newspaper. "
    ) * 5
    excerpt = make_excerpt(text, limit=limit)
    assert len(excerpt) <= limit
    words = set(text.split())
    stem = excerpt.removesuffix("\u2026")
    if excerpt.endswith("\u2026") and " " in stem:
        # Every word in the excerpt is a whole word of the text (modulo trimmed punctuation).
        for word in stem.split():
            assert any(w.startswith(word) and len(w) - len(word) <= 1 for w in words), word


def test_excerpt_rejects_nonsense_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        make_excerpt("text", limit=0)


# --- reading_time_minutes ---------------------------------------------------------------------


def test_reading_time() -> None:
    assert reading_time_minutes("") == 1
    assert reading_time_minutes("word " * 230) == 1
    assert reading_time_minutes("word " * 231) == 2
    assert reading_time_minutes("word " * 1000, words_per_minute=200) == 5


# --- slugify ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        ("US ramps up pressure on N. Korea", "us-ramps-up-pressure-on-n-korea"),
        (
            "Moon, Trump discuss \u2018corresponding measures\u2019 for NK denucelarization",
            "moon-trump-discuss-corresponding-measures-for-nk-denucelarization",
        ),
        (
            "New airport construction adds to China\u2019s influence in the Maldives",
            "new-airport-construction-adds-to-chinas-influence-in-the-maldives",
        ),
        (
            "Ending Rohingya Crisis: Bangladesh tables 3 proposals at UN meeting",
            "ending-rohingya-crisis-bangladesh-tables-3-proposals-at-un-meeting",
        ),
        ("\u0110\u00e0 N\u1eb5ng", "da-nang"),
        ("H\u00e0 N\u1ed9i \u2014 Hu\u1ebf", "ha-noi-hue"),
        ("Stra\u00dfe  &  Caf\u00e9", "strasse-cafe"),
        ("--Already-a-slug--", "already-a-slug"),
        ("  ", ""),
        ("!!!", ""),
    ],
)
def test_slugify_cases(value: str, slug: str) -> None:
    assert slugify(value) == slug


def test_slugify_never_empty_for_untransliterable_letters() -> None:
    slug = slugify("\u5317\u4eac")
    assert slug
    assert slug == slugify("\u5317\u4eac")
    assert slug != slugify("\u4e0a\u6d77")
    assert all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in slug)


def test_slugify_cuts_at_word_boundary() -> None:
    assert slugify("alpha beta gamma", max_length=12) == "alpha-beta"
    assert slugify("alpha beta gamma", max_length=10) == "alpha-beta"
    assert slugify("alpha beta gamma", max_length=11) == "alpha-beta"
    assert slugify("supercalifragilistic word", max_length=8) == "supercal"


def test_slugify_respects_default_max_length() -> None:
    slug = slugify("word " * 100)
    assert len(slug) <= 200
    assert not slug.endswith("-")
    assert slug.endswith("word")
