"""Driving Debian's Chromium (headless, through chromedriver and Selenium) for the reader's
browser tests: console errors, axe-core, first contentful paint and screenshots.

Chromium comes from Debian's `chromium` and `chromium-driver` packages (.ci/run installs them);
nothing is downloaded. axe-core comes from tests/browser (npm, pinned). Without either, the
tests are skipped, except with CI=true, where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE_DIR = Path(__file__).parent / "browser"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WINDOW = (1280, 1800)


def unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run)")
    pytest.skip(reason)


def require_browser() -> None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            unavailable(f"{path} is missing: apt-get install -y chromium chromium-driver")


def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            unavailable("npm is needed to install axe-core (tests/browser)")
        assert npm is not None
        try:
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR)],
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            unavailable(f"npm ci failed in {AXE_DIR}: {error}")
    return AXE_SCRIPT.read_text()


@contextmanager
def chromium(profile: Path) -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a fresh profile, logging the page's console."""
    require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver: webdriver.Chrome) -> list[str]:
    """Console errors since the last call (reading the log empties it)."""
    entries: list[dict[str, Any]] = driver.get_log("browser")
    return [entry["message"] for entry in entries if entry["level"] == "SEVERE"]


def open_page(driver: webdriver.Chrome, url: str) -> None:
    """Load `url` and wait until the document and its deferred script are done."""
    console_errors(driver)  # start with an empty log
    driver.get(url)
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def serious_violations(driver: webdriver.Chrome, axe: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the current page."""
    driver.execute_script(axe)
    result: dict[str, Any] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r), e => done({error: String(e)}));"
    )
    assert "error" not in result, result
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def first_contentful_paint_ms(driver: webdriver.Chrome) -> float:
    """First contentful paint of the current page (the Paint Timing API), in milliseconds."""
    script = (
        "const e = performance.getEntriesByName('first-contentful-paint')[0];"
        "return e ? e.startTime : null;"
    )
    # The entry is queued a frame after the paint: give it a moment.
    WebDriverWait(driver, 5).until(lambda d: d.execute_script(script) is not None)
    return float(driver.execute_script(script))


def screenshot(driver: webdriver.Chrome, path: Path, max_height: int = 2400) -> None:
    """The page at the window's width, as tall as its content (at most `max_height`)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WINDOW[0], min(int(height), max_height))
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    driver.set_window_size(*WINDOW)


def texts(driver: webdriver.Chrome, css: str) -> list[str]:
    return [element.text for element in driver.find_elements(By.CSS_SELECTOR, css)]
