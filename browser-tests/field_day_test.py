#!/usr/bin/env python3
"""The field day: HQ and three laptops at an event, end to end, with real processes.

HQ and laptops A, B and C are data folders in a temporary directory, each with its own real
`ledgerd` on a free loopback port, driven with the real `ledgerctl` (.build/debug) and, at the
two stalls, headless Chromium on each laptop's kiosk page (`ledgerd --kiosk free-the-press`):
laptop A's browser is English, laptop B's Norwegian. The script follows an event day:

  morning  HQ publishes the campaign; A joins, then B, then C (C with the token on a "USB
           stick", a file). A joined first, so A has never seen B's or C's enrolment.
  event    HQ is out of reach (its ledgerd is stopped). People sign at both stalls, one with a
           comment, one after correcting field errors (what they typed is still there), one at
           both stalls. A signer tries to withdraw at B before B holds the signature, then
           withdraws there after B synced with A (B joined after A: its request carries HQ's
           signed enrolment). A syncs with C. C types in a paper list with a bad row: refused
           whole, then recorded with --skip-invalid, then the corrected row alone.
  evening  C's bundle goes to HQ on a USB stick (export, import). HQ closes the campaign. Laptop
           B, which has not heard of the close, records one more signature: late.
  next day HQ is back online; every laptop syncs with HQ twice (so each gets what the others
           brought). Every node's counts are checked against the numbers worked out below,
           every node's read-model digest must be the same, and HQ delivers the list.

Signers are made up (example.org addresses); no signer's details, receipt code or typed value
is ever printed. The last line is exactly "N passed, M failed"; the exit status is non-zero when
anything failed.

Environment:
  LEDGER_BIN   folder with ledgerd and ledgerctl (default: <repo>/.build/debug)
"""

import csv
import json
import sys
import tempfile
from pathlib import Path

from harness import (CAMPAIGN, CAMPAIGN_FILE, CheckFailed, Kiosk, Ledgerd, Run, expect, free_port, ledgerctl,
                     remove_folder, start_browser)

# ---------------------------------------------------------------------------------------------
# The people (made up) and the numbers, worked out by hand
#
# Signatures recorded, by where:
#   laptop A, kiosk, English:   ALICE (with a comment), BOB, DUPLICATE          3
#   laptop B, kiosk, Norwegian: KARI (after field errors), DUPLICATE again,
#                               NILS (with a comment), LATE (after the close)   4
#   laptop C, paper list 7:     4 rows (one bad at first, recorded when fixed)  4
#                                                                       total  11
# Their states at the end, on every node:
#   withdrawn  1  ALICE, who withdraws at laptop B with her receipt code
#   duplicate  1  DUPLICATE's second signature (at B, after the first at A)
#   late       1  LATE, signed at B after HQ closed the campaign
#   counted    8  = 11 - 1 - 1 - 1: BOB, DUPLICATE (first), KARI, NILS, 4 paper rows
#   unique    10  = 11 signatures - 1 repeated signer (withdrawn and late ones count here)
# Counted by channel: kiosk 4 (BOB, DUPLICATE, KARI, NILS), paper 4.
# Counted by device: A 2 (BOB, DUPLICATE), B 2 (KARI, NILS), C 4 (paper).
# The kiosk's count (counted + duplicates: it never tells who signed before) is 8 + 1 = 9.
# The delivery list has 8 rows, one per counted signature.

ALICE = {"name": "Alice Example", "email": "alice@example.org", "postcode": "0150", "country": "NO",
         "display_name": "Alice", "comment": "Free them now!"}
BOB = {"name": "Bob Example", "email": "bob@example.org", "postcode": "0151", "country": "NO"}
DUPLICATE = {"name": "Dana Twice", "email": "dana.twice@example.org", "postcode": "5003", "country": "NO"}
KARI_TYPED = {"name": "Kari Eksempel", "email": "kari@eksempel", "postcode": "01#50", "country": "NO",
              "display_name": "Kari", "comment": "Journalistikk er ikke kriminelt.", "consent": True}
KARI_FIXED = {"email": "kari@example.org", "postcode": "0152"}
NILS = {"name": "Nils Eksempel", "email": "nils@example.org", "postcode": "7010", "country": "NO",
        "display_name": "Nils", "comment": "Slipp dem fri!"}
LATE = {"name": "Liv Sent", "email": "liv.late@example.org", "postcode": "9008", "country": "NO"}

PAPER_LIST = 7
PAPER_HEADER = "name,email,postcode,country,consent\n"
PAPER_ROWS = [  # row 3 (line 4 of the file) has an e-mail address with nothing after the @
    "Per Papir,per.papir@example.org,5004,NO,ja\n",
    "Pia Papir,pia.papir@example.org,5005,NO,nei\n",
    "Ola Papir,ola.papir@,5006,NO,yes\n",
    "Siri Papir,,5007,NO,no\n",
]
PAPER_FIXED_ROW = "Ola Papir,ola.papir@example.org,5006,NO,yes\n"

DEVICES = {"A": "Stall laptop A", "B": "Stall laptop B", "C": "Back office laptop C"}

FINAL = {"state": "closed", "counted": 8, "unique": 10, "withdrawn": 1, "duplicates": 1, "late": 1, "unauthorised": 0,
         "unchecked": 0,
         "byChannel": {"kiosk": 4, "paper": 4}}
FINAL_BY_DEVICE = {DEVICES["A"]: 2, DEVICES["B"]: 2, DEVICES["C"]: 4}
FINAL_KIOSK_COUNT = "9"
# What the delivery list holds: the e-mail addresses of the 8 counted signatures ("" for a paper
# row without one), compared as sorted lists, never printed.
DELIVERED_EMAILS = sorted([BOB["email"], DUPLICATE["email"], KARI_FIXED["email"], NILS["email"],
                           "per.papir@example.org", "pia.papir@example.org", "ola.papir@example.org", ""])

# Checked on the way:
# at A after its three signatures: count 3 (nothing else is on A yet)
# at B after its three signatures: count 3 (B has not seen A's, so DUPLICATE is counted at B)
# at C after the paper list: unchecked 4, counted 0 (a laptop holds no pseudonym key: only HQ can
#   check for duplicates, so offline its signatures are "recorded, not yet checked")
# at A after B synced with A: count 6 = A's 3 + B's 3, one of them a duplicate now (shown all the same)
# at B after ALICE withdrew there: count 5 = 6 - 1
# at HQ after C's bundle (C synced with A, which had B's signatures, but not ALICE's withdrawal,
#   which B wrote after that sync): counted 9 = 10 recorded - 1 duplicate; withdrawn 0; late 0;
#   by channel kiosk 5 (ALICE, BOB, DUPLICATE, KARI, NILS), paper 4


# ---------------------------------------------------------------------------------------------
# The nodes


class State:
    def __init__(self, work):
        self.work = work
        self.folders = {name: work / name for name in ("HQ", "A", "B", "C")}
        self.daemons = {}
        self.hq_port = None
        self.kiosks = {}  # laptop -> Kiosk
        self.receipts = {}

    def browsers(self):
        return sorted(self.kiosks.items())

    def stop(self):
        for kiosk in self.kiosks.values():
            try:
                kiosk.driver.quit()
            except Exception:
                pass
        for daemon in self.daemons.values():
            daemon.stop()
        remove_folder(self.work)

    def ctl(self, node, *args, expect_status=0, timeout=60):
        """ledgerctl on a node's folder; fails unless it exits `expect_status`. Returns stdout."""
        status, out, err = ledgerctl("--data", str(self.folders[node]), *args, timeout=timeout)
        if expect_status is not None and status != expect_status:
            first = (err.strip() or out.strip()).splitlines()[:3]
            raise CheckFailed(f"ledgerctl {args[0]} at {node} exited {status}, expected {expect_status}: " + " / ".join(first))
        return out if expect_status == 0 else (status, out, err)

    def stats(self, node):
        found = json.loads(self.ctl(node, "stats", "--campaign", CAMPAIGN, "--json"))
        expect(len(found) == 1, f"stats at {node} lists {len(found)} campaigns")
        return found[0]

    def status(self, node):
        return json.loads(self.ctl(node, "status", "--json"))

    def start(self, node, *extra, port=0):
        daemon = Ledgerd(self.folders[node], *extra, port=port)
        self.daemons[node] = daemon
        daemon.wait_ready()
        return daemon

    def stop_daemon(self, node):
        self.daemons.pop(node).stop()

    def url(self, node):
        return self.daemons[node].url


def expect_counts(stats, expected, where):
    for key, value in expected.items():
        expect(stats.get(key) == value, f"at {where}: {key} is {stats.get(key)!r}, expected {value!r}")


def by_device(stats):
    return {device.get("name"): device["counted"] for device in stats["devices"]}


def sign_at(kiosk, signer, language):
    """A signer at a stall: the kiosk's front page, the form filled in, Sign; returns the receipt."""
    kiosk.open("/")
    expect(kiosk.path().startswith(f"/c/{CAMPAIGN}?lang={language}"), f"the kiosk's front page is {kiosk.path()}")
    kiosk.fill(signer)
    kiosk.submit_with("#sign button[type=submit]")
    code = kiosk.receipt("after Sign")
    heading = {"en": "Thank you for signing!", "nb": "Takk for at du skrev under!"}[language]
    expect(kiosk.heading() == heading, f"the thank-you page's heading is {kiosk.heading()!r}")
    return code


def kiosk_count(kiosk):
    kiosk.open(f"/c/{CAMPAIGN}")
    return kiosk.count()


def withdraw_at(kiosk, code):
    kiosk.open("/withdraw")
    kiosk.find("#receipt").send_keys(code)
    kiosk.submit_with("#withdraw button[type=submit]")


# ---------------------------------------------------------------------------------------------
# Morning


def check_hq(state):
    """HQ: a new ledger, the campaign published, ledgerd on a free loopback port."""
    state.ctl("HQ", "init", "--hq", "--name", "Amnesty Norge")
    state.ctl("HQ", "campaign", "publish", str(CAMPAIGN_FILE))
    # Paper lists 1-7, printed before the laptops join (so each laptop holds their issue entries).
    printed = state.ctl("HQ", "paper", "print", "--campaign", CAMPAIGN, "--lists", str(PAPER_LIST), "--out", str(state.work / "lists.html"))
    expect(printed.startswith(f"Issued lists 1-{PAPER_LIST} of {CAMPAIGN}"), f"paper print: {printed.strip()!r}")
    issued = json.loads(state.ctl("HQ", "paper", "lists", "--campaign", CAMPAIGN, "--json"))
    state.paper_check = next(item["check"] for item in issued if item["list"] == PAPER_LIST)
    for attempt in range(3):  # another process may take the free port first
        state.hq_port = free_port()
        try:
            state.start("HQ", port=state.hq_port)
            break
        except CheckFailed:
            state.daemons.pop("HQ").stop()
            if attempt == 2:
                raise
    return f"HQ serves {state.url('HQ')}"


def check_joins(state):
    """A joins, then B, then C (C with a token file): each enrolled by HQ; A knows neither B nor C."""
    for laptop in ("A", "B", "C"):
        invite = ["device", "invite", "--name", DEVICES[laptop], "--url", state.url("HQ")]
        if laptop == "C":
            token = state.work / "stick" / "laptop-c.token"
            token.parent.mkdir()
            state.ctl("HQ", *invite, "--out", str(token))
            state.ctl(laptop, "init", "--join", str(token))
        else:
            state.ctl(laptop, "init", "--join", state.ctl("HQ", *invite).strip())
    hq_key = state.status("HQ")["node"]
    heads = {}
    for laptop in ("A", "B", "C"):
        status = state.status(laptop)
        expect(status["role"] == "field", f"laptop {laptop} is a {status['role']!r} node")
        heads[laptop] = next(h["sequence"] for h in status["heads"] if h["author"] == hq_key)
    expect(heads["A"] < heads["B"] < heads["C"], f"HQ's log as each laptop got it: {heads}; expected A < B < C")
    return f"A, B and C joined in that order; each holds HQ's log up to its own enrolment: {heads}"


# ---------------------------------------------------------------------------------------------
# The event


def check_event_starts(state):
    """HQ is out of reach; A and B serve the kiosk, C serves sync; browsers in English (A) and Norwegian (B)."""
    state.stop_daemon("HQ")
    for laptop, extra in (("A", ["--kiosk", CAMPAIGN]), ("B", ["--kiosk", CAMPAIGN]), ("C", [])):
        daemon = state.start(laptop, *extra)
        daemon.wait_for_log(r"Startup sync done: 0 of 1 peer")
    for laptop, language in (("A", "en"), ("B", "nb")):
        state.kiosks[laptop] = Kiosk(start_browser(state.work / f"browser-{laptop}", language), state.daemons[laptop].port)
    return "each laptop tried HQ, failed, and may write; Chromium at stalls A (en) and B (nb)"


def check_stall_a(state):
    """Stall A in English: a signature with a comment, two more; the count and the comment show."""
    k = state.kiosks["A"]
    state.receipts["ALICE"] = sign_at(k, ALICE, "en")
    sign_at(k, BOB, "en")
    sign_at(k, DUPLICATE, "en")
    expect(kiosk_count(k) == "3", f"A's kiosk shows {k.count()}, expected 3")
    comments = [li.text for li in k.find_all(".comments li .who")]
    expect(comments == [ALICE["display_name"]], f"A's comments are by {len(comments)} people, expected ALICE's")
    return "3 signatures at A (one with a comment); the kiosk shows 3 and the comment"


def check_stall_b(state):
    """Stall B in Norwegian: field errors keep what was typed, then corrected; a repeat signer; a comment."""
    k = state.kiosks["B"]
    k.open("/")
    expect(k.find("html").get_attribute("lang") == "nb", "B's kiosk is not in Norwegian for a Norwegian browser")
    k.fill(KARI_TYPED)
    k.submit_with("#sign button[type=submit]")
    links = [a.get_attribute("href").split("#")[-1] for a in k.find_all("#errors a")]
    expect(links == ["email", "postcode"], f"the error summary links {links}, expected e-mail and postcode")
    expect(k.find("#email-error").text == "Skriv inn en gyldig e-postadresse, som navn@eksempel.no.",
           "the e-mail error is not the Norwegian one")
    expect(k.find_all("#postcode-error"), "no error by the postcode")
    kept = [field for field in ("name", "email", "postcode", "country", "display_name", "comment")
            if k.value(field) != KARI_TYPED[field]]
    expect(not kept, f"after the field errors these fields lost what was typed: {kept}")
    expect(k.find("#consent").is_selected(), "after the field errors the consent box is no longer ticked")
    for field, value in KARI_FIXED.items():
        k.find("#" + field).clear()
        k.find("#" + field).send_keys(value)
    k.submit_with("#sign button[type=submit]")
    k.receipt("after correcting the fields")
    expect(k.heading() == "Takk for at du skrev under!", f"after correcting, the page says {k.heading()!r}")
    sign_at(k, DUPLICATE, "nb")
    sign_at(k, NILS, "nb")
    expect(kiosk_count(k) == "3", f"B's kiosk shows {k.count()}, expected 3")
    comments = sorted(li.text for li in k.find_all(".comments li .who"))
    expect(comments == sorted([KARI_TYPED["display_name"], NILS["display_name"]]), f"B shows {len(comments)} comments, expected 2")
    return "3 signatures at B: field errors in Norwegian kept every field, then corrected; a repeat signer; two comments"


def check_withdraw_not_yet(state):
    """At B, a receipt code from A is not known yet: the page says so and keeps the code."""
    k = state.kiosks["B"]
    withdraw_at(k, state.receipts["ALICE"])
    error = k.find_all("#receipt-error")
    expect(error and error[0].text.startswith("Denne PC-en har ikke fått den underskriften ennå"),
           f"withdrawing A's signature at B says {k.heading()!r}, not that B has not received it yet")
    expect(k.value("receipt") == state.receipts["ALICE"], "the withdrawal form lost the code that was typed")
    expect(kiosk_count(k) == "3", f"B's kiosk shows {k.count()} after the refused withdrawal, expected 3")
    return "B does not hold ALICE's signature yet and says so (in Norwegian), keeping the code"


def paper_file(name, rows):
    path = name
    path.write_text(PAPER_HEADER + "".join(rows), encoding="utf-8")
    return str(path)


def check_paper(state):
    """Paper list 7 at C: a bad row refuses the whole file; --skip-invalid records the rest; the fixed row alone later."""
    first = paper_file(state.work / "list-7.csv", PAPER_ROWS)
    status, out, err = state.ctl("C", "import-paper", first, "--campaign", CAMPAIGN, "--list", str(PAPER_LIST), "--check", state.paper_check, expect_status=3)
    expect("line 4: email" in err, "the refusal does not name line 4's e-mail")
    expect(not any(value in err + out for value in ("Ola", "ola.papir", "5006")), "the refusal prints a signer's data")
    refused = state.stats("C")
    expect(refused["counted"] == 0 and refused["unchecked"] == 0, "the refused list recorded something")
    out = state.ctl("C", "import-paper", first, "--campaign", CAMPAIGN, "--list", str(PAPER_LIST), "--check", state.paper_check, "--skip-invalid")
    expect(out.startswith("Recorded 3 signatures from list 7 (0 already recorded)"), f"with --skip-invalid: {out.splitlines()[0]!r}")
    expect("skipped line 4: email" in out, "--skip-invalid does not list line 4 as skipped")
    expect(f"not back yet: 1-{PAPER_LIST - 1}." in out, f"import-paper does not list the lists not back yet: {out!r}")
    fixed = paper_file(state.work / "list-7-fixed.csv", PAPER_ROWS[:2] + [PAPER_FIXED_ROW] + PAPER_ROWS[3:])
    out = state.ctl("C", "import-paper", fixed, "--campaign", CAMPAIGN, "--list", str(PAPER_LIST), "--check", state.paper_check)
    expect(out.startswith("Recorded 1 signature from list 7 (3 already recorded)"), f"the fixed list: {out.splitlines()[0]!r}")
    stats = state.stats("C")
    expect_counts(stats, {"counted": 0, "unchecked": 4}, "C")
    return "refused whole (exit 3, line 4 named), then 3 recorded with --skip-invalid, then the fixed row: 4 on paper, unchecked until HQ"


def check_sync_later_joiner(state):
    """B, which joined after A, syncs with A: A has never seen B's enrolment, and accepts HQ's."""
    out = state.ctl("B", "sync", state.url("A"))
    expect(out.startswith(state.url("A") + ": pulled"), f"B's sync with A: {out.strip()!r}")
    count = kiosk_count(state.kiosks["A"])
    expect(count == "6", f"A's kiosk shows {count} after B's sync, expected 6 (3 + 3, one a duplicate)")
    return f"B → A: {out.strip().split(': ', 1)[1]}; A's kiosk shows 6"


def check_withdraw_elsewhere(state):
    """ALICE withdraws at B, which now holds her signature from A."""
    k = state.kiosks["B"]
    withdraw_at(k, state.receipts.pop("ALICE"))
    expect(k.heading() == "Underskriften din er trukket tilbake", f"withdrawing at B says {k.heading()!r}")
    count = kiosk_count(k)
    expect(count == "5", f"B's kiosk shows {count} after the withdrawal, expected 5")
    comments = sorted(li.text for li in k.find_all(".comments li .who"))
    expect(comments == sorted([KARI_TYPED["display_name"], NILS["display_name"]]),
           f"B shows {len(comments)} comments, expected KARI's and NILS's (ALICE's went with her signature)")
    return "withdrawn at B with the receipt from A; B's kiosk shows 5; her comment is gone"


def check_sync_earlier_joiner(state):
    """A, which joined before C, syncs with C."""
    out = state.ctl("A", "sync", state.url("C"))
    expect(out.startswith(state.url("C") + ": pulled"), f"A's sync with C: {out.strip()!r}")
    return f"A → C: {out.strip().split(': ', 1)[1]}"


def check_usb_bundle(state):
    """C exports a bundle to a USB stick; HQ imports it (HQ's ledgerd is still down)."""
    bundle = state.work / "stick" / "laptop-c.bundle"
    state.ctl("C", "export", "--out", str(bundle))
    state.ctl("HQ", "import", str(bundle))
    stats = state.stats("HQ")
    expect_counts(stats, {"counted": 9, "duplicates": 1, "withdrawn": 0, "late": 0, "byChannel": {"kiosk": 5, "paper": 4}}, "HQ")
    return "HQ imported C's bundle: counted 9, duplicates 1, withdrawn 0 (ALICE's withdrawal is only at B so far)"


def check_close(state):
    """HQ closes the campaign."""
    state.ctl("HQ", "campaign", "close", CAMPAIGN, "--reason", "The action is over")
    expect(state.stats("HQ")["state"] == "closed", "the campaign is not closed at HQ")
    return "closed at HQ"


def check_late_signature(state):
    """B has not heard of the close: one more signature is recorded there (to become late)."""
    k = state.kiosks["B"]
    sign_at(k, LATE, "nb")
    told = k.find("main").text
    expect("Underskriften din er registrert" in told and "telt" not in told, "the thank-you page does not say just 'recorded'")
    expect(state.stats("B")["state"] == "open", "B has heard of the close already")
    return "B recorded a signature after the close; the signer was told it is recorded (not that it counts)"


# ---------------------------------------------------------------------------------------------
# The next day


def check_final_sync(state):
    """HQ is back on its address; every laptop syncs with HQ, twice over."""
    state.start("HQ", port=state.hq_port)
    reports = []
    for round_number in (1, 2):
        for laptop in ("A", "B", "C"):
            out = state.ctl(laptop, "sync")
            expect(out.startswith(state.url("HQ") + ": pulled"), f"{laptop}'s sync with HQ: {out.strip()!r}")
            reports.append(f"{laptop}{round_number}: {out.split(': ', 1)[1].split(';')[0]}")
    return "; ".join(reports)


def check_counts(state):
    """Every node's counts are the hand-worked numbers."""
    seen = {}
    for node in ("HQ", "A", "B", "C"):
        stats = state.stats(node)
        expect_counts(stats, FINAL, node)
        expect(by_device(stats) == FINAL_BY_DEVICE, f"at {node}: counted by device {by_device(stats)}, expected {FINAL_BY_DEVICE}")
        seen[node] = stats
    different = [node for node in ("A", "B", "C") if seen[node] != seen["HQ"]]
    expect(not different, f"stats --json differs from HQ's at {different}")
    return ("at HQ, A, B and C: counted 8, unique 10, withdrawn 1, duplicates 1, late 1; "
            "kiosk 4, paper 4; A 2, B 2, C 4")


def check_digests(state):
    """Every node ends with the same read-model digest and the same entries."""
    statuses = {node: state.status(node) for node in ("HQ", "A", "B", "C")}
    digests = {node: status["readModelDigest"] for node, status in statuses.items()}
    expect(len(set(digests.values())) == 1, "read-model digests differ: " + ", ".join(f"{n} {d[:12]}" for n, d in digests.items()))
    entries = {node: status["entries"] for node, status in statuses.items()}
    expect(len(set(entries.values())) == 1, f"entry counts differ: {entries}")
    state.ctl("HQ", "verify", "--full")
    return f"read models {digests['HQ'][:12]} on all four, {entries['HQ']} entries each; verify --full at HQ exits 0"


def check_delivery(state):
    """HQ delivers: the CSV has one row per counted signature, read with Python's csv module."""
    out_file = state.work / "delivery.csv"
    state.ctl("HQ", "deliver", "--campaign", CAMPAIGN, "--out", str(out_file))
    with open(out_file, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expect(len(rows) == FINAL["counted"], f"the delivery list has {len(rows)} rows, expected {FINAL['counted']}")
    expect(sorted(row["email"] for row in rows) == DELIVERED_EMAILS,
           "the delivery list's e-mail addresses are not those of the 8 counted signatures")
    channels = {}
    for row in rows:
        channels[row["channel"]] = channels.get(row["channel"], 0) + 1
    expect(channels == FINAL["byChannel"], f"the delivery list's channels: {channels}")
    paper = sorted((row["paper_list"], row["paper_row"]) for row in rows if row["channel"] == "paper")
    expect(paper == [("7", "1"), ("7", "2"), ("7", "3"), ("7", "4")], f"paper rows delivered: {paper}")
    metadata = json.loads((state.work / "delivery.csv.meta.json").read_text(encoding="utf-8"))
    expect(json.dumps(metadata).count(state.status("HQ")["readModelDigest"]) >= 1, "the metadata does not name HQ's digest")
    return "8 rows (kiosk 4, paper 4 with list 7 rows 1-4); the withdrawn, the duplicate and the late one are not in it"


def check_kiosk_after(state):
    """After the sync, stall B's kiosk says the campaign is closed, shows 9, and the comments of those who did not withdraw."""
    k = state.kiosks["B"]
    k.open(f"/c/{CAMPAIGN}")
    expect(not k.find_all("#sign form"), "B's kiosk still shows a signing form after the close")
    expect(k.find("#sign h2").text == "Denne aksjonen er avsluttet", f"B's kiosk says {k.find('#sign h2').text!r}")
    expect(k.count() == FINAL_KIOSK_COUNT, f"B's kiosk shows {k.count()}, expected {FINAL_KIOSK_COUNT}")
    comments = sorted(li.text for li in k.find_all(".comments li .who"))
    expect(comments == sorted([KARI_TYPED["display_name"], NILS["display_name"]]),
           f"B shows {len(comments)} comments, expected KARI's and NILS's")
    return f"B's kiosk: closed, count {FINAL_KIOSK_COUNT} (8 counted + 1 duplicate), KARI's and NILS's comments"


CHECKS = [check_hq, check_joins, check_event_starts, check_stall_a, check_stall_b, check_withdraw_not_yet, check_paper,
          check_sync_later_joiner, check_withdraw_elsewhere, check_sync_earlier_joiner, check_usb_bundle, check_close,
          check_late_signature, check_final_sync, check_counts, check_digests, check_delivery, check_kiosk_after]


def main():
    state = State(Path(tempfile.mkdtemp(prefix="ledger-field-day-")))
    return Run("field-day", CHECKS).run(state)


if __name__ == "__main__":
    sys.exit(main())
