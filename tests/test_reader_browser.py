"""The reader in a real browser: `broadsheet serve` and `broadsheet reader` on their own ports
(so the browser's calls to the API are cross-origin, CORS for real), a scratch database with the
demo newsroom, a real SMTP server, and Debian's headless Chromium.

Every page renders without console errors or serious accessibility violations (axe-core); the
seed story's page shows each element of the seed page; sign-up mails a link that confirms;
search highlights as you type; drafts never appear; failures read as pages, not blanks.
"""

from __future__ import annotations

import contextlib
import os
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from api.content import slugify
from api.demo.articles import DRAFTS, SCHEDULED
from tests.browser_support import (
    axe_source,
    chromium,
    console_errors,
    first_contentful_paint_ms,
    open_page,
    require_browser,
    screenshot,
    serious_violations,
    texts,
)
from tests.conftest import scratch_database
from tests.http_support import free_port
from tests.servers import BROADSHEET, api_server, reader_server, server_env, worker_process
from tests.smtp_server import Mailbox, link_token, smtp_server, text_of

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
LEAD = "/stories/the-korea-herald/us-ramps-up-pressure-on-n-korea"
LATEST_ISSUE = "/newsletters/eastern-briefings/2018-09-26"
SIGNUP_LIMIT = 5
# The six stories under "See More" on the seed page, in its order (newest first).
SEE_MORE = [
    "US, NK head toward discussions on nuclear inspections",
    "Ending Rohingya Crisis: Bangladesh tables 3 proposals at UN meeting",
    "Moon, Trump discuss \u2018corresponding measures\u2019 for NK denucelarization",
    "El Salvador ups pressure on Taiwan relations",
    "New airport construction adds to China\u2019s influence in the Maldives",
    "Kim vows to visit Seoul, dismantle nuke, missile sites",
]
PAGES = {
    "front": "/",
    "section": "/sections/diplomacy",
    "article": LEAD,
    "author": "/authors/cod-satrusayang",
    "source": "/sources/the-korea-herald",
    "search": "/search?q=pompeo",
    "issue": LATEST_ISSUE,
    "confirm": "/newsletters/confirm?token=from-a-mail",
    "unsubscribe": "/newsletters/unsubscribe?token=from-a-mail",
    "privacy": "/privacy",
    "terms": "/terms",
    "not-found": "/stories/the-korea-herald/no-such-story",
}


@dataclass
class Stack:
    api: str
    site: str
    mailbox: Mailbox
    driver: webdriver.Chrome
    axe: str
    logs: Path

    def open(self, path: str) -> None:
        open_page(self.driver, self.site + path)


def _run(args: list[str], env: dict[str, str]) -> None:
    import subprocess

    subprocess.run([BROADSHEET, *args], env=env, check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def stack(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_browser()
    axe = axe_source()
    logs = tmp_path_factory.mktemp("reader-browser")
    site_port = free_port()
    site = f"http://127.0.0.1:{site_port}"
    with (
        scratch_database(database_url, "broadsheet_browser") as url,
        smtp_server() as (
            mailbox,
            smtp_port,
        ),
    ):
        env = server_env(
            DATABASE_URL=url,
            SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
            BROADSHEET_SITE_URL=site,
            BROADSHEET_CORS_ORIGINS=site,
            BROADSHEET_RATE_LIMIT_ANONYMOUS="100000",
            BROADSHEET_RATE_LIMIT_SIGNUP=str(SIGNUP_LIMIT),
        )
        _run(["db", "upgrade"], env)
        _run(["seed", "demo"], env)
        with (
            api_server(env) as api,
            worker_process(env),
            reader_server(api, site_port) as site_url,
            chromium(logs / "profile") as driver,
        ):
            yield Stack(api, site_url, mailbox, driver, axe, logs)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_console_errors_or_serious_violations(
    stack: Stack, page: str
) -> None:
    stack.open(PAGES[page])
    errors = console_errors(stack.driver)
    if page == "not-found":
        # The document itself is a 404, which Chromium logs; nothing else may fail.
        errors = [e for e in errors if "status of 404" not in e]
    assert errors == []
    assert stack.driver.find_element(By.TAG_NAME, "h1").text.strip()
    assert serious_violations(stack.driver, stack.axe) == []
    assert console_errors(stack.driver) == []


def test_the_seed_story_page_shows_every_element_of_the_seed_page(stack: Stack) -> None:
    stack.open(LEAD)
    driver = stack.driver

    def one(css: str) -> str:
        return driver.find_element(By.CSS_SELECTOR, css).text

    assert one(".story .section-label") == "DIPLOMACY"  # "Diplomacy", set in capitals
    assert one("h1.headline") == "US ramps up pressure on N. Korea"
    assert one(".story .standfirst").startswith(
        "The US appears to be turning up the heat on North Korea amid stalled denuclearization"
    )
    assert one(".story .updated").startswith("Updated: August 30, 2018")
    paragraphs = texts(driver, ".story-body p")
    assert len(paragraphs) == 25
    assert paragraphs[2].startswith("\u201cWe took the step to suspend several of the largest")
    assert paragraphs[-1].endswith("presidential spokesperson Kim told reporters.")
    assert one(".story .byline") == "Written by The Korea Herald"
    assert (
        driver.find_element(By.CSS_SELECTOR, ".byline a")
        .get_attribute("href")
        .endswith("/authors/the-korea-herald")
    )
    assert one(".about h2") == "The Korea Herald"
    assert one(".about p") == (
        "About the Author: The Korea Herald is the nation\u2019s largest English-language daily "
        "and the country\u2019s sole member of the Asia News Network."
    )
    assert one("#share-heading") == "Enjoyed this story? Share it."
    canonical = "https://www.koreaherald.com/diplomacy/2018/08/30/us-ramps-up-pressure-on-n-korea"
    shares = {
        link.text: link.get_attribute("href")
        for link in driver.find_elements(By.CSS_SELECTOR, ".share-links a")
    }
    assert list(shares) == ["Facebook", "X", "LinkedIn", "WhatsApp", "E-mail"]
    encoded = "https%3A%2F%2Fwww.koreaherald.com%2Fdiplomacy%2F2018%2F08%2F30%2F"
    for label in ("Facebook", "X", "LinkedIn", "WhatsApp"):
        assert encoded in shares[label], label
    assert shares["E-mail"].startswith("mailto:?subject=US%20ramps%20up")
    assert one("#newsletter-name") == "Eastern Briefings"
    assert one(".newsletter-tagline") == "All you need to know about Asia"
    assert "curated stories from 22 Asian newspapers" in one(".newsletter-description")
    assert "Sign up and stay updated with the latest news." in one(".newsletter-box")
    assert one("label[for=signup-consent]") == (
        "By providing us with your email address, you agree to our Privacy Policy and Terms "
        "of Service."
    )
    todays = driver.find_element(By.ID, "todays-newsletter")
    assert todays.text == "View Today's Newsletter Here"
    assert todays.get_attribute("href").endswith(LATEST_ISSUE)
    assert one("#see-more-heading") == "SEE MORE"
    teasers = driver.find_elements(By.CSS_SELECTOR, ".see-more .teaser")
    assert [t.find_element(By.CSS_SELECTOR, ".teaser-headline").text for t in teasers] == SEE_MORE
    first = teasers[0]
    assert first.find_element(By.CSS_SELECTOR, ".kicker").text == "DIPLOMACY"
    assert first.find_element(By.CSS_SELECTOR, ".teaser-text").text.startswith(
        "Summit talks, meetings on nuclear inspections to take place soon."
    )
    assert first.find_element(By.CSS_SELECTOR, ".teaser-byline").text == "By The Korea Herald"
    assert first.find_element(By.CSS_SELECTOR, "time").text == "September 26, 2018"
    maldives = teasers[4]
    assert maldives.find_element(By.CSS_SELECTOR, ".teaser-byline").text == "By Cod Satrusayang"
    assert maldives.find_element(By.CSS_SELECTOR, "time").text == "September 20, 2018"
    assert canonical == driver.find_element(By.CSS_SELECTOR, "link[rel=canonical]").get_attribute(
        "href"
    )


def test_the_story_head_carries_open_graph_twitter_cards_and_news_article_json_ld(
    stack: Stack,
) -> None:
    # What share previews and search engines see: the server's HTML, no script run.
    html = httpx.get(stack.site + LEAD).text
    for fragment in (
        '<meta property="og:type" content="article">',
        '<meta property="og:title" content="US ramps up pressure on N. Korea">',
        '<meta property="og:url" content="https://www.koreaherald.com/diplomacy/2018/08/30/',
        '<meta property="og:image" content="https://cdn.broadsheet.example/images/',
        '<meta property="article:published_time" content="2018-08-30T01:20:00+00:00">',
        '<meta property="article:section" content="Diplomacy">',
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:title" content="US ramps up pressure on N. Korea">',
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle"',
        '"publisher":{"@type":"Organization","name":"The Korea Herald"',
    ):
        assert fragment in html, fragment


def test_view_todays_newsletter_opens_the_latest_issue(stack: Stack) -> None:
    stack.open(LEAD)
    stack.driver.find_element(By.ID, "todays-newsletter").click()
    WebDriverWait(stack.driver, 10).until(lambda d: d.current_url.endswith(LATEST_ISSUE))
    driver = stack.driver
    assert (
        driver.find_element(By.ID, "issue-title").text
        == "Eastern Briefings \u2014 26 September 2018"
    )
    items = texts(driver, ".issue-item .teaser-headline")
    assert items[0] == "US, NK head toward discussions on nuclear inspections"
    assert len(items) >= 5
    assert console_errors(driver) == []


def test_search_as_you_type_highlights_the_terms(stack: Stack) -> None:
    stack.open("/search")
    box = stack.driver.find_element(By.ID, "search-input")
    box.send_keys("Pompeo trip")
    WebDriverWait(stack.driver, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results .teaser mark")
    )
    marks = {
        m.text.lower() for m in stack.driver.find_elements(By.CSS_SELECTOR, "#search-results mark")
    }
    assert {"pompeo", "trip"} <= marks
    headlines = texts(stack.driver, "#search-results .teaser-headline")
    assert "US ramps up pressure on N. Korea" in headlines
    assert "for \u201cPompeo trip\u201d" in stack.driver.find_element(By.ID, "search-status").text
    assert stack.driver.current_url.endswith("/search?q=Pompeo+trip")
    assert console_errors(stack.driver) == []


def _sign_up(stack: Stack, email: str, consent: bool) -> None:
    stack.open(LEAD)
    driver = stack.driver
    driver.find_element(By.ID, "signup-email").send_keys(email)
    if consent:
        driver.find_element(By.ID, "signup-consent").click()
    driver.find_element(By.CSS_SELECTOR, "#signup button[type=submit]").click()


def _wait_for_text(driver: webdriver.Chrome, css: str, expected: str | None = None) -> str:
    """The element's text once it has some (or, given `expected`, once it is that; else what
    it last was), the element found afresh at every look: a page navigating meanwhile leaves
    stale elements behind."""
    seen = ""

    def ready(d: webdriver.Chrome) -> bool:
        nonlocal seen
        try:
            seen = str(d.find_element(By.CSS_SELECTOR, css).text).strip()
        except WebDriverException as error:
            # The page was replaced while the element was read (Chromium's way of saying it,
            # seen once in CI): look again, as for a stale element.
            if "does not belong to the document" not in str(error):
                raise
            return False
        return bool(seen) and (expected is None or seen == expected)

    waiting = WebDriverWait(
        driver, 10, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    )
    with contextlib.suppress(TimeoutException):
        waiting.until(ready)
    return seen


def test_sign_up_with_consent_mails_a_link_that_confirms(stack: Stack) -> None:
    email = "reader.browser@example.org"
    _sign_up(stack, email, consent=True)
    status = _wait_for_text(stack.driver, "#signup-status")
    assert status.startswith("Thanks! If this address can receive mail")
    assert console_errors(stack.driver) == []

    (message,) = stack.mailbox.wait_for(email)
    assert message["Subject"] == "Confirm your subscription to Eastern Briefings"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith(f"<{stack.site}/newsletters/unsubscribe?token=")
    html = text_of(message, "html")
    assert "<script" not in html
    assert "Confirm my subscription" in html
    link, _ = link_token(message, "confirm")
    assert link.startswith(stack.site)

    open_page(stack.driver, link)
    stack.driver.find_element(By.ID, "subscription-submit").click()
    heading = _wait_for_text(stack.driver, "#subscription-heading", "You're subscribed")
    assert heading == "You're subscribed"
    assert "Eastern Briefings will arrive in your inbox" in stack.driver.page_source

    # The link works once.
    open_page(stack.driver, link)
    stack.driver.find_element(By.ID, "subscription-submit").click()
    expired = "This link has expired"
    assert _wait_for_text(stack.driver, "#subscription-heading", expired) == expired


def test_sign_up_errors_are_shown_next_to_the_form(stack: Stack) -> None:
    _sign_up(stack, "reader.noconsent@example.org", consent=False)
    assert "consent" in _wait_for_text(stack.driver, "#signup-consent-error")
    consent = stack.driver.find_element(By.ID, "signup-consent")
    assert consent.get_attribute("aria-invalid") == "true"
    assert stack.driver.find_element(By.ID, "signup-status").text == ""

    _sign_up(stack, "not an address", consent=True)
    assert _wait_for_text(stack.driver, "#signup-email-error")
    assert stack.driver.find_element(By.ID, "signup-consent-error").text == ""
    assert stack.mailbox.to("reader.noconsent@example.org") == []


def test_a_draft_or_scheduled_story_never_appears(stack: Stack) -> None:
    hidden = [*DRAFTS, *SCHEDULED]
    assert hidden
    stack.open("/")
    front = stack.driver.find_element(By.TAG_NAME, "body").text
    for story in hidden:
        assert story.headline not in front
        path = f"/stories/{story.source}/{slugify(story.headline)}"
        assert httpx.get(stack.site + path).status_code == 404
        stack.open(path)
        assert stack.driver.find_element(By.TAG_NAME, "h1").text == "Page not found"
        stack.open("/search?q=" + story.headline.replace(" ", "+"))
        assert story.headline not in texts(stack.driver, ".teaser-headline")


def test_an_unknown_slug_is_a_404_page(stack: Stack) -> None:
    for path in ("/stories/the-korea-herald/no-such-story", "/sections/nothing", "/nowhere",
                 "/newsletters/eastern-briefings/2030-01-01", "/authors/nobody"):  # fmt: skip
        response = httpx.get(stack.site + path)
        assert response.status_code == 404, path
        assert "Page not found" in response.text
        assert "Back to the front page" in response.text


def test_a_failing_api_reads_as_an_error_page_and_an_error_state(stack: Stack) -> None:
    dead = f"http://127.0.0.1:{free_port()}/graphql"
    # The reader's server cannot reach the API: a 503 page that says so.
    with reader_server(dead) as broken:
        response = httpx.get(broken + LEAD)
        assert response.status_code == 503
        assert response.headers["retry-after"]
        open_page(stack.driver, broken + LEAD)
        assert stack.driver.find_element(By.TAG_NAME, "h1").text == (
            "The news is unavailable right now"
        )
        stack.driver.get("about:blank")  # let the server stop without waiting for the browser
    # The browser cannot reach the API: search says so instead of going blank.
    with reader_server(stack.api, browser_api=dead) as half:
        open_page(stack.driver, half + "/search")
        stack.driver.find_element(By.ID, "search-input").send_keys("Pompeo")
        status = _wait_for_text(stack.driver, "#search-status")
        assert status.startswith("Search is unavailable right now")
        console_errors(stack.driver)  # the refused connection is logged, as it should be
        stack.driver.get("about:blank")


def test_one_click_unsubscribe_from_the_mail_header(stack: Stack) -> None:
    email = "reader.oneclick@example.org"
    _sign_up(stack, email, consent=True)
    (message,) = stack.mailbox.wait_for(email)
    url = message["List-Unsubscribe"].strip("<>")
    # RFC 8058: the mail client POSTs this body to the header's URL; no page, no button.
    response = httpx.post(
        url,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert "You're unsubscribed" in response.text


def test_screenshots_and_first_contentful_paint(stack: Stack, tmp_path: Path) -> None:
    folder = SCREENSHOTS if os.environ.get("BROADSHEET_SAVE_SCREENSHOTS") == "1" else tmp_path
    for name, path in (("front-page", "/"), ("article", LEAD), ("newsletter", LATEST_ISSUE)):
        stack.open(path)
        screenshot(stack.driver, folder / f"{name}.png")
        assert (folder / f"{name}.png").stat().st_size > 10_000
    paints = []
    for _ in range(5):
        stack.open(LEAD)
        paints.append(first_contentful_paint_ms(stack.driver))
    median = statistics.median(paints)
    print(f"\narticle page first contentful paint: median {median:.0f} ms of {paints}")
    assert median < 2500


def test_sign_up_rate_limit_is_shown_next_to_the_form(stack: Stack) -> None:
    # Last in this module: it spends the sign-up budget of the browser's address.
    for attempt in range(SIGNUP_LIMIT + 3):
        _sign_up(stack, f"reader.limit{attempt}@example.org", consent=True)
        status = _wait_for_text(stack.driver, "#signup-status")
        if status.startswith("Too many sign-ups"):
            break
    else:
        pytest.fail("the sign-up limit never showed")
    assert "try again in" in status
    assert stack.driver.find_element(By.ID, "signup-email").get_attribute("value")
