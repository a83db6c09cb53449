#!/usr/bin/env python3
"""Real-browser end-to-end test of the ledgerd kiosk (docs/KIOSK.md).

Starts a fresh HQ ledger in a temporary folder, publishes docs/examples/free-the-press.json,
runs `ledgerd --listen 127.0.0.1:0`, and drives headless Chromium through the kiosk with
Selenium: reading the campaign in English and Norwegian, signing, the receipt, `ledgerctl
verify --full`, a server-side field error (the error summary takes the focus, its link leads
to the field), withdrawal (and the link back to the form), keyboard-only use (the first Tab
reaches the skip link), and kiosk mode (`--kiosk`: the withdrawal link is visible). Screenshots
go to docs/screenshots/ (or $LEDGER_SCREENSHOTS).

Every check prints a line as it passes; the last line is exactly "N passed, M failed"; the
exit status is non-zero when anything failed. Only 127.0.0.1 is ever opened, and only the
fake test values below are ever typed or printed.

Environment:
  LEDGER_BIN          folder with ledgerd and ledgerctl (default: <repo>/.build/debug)
  LEDGER_SCREENSHOTS  where the screenshots go (default: <repo>/docs/screenshots)
  CHROMIUM            the browser (default: /usr/bin/chromium)
  CHROMEDRIVER        the driver (default: /usr/bin/chromedriver)
"""

import os

# Selenium Manager must never download anything: the system chromedriver is used.
os.environ["SE_OFFLINE"] = "true"
os.environ["SE_AVOID_STATS"] = "true"

import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("LEDGER_BIN", REPO / ".build" / "debug"))
SHOTS = Path(os.environ.get("LEDGER_SCREENSHOTS", REPO / "docs" / "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CAMPAIGN_FILE = REPO / "docs" / "examples" / "free-the-press.json"
CAMPAIGN = "free-the-press"

# Fake test values: the only personal-looking data this test types or prints.
SIGNER = {
    "name": "Test Signer",
    "email": "test.signer@example.org",
    "postcode": "0150",
    "country": "NO",
    "display_name": "Browser Test",
    "comment": "Free them now! <b>not bold</b> & done",
}
RECEIPT_RE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")

EN_TITLE = "Free the jailed journalists"
EN_DEMANDS = ["Release the three journalists at once and without conditions", "Drop all charges against them"]
NB_TITLE = "Løslat de fengslede journalistene"
NB_DEMANDS = ["Løslat de tre journalistene straks og uten vilkår", "Frafall alle anklager mot dem"]

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


class Ledgerd:
    """ledgerd on 127.0.0.1 with a port chosen by the system, read from its log."""

    def __init__(self, data, *extra):
        self.lines = []
        self.port = None
        self._ready = threading.Event()
        self.process = subprocess.Popen(
            [str(BIN / "ledgerd"), "--data", str(data), "--listen", "127.0.0.1:0", *extra],
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

    def wait_ready(self, timeout=20):
        self._ready.wait(timeout)
        if self.port is None:
            tail = "\n".join("    " + l for l in self.lines[-15:])
            status = self.process.poll()
            raise CheckFailed(f"ledgerd did not say where it serves within {timeout}s "
                              f"(exit status {status}); its log ends:\n{tail}")
        return self.port

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


def start_browser(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in [
        "--headless=new",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
        f"--user-data-dir={profile}",
        "--lang=en-US",
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
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    # The network log lets a failure say what the browser sent and how ledgerd answered.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT * 2)
    return driver


class Kiosk:
    def __init__(self, driver, port):
        self.driver = driver
        self.base = f"http://127.0.0.1:{port}"

    def open(self, path):
        assert path.startswith("/")
        self.driver.get(self.base + path)
        expect(self.driver.current_url.startswith(self.base + "/"),
               f"the browser left 127.0.0.1: {self.driver.current_url}")

    def viewport(self, width, height, mobile=False):
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile,
        })

    def screenshot(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / name
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
# The checks


class State:
    data = None
    ledgerd = None
    kiosk = None
    receipt = None


def check_setup(state, work):
    """a fresh HQ ledger with the campaign, and ledgerd serving on 127.0.0.1."""
    state.data = work / "D"
    status, _, err = ledgerctl("init", "--hq", "--name", "Amnesty Norge", "--data", str(state.data))
    expect(status == 0, f"ledgerctl init exited {status}: {err.strip()}")
    status, _, err = ledgerctl("campaign", "publish", str(CAMPAIGN_FILE), "--data", str(state.data))
    expect(status == 0, f"ledgerctl campaign publish exited {status}: {err.strip()}")
    state.ledgerd = Ledgerd(state.data)
    port = state.ledgerd.wait_ready()
    say(f"  ledgerd serves http://127.0.0.1:{port}")
    state.kiosk = Kiosk(start_browser(work / "profile"), port)
    return "ledger created, campaign published, ledgerd and Chromium started"


def check_campaign_pages(state):
    """the campaign page in English, in Norwegian, and on a phone."""
    k = state.kiosk
    k.viewport(*DESKTOP)
    k.open(f"/c/{CAMPAIGN}?lang=en")
    expect(k.driver.title == EN_TITLE, f"English title is {k.driver.title!r}")
    expect(k.find("html").get_attribute("lang") == "en", "the English page is not lang=en")
    expect(k.find("h1").text == EN_TITLE, f"English h1 is {k.find('h1').text!r}")
    demands = [li.text for li in k.find_all("article ul li")]
    expect(demands == EN_DEMANDS, f"English demands are {demands}")
    expect(k.count() == "0", f"the count shows {k.count()!r}, not 0")
    expect(k.find("#sign h2").text == "Sign the petition", "no English form heading")
    expect(k.find("nav a[hreflang=nb]").text == "Norsk", "no link to the Norwegian page")
    say(f"  en: title, demands, count 0 → {k.screenshot('campaign-en.png')}")

    k.open(f"/c/{CAMPAIGN}?lang=nb")
    expect(k.driver.title == NB_TITLE, f"Norwegian title is {k.driver.title!r}")
    expect(k.find("html").get_attribute("lang") == "nb", "the Norwegian page is not lang=nb")
    demands = [li.text for li in k.find_all("article ul li")]
    expect(demands == NB_DEMANDS, f"Norwegian demands are {demands}")
    expect(k.count() == "0", f"the Norwegian count shows {k.count()!r}")
    expect(k.find("#sign h2").text == "Skriv under", f"Norwegian form heading is {k.find('#sign h2').text!r}")
    expect(k.find("#sign button[type=submit]").text == "Skriv under", "Norwegian button is not 'Skriv under'")
    expect(k.find("label[for=email]").text.startswith("E-post"), "Norwegian e-mail label is not 'E-post'")
    expect(k.find("nav a[hreflang=en]").text == "English", "no link to the English page")
    say(f"  nb: title, demands, 'Skriv under', count 0 → {k.screenshot('campaign-nb.png')}")

    k.viewport(*PHONE, mobile=True)
    k.open(f"/c/{CAMPAIGN}?lang=en")
    width = k.driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    expect(width[0] <= width[1], f"the phone page scrolls sideways ({width[0]}px wide in a {width[1]}px window)")
    say(f"  phone {PHONE[0]}x{PHONE[1]}: no sideways scrolling → {k.screenshot('campaign-phone.png')}")
    k.viewport(*DESKTOP)
    return "campaign page in en, nb and on a phone"


def check_sign(state):
    """signing: receipt, thank-you page, count 1, the comment, an empty form again."""
    k = state.kiosk
    k.open(f"/c/{CAMPAIGN}?lang=en")
    for field in ["name", "email", "postcode", "country", "display_name"]:
        k.find("#" + field).send_keys(SIGNER[field])
    k.find("#comment").send_keys(SIGNER["comment"])
    k.find("#consent").click()
    expect(k.find("#consent").is_selected(), "the consent box did not tick")
    k.submit_with("#sign button[type=submit]")
    receipt = k.receipt("after clicking Sign")
    expect(k.find("h1").text == "Thank you for signing!", f"thank-you heading is {k.find('h1').text!r}")
    expect("/sign" in k.driver.current_url and receipt not in k.driver.current_url,
           "the receipt code is in the URL")
    state.receipt = receipt
    say(f"  receipt code in XXXX-XXXX-XXXX-XXXX form → {k.screenshot('thanks-en.png')}")

    k.mark_page()
    k.find("main a.button").click()
    k.wait_for_new_page()
    expect(k.count() == "1", f"after signing the count shows {k.count()!r}, not 1")
    comments = k.find_all(".comments li")
    expect(len(comments) == 1, f"{len(comments)} comments shown, expected 1")
    expect(comments[0].find_element(By.CSS_SELECTOR, ".who").text == SIGNER["display_name"], "wrong display name")
    expect(comments[0].find_element(By.CSS_SELECTOR, "p").text == SIGNER["comment"],
           f"the comment reads {comments[0].find_element(By.CSS_SELECTOR, 'p').text!r}")
    expect(not k.find_all(".comments b"), "the comment's markup was not escaped")
    leftovers = {f: k.value(f) for f in ["name", "email", "postcode", "country", "display_name", "comment"] if k.value(f)}
    expect(not leftovers, f"the fresh form is not empty: {sorted(leftovers)}")
    expect(not k.find("#consent").is_selected(), "the consent box is still ticked")
    return "signed; count 1, comment shown (escaped), fresh form empty"


def check_verify(state):
    """ledgerctl verify --full on the data folder ledgerd is using."""
    status, out, err = ledgerctl("verify", "--full", "--data", str(state.data))
    expect(status == 0, f"ledgerctl verify --full exited {status}: {(err or out).strip()[:500]}")
    return "ledgerctl verify --full exits 0 while ledgerd runs"


def check_invalid_email(state):
    """an e-mail the server refuses: the error by the field, what was typed kept, count unchanged."""
    k = state.kiosk
    k.open(f"/c/{CAMPAIGN}?lang=en")
    # "a@b" passes the browser's own type=email check but not the server's (no dot in the domain).
    typed_name = "Test Signer Two"
    before = k.count()  # 1 after the signing check
    k.find("#name").send_keys(typed_name)
    k.find("#email").send_keys("a@b")
    k.find("#postcode").send_keys("0150")
    k.submit_with("#sign button[type=submit]")

    def assert_email_error(typed_email):
        error = k.find_all("#email-error")
        if len(error) != 1:
            post = k.last_post()
            raise CheckFailed(f"no error next to the e-mail field; the page says {k.heading()!r}"
                              + (f"\n    ({post})" if post else ""))
        expect(error[0].text == "Please enter a valid e-mail address, like name@example.org.",
               f"the e-mail error reads {error[0].text!r}")
        same_field = k.driver.execute_script(
            "const e = document.getElementById('email-error'), i = document.getElementById('email');"
            "return e.parentElement === i.parentElement && e.parentElement.classList.contains('invalid');")
        expect(same_field, "the e-mail error is not in the e-mail field's box")
        email = k.find("#email")
        expect(email.get_attribute("aria-invalid") == "true", "the e-mail field has no aria-invalid")
        expect(email.get_attribute("aria-describedby") == "email-error", "the e-mail field is not described by its error")
        expect(k.find_all("[role=alert]"), "no error summary (role=alert)")
        expect(k.driver.current_url.endswith("#errors"), f"the answer's URL does not end in #errors: {k.driver.current_url}")
        focused = k.wait_for_focus("errors")
        expect(focused["id"] == "errors", f"after the server-side error {describe(focused)} has focus, not the error summary")
        links = [a.get_attribute("href").split("#")[-1] for a in k.find_all("#errors a")]
        expect(links == ["email"], f"the error summary links {links}, expected only the e-mail field")
        expect(k.value("name") == typed_name, f"the name field holds {k.value('name')!r}, not what was typed")
        expect(k.value("email") == typed_email, "the e-mail field does not keep what was typed")
        expect(k.value("postcode") == "0150", "the postcode field does not keep what was typed")
        expect(not k.find_all("#name-error"), "the name field has an error too")
        expect(k.count() == before, f"the count went from {before} to {k.count()} on a refused signature")

    assert_email_error("a@b")
    say(f"  'a@b' (browser-valid): refused by the server, error by the field, typed values kept, "
        f"focus on the error summary → {k.screenshot('error-en.png')}")

    # Tab from the summary reaches its link; Enter on the link puts the focus in the e-mail field.
    ActionChains(k.driver).send_keys(Keys.TAB).perform()
    focused = k.active()
    expect(focused["tag"] == "a" and "errors" not in focused["id"], f"Tab from the summary went to {describe(focused)}")
    ActionChains(k.driver).send_keys(Keys.ENTER).perform()
    focused = k.wait_for_focus("email")
    expect(focused["id"] == "email", f"the summary's link put the focus on {describe(focused)}, not the e-mail field")
    say("  Tab → the summary's link; Enter → the e-mail field has focus")

    # And a value the browser itself would stop: remove type=email so the server must catch it.
    k.driver.execute_script("document.getElementById('email').removeAttribute('type')")
    email = k.find("#email")
    email.clear()
    email.send_keys("not-an-email")
    k.submit_with("#sign button[type=submit]")
    assert_email_error("not-an-email")
    say("  'not-an-email' (type=email removed): refused by the server, error by the field")
    return f"invalid e-mail shows the field error, keeps the name, count still {before}"


def check_withdraw(state):
    """withdrawing with the receipt code."""
    k = state.kiosk
    expect(state.receipt, "no receipt code from the signing check")
    k.open("/withdraw?lang=en")
    k.find("#receipt").send_keys(state.receipt)
    k.submit_with("main button[type=submit]")
    heading = k.heading()
    if heading != "Your signature has been withdrawn":
        post = k.last_post()
        raise CheckFailed(f"after withdrawing the page says {heading!r}" + (f"\n    ({post})" if post else ""))
    back = [a for a in k.find_all("main a") if a.get_attribute("href").endswith(f"/c/{CAMPAIGN}?lang=en")]
    expect(back, "the withdrawn page has no link back to the campaign's form")
    k.mark_page()
    back[0].click()
    k.wait_for_new_page()
    expect(k.find_all("#sign form"), "the link from the withdrawn page does not lead to the signing form")
    expect(k.count() == "0", f"after withdrawing the count shows {k.count()!r}, not 0")
    return "withdrawn with the receipt code; the page links back to the form; count back to 0"


def check_keyboard(state):
    """keyboard only: skip link, Tab through the form with a visible focus ring, Enter to sign."""
    k = state.kiosk
    k.open(f"/c/{CAMPAIGN}?lang=en")

    def press(key):
        # Keys go to whatever has focus, as on a real keyboard.
        ActionChains(k.driver).send_keys(key).perform()
        return k.active()

    def visible_ring(element):
        expect(element["outline"] not in ("none", ""),
               f"{describe(element)} has focus but no outline (outline-style {element['outline']})")

    # The first Tab from the top of the page reaches the skip link, before the header's links.
    focused = press(Keys.TAB)
    visible_ring(focused)
    expect("skip" in focused["cls"], f"the first Tab went to {describe(focused)}, not the skip link")
    expect(focused["left"] >= 0, "the focused skip link is off screen")
    say(f"  the first Tab reaches the skip link; it shows on focus; outline {focused['outlineWidth']} {focused['outline']} {focused['outlineColor']}")

    press(Keys.ENTER)
    expect(k.driver.current_url.endswith("#sign"), "Enter on the skip link did not go to #sign")

    typed = {"name": "Keyboard Tester", "email": "keyboard@example.org", "postcode": "5003", "country": "NO"}
    order = ["name", "email", "postcode", "country", "consent", "display_name", "comment"]
    for field in order:
        focused = press(Keys.TAB)
        expect(focused["id"] == field, f"Tab went to {describe(focused)}, expected #{field}")
        visible_ring(focused)
        if field in typed:
            press(typed[field])
        elif field == "consent":
            press(Keys.SPACE)
            expect(k.find("#consent").is_selected(), "Space did not tick the consent box")
    focused = press(Keys.TAB)
    expect(focused["tag"] == "button", f"after the comment Tab went to {describe(focused)}, not the button")
    visible_ring(focused)
    say(f"  Tab walks name → e-mail → postcode → country → consent → display name → comment → Sign, each with a ring")

    k.driver.get_log("performance")
    k.mark_page()
    ActionChains(k.driver).send_keys(Keys.ENTER).perform()
    k.wait_for_new_page()
    k.receipt("after Enter on Sign")
    focused = press(Keys.TAB)
    visible_ring(focused)
    k.open(f"/c/{CAMPAIGN}?lang=en")
    expect(k.count() == "1", f"after the keyboard signature the count shows {k.count()!r}")
    return "keyboard-only signing works with a visible focus ring"


def check_kiosk_mode(state):
    """kiosk mode (--kiosk): the front page is the campaign, the withdrawal link is visible and works."""
    k = state.kiosk
    state.ledgerd.stop()
    state.ledgerd = Ledgerd(state.data, "--kiosk", CAMPAIGN)
    port = state.ledgerd.wait_ready()
    k.base = f"http://127.0.0.1:{port}"
    k.open("/?lang=en")
    expect(k.driver.current_url.startswith(f"{k.base}/c/{CAMPAIGN}"), f"the kiosk's front page is {k.driver.current_url}")
    links = [a for a in k.find_all("a") if a.get_attribute("href").endswith("/withdraw?lang=en")]
    expect(links, "no link to the withdrawal form in kiosk mode")
    k.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", links[0])
    expect(links[0].is_displayed(), "the withdrawal link is hidden in kiosk mode")
    size = k.driver.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.width, r.height]", links[0])
    expect(size[0] > 0 and size[1] > 0, f"the withdrawal link has no size ({size})")
    k.mark_page()
    links[0].click()
    k.wait_for_new_page()
    expect(k.heading() == "Withdraw your signature", f"the withdrawal link leads to {k.heading()!r}")
    focused = None
    ActionChains(k.driver).send_keys(Keys.TAB).perform()
    focused = k.active()
    expect("skip" in focused["cls"], f"on the withdrawal page the first Tab went to {describe(focused)}, not the skip link")
    return "kiosk mode: front page is the campaign; the withdrawal link is visible and leads to its form"


CHECKS = [check_campaign_pages, check_sign, check_verify, check_invalid_email, check_withdraw, check_keyboard, check_kiosk_mode]


def main():
    started = time.monotonic()
    for tool in ("ledgerd", "ledgerctl"):
        if not (BIN / tool).exists():
            say(f"FAIL setup: {BIN / tool} is missing (build with `swift build`, or set LEDGER_BIN)")
            say(f"0 passed, {len(CHECKS) + 1} failed")
            return 1

    # SIGTERM/SIGINT/SIGHUP end the run through the finally block, which stops ledgerd.
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)

    passed = failed = 0
    state = State()
    work = Path(tempfile.mkdtemp(prefix="ledger-browser-"))
    failures = Path(tempfile.gettempdir()) / "ledger-browser-failures"

    def run(number, check, *args):
        nonlocal passed, failed
        try:
            what = check(state, *args)
            passed += 1
            say(f"PASS {number}: {what}")
            return True
        except KeyboardInterrupt:
            raise
        except Exception as error:
            failed += 1
            if isinstance(error, CheckFailed):
                detail = str(error)
            elif isinstance(error, WebDriverException):
                detail = f"{type(error).__name__}: {(error.msg or '').splitlines()[0] if error.msg else ''}"
            else:
                detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            say(f"FAIL {number}: {check.__doc__.split(chr(10))[0]}\n    {detail}")
            if not isinstance(error, CheckFailed):
                frames = traceback.extract_tb(error.__traceback__)
                here = [f for f in frames if f.filename == __file__]
                if here:
                    say(f"    at line {here[-1].lineno}: {here[-1].line}")
            if state.kiosk:
                try:
                    failures.mkdir(exist_ok=True)
                    shot = failures / f"check-{number}.png"
                    state.kiosk.driver.save_screenshot(str(shot))
                    say(f"    page at failure: {shot} ({state.kiosk.driver.current_url})")
                except Exception:
                    pass
            return False

    try:
        if run(1, check_setup, work):
            for number, check in enumerate(CHECKS, start=2):
                run(number, check)
        else:
            failed += len(CHECKS)
            if state.ledgerd and state.ledgerd.lines:
                say("    ledgerd's log ends:\n" + "\n".join("    " + l for l in state.ledgerd.lines[-10:]))
    except KeyboardInterrupt as stop:
        say(f"interrupted ({stop})")
        failed += 1 + len(CHECKS) - passed - failed
    finally:
        if state.kiosk:
            try:
                state.kiosk.driver.quit()
            except Exception:
                pass
        if state.ledgerd:
            state.ledgerd.stop()
        # Chromium may still be writing its profile for a moment after quitting.
        for _ in range(20):
            shutil.rmtree(work, ignore_errors=True)
            if not work.exists():
                break
            time.sleep(0.25)

    say(f"  ({time.monotonic() - started:.1f}s)")
    say(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed == len(CHECKS) + 1 else 1


if __name__ == "__main__":
    sys.exit(main())
