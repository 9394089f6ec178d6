"""report.html in a real browser: headless Debian Chromium driven by Selenium.

Never skipped: `.ci/run` installs chromium and chromium-driver, and a missing
browser fails with a message saying how to install it.  The screenshot goes
to tests/artifacts/report.png (1280 px wide).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_html import EVIL_ID, PAYLOADS, evil_corpus

from dedup.cli.app import main

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL = "install them with: apt-get update && apt-get install -y chromium chromium-driver (what .ci/run does)"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")
# Runs before any script of the page: record dialogs instead of opening them.
TRAP = """
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = function (msg) { window.__dialogs.push(name + ":" + String(msg)); };
}
"""


def _run(src: Path, out: Path) -> Path:
    result = CliRunner().invoke(main, ["run", str(src), "--out", str(out), "-q", "--jobs", "1"], prog_name="dedup")
    assert result.exit_code == 0, result.output
    return out / "report.html"


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            pytest.fail(f"{path} is missing: the browser test needs Debian's chromium and chromium-driver; {INSTALL}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is not installed: pip install -e '.[test]'")
    profile = tempfile.mkdtemp(prefix="dedup-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1400"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRAP})
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(drv, page: Path) -> None:
    drv.get(page.resolve().as_uri())
    assert drv.execute_script("return document.readyState") == "complete"


def _visible_rows(drv) -> list[str]:
    return drv.execute_script(
        "return [...document.querySelectorAll('#cluster-list tbody tr')]"
        ".filter(r => r.offsetParent !== null).map(r => r.cells[0].textContent)")


def _console_errors(drv) -> list[str]:
    return [e["message"] for e in drv.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


def test_seeds_report_renders_and_screenshot(driver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the README's run: input 'seeds'
    _open(driver, _run(Path("seeds"), tmp_path / "out"))
    by = "css selector"
    assert driver.find_element(by, "h1").text == "dedup report"
    assert len(_visible_rows(driver)) == 1
    assert driver.find_element(by, "#filter-count").text == "1 of 1 clusters"  # the page's script ran
    for selector in (".copy .added", ".copy .removed", ".copy .changed", ".copy ins.w", ".copy del.w"):
        found = driver.find_elements(by, selector)
        assert found, f"no {selector} highlight in the DOM"
    assert driver.find_elements(by, ".bar")[0].size["width"] > 0
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0, "no fetches"
    assert not _console_errors(driver), "the page logs no error (e.g. no CSP violation)"
    assert driver.execute_script("return window.innerWidth") == 1280
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_filter_and_hostile_text(driver, tmp_path: Path) -> None:
    src = evil_corpus(tmp_path / "in")
    text = (SEEDS / "003_9bf1a751ecd25daf.txt").read_text(encoding="utf-8")
    (src / "003_reprint.txt").write_text(text + "\n\nThe story was first published on Thursday.\n", encoding="utf-8")
    _open(driver, _run(src, tmp_path / "out"))
    by = "css selector"

    assert driver.execute_script("return window.__dialogs") == [], "an injected script or handler ran"
    assert driver.execute_script("return document.querySelectorAll('img, textarea, iframe').length") == 0
    assert driver.execute_script("return document.scripts.length") == 1
    assert not driver.execute_script(
        "return [...document.querySelectorAll('*')].some(e => [...e.attributes].some(a => a.name.startsWith('on')))")
    body = driver.find_element(by, "body").text
    for raw in PAYLOADS:
        assert raw in body, f"{raw} should be shown as text"
    assert EVIL_ID in body

    search = driver.find_element(by, "#filter")
    all_rows = _visible_rows(driver)
    assert len(all_rows) == 2
    search.send_keys("003_reprint")
    only = _visible_rows(driver)
    assert len(only) == 1 and driver.find_element(by, "#filter-count").text == "1 of 2 clusters"
    sections = driver.execute_script(
        "return [...document.querySelectorAll('section.cluster')].filter(s => !s.hidden).map(s => s.id)")
    assert sections == ["c-" + only[0]], "the filter hides the other clusters' sections too"
    search.clear()
    search.send_keys("NO SUCH THING")
    assert _visible_rows(driver) == [] and driver.find_element(by, "#filter-count").text == "0 of 2 clusters"
    driver.execute_script("const f = document.getElementById('filter'); f.value = '';"
                          "f.dispatchEvent(new Event('input'));")
    assert _visible_rows(driver) == all_rows
    assert driver.execute_script("return window.__dialogs") == []
