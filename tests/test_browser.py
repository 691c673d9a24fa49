"""End to end: ``cguard serve`` in a real headless Chromium driven by Selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y chromium
chromium-driver``); skipped cleanly without them. Saves screenshots to test-artifacts/.
"""
from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
WAIT = 30  # seconds: a guard against a hung page, not a speed assertion

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver")

SCRIPT = "【开场】姐妹们好😀！今天这款面膜全网最低价，\n评论区扣1，转发到3个群领红包，\n下单记得看详情页。"

# Offsets of each <mark> in the highlight layer, adjacent marks merged: [[start, end, text]].
MARKED_SPANS = """
const spans = [];
let pos = 0;
for (const node of document.getElementById('highlights').childNodes) {
  const len = node.textContent.length;
  if (node.nodeName === 'MARK') {
    const last = spans[spans.length - 1];
    if (last && last[1] === pos) { last[1] = pos + len; last[2] += node.textContent; }
    else spans.push([pos, pos + len, node.textContent]);
  }
  pos += len;
}
return spans;
"""


def cguard_command() -> list[str]:
    script = Path(sys.executable).with_name("cguard")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from compliance_guard.app.cli import main; main()"]


@pytest.fixture(scope="module")
def server():
    proc = subprocess.Popen([*cguard_command(), "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    try:
        first = lines.get(timeout=WAIT)
    except queue.Empty:
        proc.kill()
        pytest.fail(f"cguard serve printed no address; stderr: {proc.stderr.read()}")
    assert first.startswith("cguard serve: http://127.0.0.1:"), first
    yield first.split()[2]
    proc.terminate()
    proc.wait(timeout=WAIT)


@pytest.fixture
def browser(server):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="cguard-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--user-data-dir={profile}", "--window-size=1280,860"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.get(server)
    driver.logs = []
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver) -> list:
    driver.logs += driver.get_log("browser")
    return [e for e in driver.logs if e["level"] == "SEVERE"]


def marked(driver) -> dict[str, tuple[int, int]]:
    """Highlighted text -> its (start, end) in UTF-16 units, as the page counts."""
    return {text: (s, e) for s, e, text in driver.execute_script(MARKED_SPANS)}


def paste(driver, server, text: str) -> None:
    """A real paste: the text goes to the clipboard, then Ctrl+V into the script box."""
    driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": server.rstrip("/"), "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    box = driver.find_element(By.ID, "script")
    box.click()
    driver.execute_script("return navigator.clipboard.writeText(arguments[0])", text)
    box.send_keys(Keys.CONTROL, "v")


def test_paste_highlight_apply(browser, server):
    wait = WebDriverWait(browser, WAIT)
    box = browser.find_element(By.ID, "script")
    assert "文案合规检查" in browser.title
    assert console_errors(browser) == []

    paste(browser, server, SCRIPT)
    wait.until(lambda d: {"全网最低价", "转发到3个群领红包"} <= set(marked(d)))
    value = box.get_attribute("value")
    assert value == SCRIPT
    spans = marked(browser)
    for text in ("全网最低价", "转发到3个群领红包"):  # highlights sit on exactly those characters
        s, e = spans[text]
        assert value.encode("utf-16-le")[2 * s:2 * e].decode("utf-16-le") == text
    layer = browser.find_element(By.ID, "highlights").get_attribute("textContent")
    assert layer.startswith(value)  # the highlight layer mirrors the textarea

    score = browser.find_element(By.CSS_SELECTOR, "#score .total")  # `cguard score` beside the findings
    wait.until(lambda d: score.is_displayed())
    assert 0 <= int(score.text.split("/")[0]) <= 100

    cards = browser.find_elements(By.CSS_SELECTOR, "#findings .finding")
    assert any("「全网最低价」" in c.text and "广告法" in c.text for c in cards)
    assert any("「转发到3个群领红包」" in c.text for c in cards)

    # Clicking on a highlight puts the caret inside that finding and opens its explanation.
    mark = browser.find_element(By.XPATH, "//mark[contains(., '转发')]")
    ActionChains(browser).move_to_element(mark).click().perform()
    caret = browser.execute_script("return document.getElementById('script').selectionStart")
    s, e = spans["转发到3个群领红包"]
    assert s <= caret <= e
    popover = browser.find_element(By.ID, "popover")
    wait.until(lambda d: popover.is_displayed())
    assert "转发到3个群领红包" in popover.text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "serve-page.png"))

    card = next(c for c in cards if "「全网最低价」" in c.text)
    buttons = [b.text for b in card.find_elements(By.CSS_SELECTOR, "button.apply")]
    advice = card.find_element(By.CSS_SELECTOR, ".advice").text  # told to the writer, not pasted in
    assert "写明" in advice and not any("写明" in b for b in buttons)
    button = card.find_element(By.CSS_SELECTOR, "button.apply")
    suggestion = button.text.removeprefix("改为「").removesuffix("」")
    button.click()
    wait.until(lambda d: "全网最低价" not in box.get_attribute("value"))
    assert box.get_attribute("value") == SCRIPT.replace("全网最低价", suggestion)
    wait.until(lambda d: "全网最低价" not in marked(d) and "转发到3个群领红包" in marked(d)
               and not d.find_elements(By.CSS_SELECTOR, "#highlights.stale"))
    browser.save_screenshot(str(ARTIFACTS / "serve-page-applied.png"))

    box.send_keys(Keys.CONTROL, Keys.END)  # typing is checked as it happens, too
    box.send_keys("\n这是最好的面膜")
    wait.until(lambda d: "最好" in marked(d))
    assert console_errors(browser) == []


def test_open_docx_in_the_page(browser, tmp_path):
    import docx

    path = tmp_path / "直播脚本.docx"
    d = docx.Document()
    d.add_paragraph("开场：欢迎来到直播间")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "福利"
    table.cell(0, 1).text = "这款是全网最低价"
    d.save(path)
    browser.find_element(By.ID, "file").send_keys(str(path))
    wait = WebDriverWait(browser, WAIT)
    wait.until(lambda d: "全网最低价" in marked(d))
    box = browser.find_element(By.ID, "script")
    assert box.get_attribute("value") == "开场：欢迎来到直播间\n福利\n这款是全网最低价"
    card = browser.find_element(By.CSS_SELECTOR, "#findings .finding")
    assert "第 3 行第 4 字" in card.text  # paragraph 3, character 4
    assert console_errors(browser) == []
