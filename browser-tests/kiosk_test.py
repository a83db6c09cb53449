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

import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from harness import (BIN, CAMPAIGN, CAMPAIGN_FILE, DESKTOP, PHONE, CheckFailed, Kiosk, Ledgerd, describe,
                     expect, ledgerctl, say, start_browser)

# Fake test values: the only personal-looking data this test types or prints.
SIGNER = {
    "name": "Test Signer",
    "email": "test.signer@example.org",
    "postcode": "0150",
    "country": "NO",
    "display_name": "Browser Test",
    "comment": "Free them now! <b>not bold</b> & done",
}

EN_TITLE = "Free the jailed journalists"
EN_DEMANDS = ["Release the three journalists at once and without conditions", "Drop all charges against them"]
NB_TITLE = "Løslat de fengslede journalistene"
NB_DEMANDS = ["Løslat de tre journalistene straks og uten vilkår", "Frafall alle anklager mot dem"]


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
