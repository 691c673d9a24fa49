"""``cguard scan --html``: a self-contained page, checked as text and in headless Chromium.

The browser part needs Debian's ``chromium`` and ``chromium-driver`` and is skipped cleanly
without them.
"""
from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest

from compliance_guard.report import scan_html
from compliance_guard.scan.local import ScanOptions, scan

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "corpora" / "listings" / "catalogue.csv"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("html")
    result = scan(ScanOptions(path=str(CATALOGUE), out=str(folder / "r.jsonl"), jobs=1))
    page = folder / "report.html"
    scan_html.write(result.summary, str(page))
    return result.summary, page


def test_page_is_self_contained(report):
    _, page = report
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "@import" not in html and "<svg" in html
    assert html.count("<script") == 2  # the data island and the inline filter script


def test_page_shows_the_counts_and_highlights(report):
    summary, page = report
    html = page.read_text(encoding="utf-8")
    for key, value in (("rows", summary.rows), ("errors", summary.errors), ("findings", summary.findings),
                       ("flagged", summary.rows_with_findings)):
        assert f"id=stat-{key} data-value={value}>" in html
    worst = summary.top(1)[0]
    f = worst["findings"][0]
    assert f"row {worst['row']} · id {worst['id']}" in html
    assert re.search(r"<mark class=\"sev-{}\"[^>]*>{}</mark>".format(f["severity"], re.escape(f["text"])), html)


def test_highlight_marks_exact_spans():
    text = "这款面膜全网最低价，限时三天"
    findings = [{"rule": "A", "start": 4, "end": 9, "severity": "error", "category": "absolute-claim", "message": "m"},
                {"rule": "B", "start": 6, "end": 9, "severity": "warning", "category": "pricing", "message": "n"}]
    out = scan_html._highlight(text, findings)
    marks = re.findall(r'<mark class="sev-(\w+)"[^>]*>([^<]*)</mark>', out)
    assert marks == [("error", "全网"), ("error", "最低价")]
    assert re.sub(r"<[^>]+>", "", out) == text


@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="needs Debian's chromium and chromium-driver")
def test_page_in_headless_chromium(report):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    summary, page = report
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="cguard-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                 "--window-size=1280,900"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(page.as_uri())
        assert driver.find_element(By.ID, "stat-rows").text.replace(",", "") == str(summary.rows)
        assert driver.find_element(By.ID, "stat-findings").text.replace(",", "") == str(summary.findings)
        bars = {b.get_attribute("data-label"): int(b.get_attribute("data-value"))
                for b in driver.find_elements(By.CSS_SELECTOR, "#chart-category .bar")}
        assert bars == dict(summary.by_category)
        cards = driver.find_elements(By.CSS_SELECTOR, ".listing")
        assert len(cards) == min(50, summary.rows_with_findings)
        counter = driver.find_element(By.ID, "visible-count")
        assert counter.text == f"{len(cards)} of {len(cards)} shown"

        Select(driver.find_element(By.ID, "filter-category")).select_by_value("pricing")
        with_pricing = sum(1 for c in cards if "pricing" in c.get_attribute("data-categories").split())
        assert 0 < with_pricing < len(cards)
        assert sum(c.is_displayed() for c in cards) == with_pricing
        assert counter.text == f"{with_pricing} of {len(cards)} shown"

        Select(driver.find_element(By.ID, "filter-category")).select_by_value("")
        driver.find_element(By.CSS_SELECTOR, ".sev-filter[value=error]").click()
        no_error = sum(1 for c in cards if set(c.get_attribute("data-severities").split()) - {"error"})
        assert sum(c.is_displayed() for c in cards) == no_error
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not severe, severe
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
