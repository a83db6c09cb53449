"""What the real-browser tests share: ledgerctl, ledgerd on loopback ports, headless Chromium,
the kiosk page driver, and the check runner that prints "N passed, M failed".

Only 127.0.0.1 is ever opened (Chromium cannot even resolve another host), and nothing is
fetched from the network: Selenium uses the system chromedriver.
"""

import os

# Selenium Manager must never download anything: the system chromedriver is used.
os.environ["SE_OFFLINE"] = "true"
os.environ["SE_AVOID_STATS"] = "true"

import json
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import traceback
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[1]
BIN = Path(os.environ.get("LEDGER_BIN", REPO / ".build" / "debug"))
SHOTS = Path(os.environ.get("LEDGER_SCREENSHOTS", REPO / "docs" / "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CAMPAIGN_FILE = REPO / "docs" / "examples" / "free-the-press.json"
CAMPAIGN = "free-the-press"

RECEIPT_RE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
DESKTOP = (1280, 1800)
PHONE = (390, 844)
WAIT = 10  # seconds for any one page to appear


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def say(text):
    print(text, flush=True)


# ---------------------------------------------------------------------------------------------
# ledgerd and ledgerctl


def ledgerctl(*args, timeout=60):
    """Runs ledgerctl; returns (exit status, stdout, stderr)."""
    result = subprocess.run([str(BIN / "ledgerctl"), *args], capture_output=True, text=True, timeout=timeout)
    return result.returncode, result.stdout, result.stderr


def free_port():
    """A loopback port nobody listens on now (for a node that must come back on the same URL)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Ledgerd:
    """ledgerd on 127.0.0.1, by default with a port chosen by the system, read from its log."""

    def __init__(self, data, *extra, port=0):
        self.lines = []
        self.port = None
        self._ready = threading.Event()
        self.process = subprocess.Popen(
            [str(BIN / "ledgerd"), "--data", str(data), "--listen", f"127.0.0.1:{port}", *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        # Keeps reading so the pipe never fills; finds the "Serving http://127.0.0.1:PORT" line.
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))
            match = re.search(r"Serving http://127\.0\.0\.1:(\d+)", line)
            if match and self.port is None:
                self.port = int(match.group(1))
                self._ready.set()
        self._ready.set()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout=20):
        self._ready.wait(timeout)
        if self.port is None:
            raise CheckFailed(f"ledgerd did not say where it serves within {timeout}s "
                              f"(exit status {self.process.poll()}); its log ends:\n{self.tail()}")
        return self.port

    def wait_for_log(self, pattern, timeout=20):
        """Waits for a line of ledgerd's log that matches `pattern` (a regular expression)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(re.search(pattern, line) for line in list(self.lines)):
                return
            time.sleep(0.05)
        raise CheckFailed(f"ledgerd did not log /{pattern}/ within {timeout}s; its log ends:\n{self.tail()}")

    def tail(self, count=15):
        return "\n".join("    " + line for line in self.lines[-count:])

    def stop(self):
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


# ---------------------------------------------------------------------------------------------
# The browser


def start_browser(profile, language="en"):
    """Headless Chromium whose interface and Accept-Language are `language` ("en" or "nb")."""
    accept = {"en": "en-US,en", "nb": "nb-NO,nb,no,en"}[language]
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in [
        "--headless=new",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
        f"--user-data-dir={profile}",
        f"--lang={'en-US' if language == 'en' else 'nb-NO'}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-domain-reliability",
        "--disable-client-side-phishing-detection",
        "--metrics-recording-only",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
        # Nothing but 127.0.0.1 can even be resolved.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--hide-scrollbars",
        "--force-color-profile=srgb",
        "--font-render-hinting=none",
    ]:
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    options.add_experimental_option("prefs", {"intl.accept_languages": accept})
    # The network log lets a failure say what the browser sent and how ledgerd answered.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT * 2)
    return driver


class Kiosk:
    """One browser on one node's kiosk pages."""

    def __init__(self, driver, port):
        self.driver = driver
        self.base = f"http://127.0.0.1:{port}"

    def open(self, path):
        assert path.startswith("/")
        self.driver.get(self.base + path)
        expect(self.driver.current_url.startswith(self.base + "/"),
               f"the browser left 127.0.0.1: {self.driver.current_url}")

    def path(self):
        return self.driver.current_url.replace(self.base, "", 1)

    def viewport(self, width, height, mobile=False):
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile,
        })

    def screenshot(self, name, folder=None):
        folder = folder or SHOTS
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        expect(self.driver.save_screenshot(str(path)), f"could not save {path}")
        return path.relative_to(REPO) if path.is_relative_to(REPO) else path

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def mark_page(self):
        """Marks the current document, so that a new one can be told apart from it."""
        self.driver.execute_script("window.__ledgerOldPage = true")

    def wait_for_new_page(self):
        """Waits until the marked document is replaced by a fully loaded new one. Errors while
        the browser is between documents (stale nodes, a detached context) only mean "not yet"."""
        WebDriverWait(self.driver, WAIT, poll_frequency=0.05, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return window.__ledgerOldPage !== true && document.readyState === 'complete'"))

    def heading(self):
        found = self.find_all("h1")
        return found[0].text if found else self.driver.title

    def receipt(self, after):
        """The receipt code on the page a submission led to, or a failure saying what it shows."""
        found = self.find_all("#receipt")
        if not found:
            post = self.last_post()
            raise CheckFailed(f"{after} the page shows no receipt but says {self.heading()!r}"
                              + (f"\n    ({post})" if post else ""))
        code = found[0].text.strip()
        expect(RECEIPT_RE.match(code), f"the receipt code is not in the XXXX-XXXX-XXXX-XXXX form ({len(code)} characters)")
        return code

    def count(self):
        return self.find("#count").text.strip()

    def value(self, field_id):
        return self.find("#" + field_id).get_attribute("value")

    def fill(self, values):
        """Types `values` (field id -> text) into empty fields; a True or False value ticks or
        clears the check box with that id."""
        for field, text in values.items():
            if isinstance(text, bool):
                if text != self.find("#" + field).is_selected():
                    self.find("#" + field).click()
            else:
                self.find("#" + field).send_keys(text)

    def last_post(self):
        """How the last form POST went: its URL, the Origin the browser sent, the HTTP status."""
        posts, statuses = {}, {}
        try:
            entries = self.driver.get_log("performance")
        except WebDriverException:
            return None
        for entry in entries:
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message["method"] == "Network.requestWillBeSent" and params["request"]["method"] == "POST":
                headers = {k.lower(): v for k, v in params["request"].get("headers", {}).items()}
                posts[params["requestId"]] = (params["request"]["url"], headers.get("origin", "(none)"))
            elif message["method"] == "Network.responseReceived":
                statuses[params["requestId"]] = params["response"]["status"]
        if not posts:
            return None
        request_id = list(posts)[-1]
        url, origin = posts[request_id]
        path = url.replace(self.base, "", 1)
        return f"POST {path} with Origin: {origin} was answered {statuses.get(request_id, '?')}"

    def submit_with(self, button_css):
        self.driver.get_log("performance")  # forget earlier traffic
        self.mark_page()
        self.find(button_css).click()
        self.wait_for_new_page()

    def wait_for_focus(self, element_id, timeout=3):
        """Waits until the element with `element_id` has focus; returns what has focus then."""
        try:
            WebDriverWait(self.driver, timeout, poll_frequency=0.05, ignored_exceptions=(WebDriverException,)).until(
                lambda d: d.execute_script("return document.activeElement && document.activeElement.id") == element_id)
        except WebDriverException:
            pass
        return self.active()

    def active(self):
        return self.driver.execute_script(
            "const e = document.activeElement; const s = getComputedStyle(e);"
            "return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, text: (e.textContent || '').trim().slice(0, 60),"
            " outline: s.outlineStyle, outlineWidth: s.outlineWidth, outlineColor: s.outlineColor,"
            " left: e.getBoundingClientRect().left, top: e.getBoundingClientRect().top};")


def describe(element):
    return f"<{element['tag']}{' #' + element['id'] if element['id'] else ''}{' .' + element['cls'] if element['cls'] else ''}>"


# ---------------------------------------------------------------------------------------------
# The check runner


class Run:
    """Runs numbered checks in order; prints PASS/FAIL lines and, last, "N passed, M failed".

    A check is a function `check(state)` whose docstring's first line says what it checks and
    whose return value says what passed. After the first failure the later checks (which build
    on it) are counted as failed without running, unless a check is marked `independent`.
    `state.browsers()` names the Kiosk objects whose page is saved when a check fails;
    `state.stop()` stops what the run started.
    """

    def __init__(self, name, checks):
        self.name = name
        self.checks = checks
        self.passed = 0
        self.failed = 0
        self.failures = Path(tempfile.gettempdir()) / f"ledger-{name}-failures"

    def run(self, state):
        started = time.monotonic()
        for tool in ("ledgerd", "ledgerctl"):
            if not (BIN / tool).exists():
                say(f"FAIL setup: {BIN / tool} is missing (build with `swift build`, or set LEDGER_BIN)")
                say(f"0 passed, {len(self.checks)} failed")
                return 1

        def interrupted(signum, _frame):
            raise KeyboardInterrupt(f"signal {signum}")
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, interrupted)

        broken = False
        try:
            for number, check in enumerate(self.checks, start=1):
                if broken and not getattr(check, "independent", False):
                    self.failed += 1
                    say(f"FAIL {number}: {self._what(check)}\n    not run: an earlier check it builds on failed")
                    continue
                if not self._one(number, check, state):
                    broken = True
        except KeyboardInterrupt as stop:
            say(f"interrupted ({stop})")
            self.failed = len(self.checks) - self.passed
        finally:
            state.stop()
        say(f"  ({time.monotonic() - started:.1f}s)")
        say(f"{self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 and self.passed == len(self.checks) else 1

    @staticmethod
    def _what(check):
        return (check.__doc__ or check.__name__).strip().split("\n")[0]

    def _one(self, number, check, state):
        try:
            what = check(state)
            self.passed += 1
            say(f"PASS {number}: {what}")
            return True
        except KeyboardInterrupt:
            raise
        except Exception as error:
            self.failed += 1
            if isinstance(error, CheckFailed):
                detail = str(error)
            elif isinstance(error, WebDriverException):
                detail = f"{type(error).__name__}: {(error.msg or '').splitlines()[0] if error.msg else ''}"
            else:
                detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            say(f"FAIL {number}: {self._what(check)}\n    {detail}")
            if not isinstance(error, CheckFailed):
                frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(str(Path(__file__).parent))]
                if frames:
                    say(f"    at {Path(frames[-1].filename).name}:{frames[-1].lineno}: {frames[-1].line}")
            for label, kiosk in state.browsers():
                try:
                    self.failures.mkdir(exist_ok=True)
                    shot = self.failures / f"check-{number}-{label}.png"
                    kiosk.driver.save_screenshot(str(shot))
                    say(f"    {label}'s page at failure: {shot} ({kiosk.path()})")
                except Exception:
                    pass
            return False


def remove_folder(folder):
    """Removes a temporary folder; Chromium may still be writing its profile for a moment after quitting."""
    for _ in range(20):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        time.sleep(0.25)
