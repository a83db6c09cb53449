"""Tests for tools/verify_bundle.py.

Two kinds of bundle:
- synthetic bundles built here from FORMAT.md with the fixed test keys (section 10),
  so every fault kind can be produced on purpose;
- real bundles made with ledgerctl (skipped with a message if the binary is absent;
  set LEDGERCTL to point at it, default .build/debug/ledgerctl), intact and tampered.

Run: python3 -m pytest tools/test_verify_bundle.py -q
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import verify_bundle as vb  # noqa: E402

SCRIPT = HERE / "verify_bundle.py"
LEDGERCTL = Path(os.environ.get("LEDGERCTL", ROOT / ".build" / "debug" / "ledgerctl"))

HQ_SEED = bytes([1]) * 32
FIELD_SEED = bytes([2]) * 32


# ------------------------------------------------------------------------------
# Building entries and bundles from the spec

def key(seed: bytes) -> tuple[Ed25519PrivateKey, bytes]:
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    return sk, sk.public_key().public_bytes_raw()


def canon(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def make_entry(seed: bytes, ledger: bytes, seq: int, prev: bytes, wall: int, typ: str,
               body, counter: int = 0, digest: bytes | None = None,
               flag: int | None = None, version: int = 1) -> bytes:
    sk, pk = key(seed)
    body_b = body if isinstance(body, bytes) else canon(body)
    t = typ.encode()
    if flag is None:
        flag = 1 if digest is not None else 0
    signed = (bytes([version]) + ledger + pk + struct.pack(">Q", seq) + prev
              + struct.pack(">QI", wall, counter) + bytes([len(t)]) + t
              + struct.pack(">I", len(body_b)) + body_b + bytes([flag])
              + (digest if flag == 1 and digest is not None else b""))
    return signed + sk.sign(b"ledger.entry.v1\x00" + signed)


def eid(raw: bytes) -> bytes:
    return hashlib.sha256(raw).digest()


def bundle_bytes(ledger: bytes, entries: list[bytes], forks=(), payloads=(),
                 fix_checksum: bool = True) -> bytes:
    lines = [('{"bundle":"ledger-bundle","version":1,"ledger":"%s","entries":%d,'
              '"forks":%d,"payloads":%d}' % (ledger.hex(), len(entries), len(forks),
                                             len(payloads))).encode()]
    lines += [b'{"entry":"%s"}' % base64.b64encode(e) for e in entries]
    lines += [b'{"fork":"%s"}' % base64.b64encode(e) for e in forks]
    lines += [b'{"payload":"%s"}' % base64.b64encode(p)
              for p in sorted(payloads, key=lambda p: hashlib.sha256(p).digest())]
    data = b"".join(line + b"\n" for line in lines)
    return data + b'{"end":"%s"}\n' % hashlib.sha256(data).hexdigest().encode()


def rechecksum(data: bytes) -> bytes:
    """Replace the end line's checksum with the right one for the preceding bytes."""
    body = data[:data.rstrip(b"\n").rfind(b"\n") + 1]
    return body + b'{"end":"%s"}\n' % hashlib.sha256(body).hexdigest().encode()


class Ledger:
    """A synthetic ledger written by the fixed HQ key (and optionally others)."""

    def __init__(self, name="Test"):
        _, self.hq = key(HQ_SEED)
        self.wall = 1_700_000_000_000
        self.logs: dict[bytes, list[bytes]] = {}
        self.payloads: list[bytes] = []
        g = make_entry(HQ_SEED, bytes(32), 1, bytes(32), self.tick(), "ledger.created",
                       {"name": name, "hqKey": self.hq.hex(), "sealingKey": "ab" * 32})
        self.id = eid(g)
        self.logs[self.hq] = [g]

    def tick(self) -> int:
        self.wall += 10
        return self.wall

    def add(self, typ, body, seed=HQ_SEED, payload: bytes | None = None, **kw) -> bytes:
        _, pk = key(seed)
        log = self.logs.setdefault(pk, [])
        seq = kw.pop("seq", len(log) + 1)
        prev = kw.pop("prev", eid(log[-1]) if log else bytes(32))
        wall = kw.pop("wall", self.tick())
        ledger = kw.pop("ledger", self.id)
        digest = kw.pop("digest", None)
        if payload is not None:
            self.payloads.append(payload)
            digest = hashlib.sha256(payload).digest()
        raw = make_entry(seed, ledger, seq, prev, wall, typ, body, digest=digest, **kw)
        log.append(raw)
        return raw

    def standard(self):
        pub = self.add("campaign.published", {
            "campaign": "c1", "languages": ["en"],
            "texts": {"en": {"title": "T", "summary": "S", "body": "B", "demands": ["D"]}}})
        code = "0123456789ABCDEF"
        sig = self.add("signature.recorded", {
            "campaign": "c1", "campaignVersion": eid(pub).hex(), "channel": "manual",
            "consentContact": False, "signer": "11" * 32,
            "receiptHash": vb.receipt_hash(self.id, code).hex()},
            payload=b"\x01" + bytes(32) + b"ciphertext-and-tag")
        self.add("comment.posted", {"campaign": "c1", "displayName": "Zoë",
                                    "text": 'a/b "q" \\ \t\x01 é'})
        self.add("signature.withdrawn", {"signature": eid(sig).hex(), "receipt": code})
        self.add("campaign.closed", {"campaign": "c1"})
        return self

    def entries(self) -> list[bytes]:
        ordered = [self.hq] + sorted(a for a in self.logs if a != self.hq)
        return [e for a in ordered for e in self.logs[a]]

    def bundle(self, forks=(), payloads=None) -> bytes:
        return bundle_bytes(self.id, self.entries(), forks,
                            self.payloads if payloads is None else payloads)


def run(tmp_path: Path, data: bytes, *args: str):
    p = tmp_path / "b.jsonl"
    p.write_bytes(data)
    r = subprocess.run([sys.executable, str(SCRIPT), str(p), "--json", *args],
                       capture_output=True, text=True, timeout=60)
    report = json.loads(r.stdout) if r.stdout.strip() else None
    return r.returncode, report, r.stderr


def kinds(report) -> set[str]:
    return {f["kind"] for f in report["faults"]}


# ------------------------------------------------------------------------------
# Synthetic bundles: one test per fault kind

def test_synthetic_intact(tmp_path):
    led = Ledger().standard()
    rc, rep, err = run(tmp_path, led.bundle())
    assert rc == 0, rep["faults"]
    assert rep["ledger"] == led.id.hex()
    assert rep["logs"][0]["lastSequence"] == 6
    assert rep["logs"][0]["head"] == eid(led.entries()[-1]).hex()
    assert rep["types"]["signature.recorded"] == 1
    (c1,) = rep["campaigns"]
    assert (c1["campaign"], c1["state"], c1["counted"], c1["withdrawn"], c1["unique"]) == \
        ("c1", "closed", 0, 1, 1)
    assert c1["comments"] == {"visible": 1, "hidden": 0}
    assert rep["warnings"] == []


def test_signature_malleability_rejected(tmp_path):
    """RFC 8032 requires S < L. S + L is another encoding of the same signature: a
    verifier accepting it would let anyone mint a second valid entry (a fake fork)."""
    order = 2 ** 252 + 27742317777372353535851937790883648493
    led = Ledger().standard()
    raw = bytearray(led.logs[led.hq][-1])
    s_value = int.from_bytes(raw[-32:], "little") + order
    raw[-32:] = s_value.to_bytes(32, "little")
    led.logs[led.hq][-1] = bytes(raw)
    rep = entry_fault(tmp_path, led)
    assert [(f["kind"], f["sequence"]) for f in rep["faults"]] == [("bad-signature", 6)]


def test_text_report_and_exit_codes(tmp_path):
    led = Ledger().standard()
    p = tmp_path / "b.jsonl"
    p.write_bytes(led.bundle())
    r = subprocess.run([sys.executable, str(SCRIPT), str(p)], capture_output=True, text=True)
    assert r.returncode == 0 and "RESULT: INTACT" in r.stdout
    assert led.id.hex() in r.stdout
    assert "ciphertext" not in r.stdout
    r = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert r.returncode == 2
    r = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "nope")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "refused" in r.stderr


def entry_fault(tmp_path, led: Ledger, **bundle_kw):
    rc, rep, err = run(tmp_path, led.bundle(**bundle_kw))
    assert rc == 1, err
    return rep


def test_malformed(tmp_path):
    led = Ledger().standard()
    led.logs[led.hq][2] = led.logs[led.hq][2] + b"\x00"   # a byte after the signature
    rep = entry_fault(tmp_path, led)
    assert "malformed" in kinds(rep)
    f = [f for f in rep["faults"] if f["kind"] == "malformed"][0]
    assert f["author"] == led.hq.hex() and f["sequence"] == 3


@pytest.mark.parametrize("mutate,reason", [
    (lambda r: b"\x02" + r[1:], "version"),
    (lambda r: r[:65] + bytes(8) + r[73:], "sequence is 0"),
    (lambda r: r[:-1], "past the end"),
])
def test_malformed_variants(mutate, reason):
    led = Ledger().standard()
    with pytest.raises(vb.Malformed, match=reason):
        vb.parse_entry(mutate(led.logs[led.hq][1]))


def test_parse_rules():
    led = Ledger()
    raw = make_entry(HQ_SEED, led.id, 2, eid(led.logs[led.hq][0]), 5, "Campaign.closed",
                     {"campaign": "c1"})
    with pytest.raises(vb.Malformed, match="character"):
        vb.parse_entry(raw)
    raw = make_entry(HQ_SEED, led.id, 2, bytes(32), 5, "x" * 65, {"campaign": "c1"})
    with pytest.raises(vb.Malformed, match="type length"):
        vb.parse_entry(raw)
    raw = make_entry(HQ_SEED, led.id, 2, bytes(32), 5, "x", {}, flag=2)
    with pytest.raises(vb.Malformed, match="payload flag"):
        vb.parse_entry(raw)
    # the smallest entry of section 2: 188 bytes
    raw = make_entry(HQ_SEED, led.id, 2, bytes(32), 5, "x", b"")
    assert len(raw) == 188 and vb.parse_entry(raw).type == "x"


def test_bad_signature_and_broken_link(tmp_path):
    led = Ledger().standard()
    raw = bytearray(led.logs[led.hq][2])
    raw[-1] ^= 0x01                      # the signature's last byte
    led.logs[led.hq][2] = bytes(raw)
    rep = entry_fault(tmp_path, led)
    by = {(f["kind"], f["sequence"]) for f in rep["faults"]}
    assert ("bad-signature", 3) in by
    assert ("broken-link", 4) in by      # sequence 4's previous no longer matches


def test_wrong_ledger(tmp_path):
    led = Ledger()
    led.add("campaign.closed", {"campaign": "c1"}, ledger=b"\x07" * 32)
    rep = entry_fault(tmp_path, led)
    assert [f["kind"] for f in rep["faults"]] == ["wrong-ledger"]


def test_sequence_gap(tmp_path):
    led = Ledger().standard()
    del led.logs[led.hq][3]
    rep = entry_fault(tmp_path, led)
    assert [(f["kind"], f["sequence"]) for f in rep["faults"]] == [("sequence-gap", 5)]


def test_broken_link_at_sequence_1_and_clock_regression(tmp_path):
    led = Ledger()
    led.add("campaign.closed", {"campaign": "c1"}, wall=led.wall)   # equal timestamp
    rep = entry_fault(tmp_path, led)
    assert kinds(rep) == {"clock-regression"}


def test_bad_genesis(tmp_path):
    led = Ledger()
    led.add("ledger.created", {"name": "x", "hqKey": led.hq.hex(), "sealingKey": "ab" * 32})
    rep = entry_fault(tmp_path, led)
    assert kinds(rep) == {"bad-genesis"}
    # genesis whose hqKey is not its author
    g = make_entry(HQ_SEED, bytes(32), 1, bytes(32), 1, "ledger.created",
                   {"name": "x", "hqKey": "cd" * 32, "sealingKey": "ab" * 32})
    rc, rep, _ = run(tmp_path, bundle_bytes(eid(g), [g]))
    assert rc == 1 and kinds(rep) == {"bad-genesis"}


def test_header_ledger_differs_from_genesis(tmp_path):
    led = Ledger()
    rc, rep, _ = run(tmp_path, bundle_bytes(b"\x09" * 32, led.entries()))
    assert rc == 1 and "id-mismatch" in kinds(rep)


def test_unknown_type(tmp_path):
    led = Ledger()
    led.add("signature.rescinded", {"campaign": "c1"})
    assert kinds(entry_fault(tmp_path, led)) == {"unknown-type"}


@pytest.mark.parametrize("body", [
    b'{"campaign": "c1"}',                           # whitespace
    b'{"reason":"r","campaign":"c1"}',               # unsorted keys
    b'{"campaign":"c1","reason":"a\\/b"}',           # escaped slash
    b'{"campaign":"c1","reason":"\\u00e9"}',         # escaped non-ASCII
    b'{"campaign":"c1","reason":"\\u001F"}',         # upper-case hex escape
    b'{"campaign":"c1","campaign":"c1"}',            # duplicate key
    b'{"campaign":"c1","reason":null}',              # null
    b'{"campaign":"-c1"}',                           # campaign id starting with -
    b'{"campaign":"C1"}',                            # not a campaign id
    b'{}',                                           # missing field
    b'{"campaign":"c1","reason":1.5}',               # fraction
    b'{"campaign":"c1","reason":"\xff"}',            # invalid UTF-8
    b'["c1"]',                                       # not an object
    b'',                                             # empty
])
def test_invalid_body(tmp_path, body):
    led = Ledger()
    led.add("campaign.closed", body)
    assert kinds(entry_fault(tmp_path, led)) == {"invalid-body"}


def test_signature_body_fields(tmp_path):
    led = Ledger()
    led.add("signature.recorded", {
        "campaign": "c1", "campaignVersion": "AB" * 32, "channel": "street",
        "consentContact": 1, "signer": "11" * 32, "receiptHash": "22" * 32,
        "country": "no", "paperList": True}, payload=b"\x01p")
    rep = entry_fault(tmp_path, led)
    assert kinds(rep) == {"invalid-body"}
    assert len(rep["faults"]) == 5      # campaignVersion, channel, consent, country, paperList


def test_payload_flag_and_missing_payload(tmp_path):
    led = Ledger()
    led.add("campaign.closed", {"campaign": "c1"}, digest=b"\x05" * 32)
    assert kinds(entry_fault(tmp_path, led)) == {"payload-flag", "missing-payload"}
    led = Ledger().standard()
    assert kinds(entry_fault(tmp_path, led, payloads=[])) == {"missing-payload"}


def test_payload_mismatch(tmp_path):
    led = Ledger().standard()
    bad = [led.payloads[0][:-1] + b"X"]
    assert kinds(entry_fault(tmp_path, led, payloads=bad)) == {"missing-payload",
                                                                "payload-mismatch"}


def test_unknown_author_and_unauthorised(tmp_path):
    led = Ledger()
    led.add("comment.posted", {"campaign": "c1", "displayName": "d", "text": "t"},
            seed=FIELD_SEED)
    led.add("campaign.closed", {"campaign": "c1"}, seed=FIELD_SEED)
    rep = entry_fault(tmp_path, led)
    assert {(f["kind"], f["sequence"]) for f in rep["faults"]} == {
        ("unknown-author", 1), ("unknown-author", 2)}
    assert len(rep["logs"]) == 2 and rep["logs"][1]["role"] == "unknown"


def test_unknown_fields_are_ignored(tmp_path):
    """FORMAT.md 4: "a format 1 reader ignores unknown fields"; the report mentions them."""
    led = Ledger()
    led.add("campaign.closed", {"campaign": "c1", "extra": 1})
    rc, rep, _ = run(tmp_path, led.bundle())
    assert rc == 0 and rep["faults"] == []
    assert any("unknown campaign.closed field 'extra'" in w for w in rep["warnings"])


def test_enrolled_field_device_rights_and_revocation(tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
    field_key = Ed25519PrivateKey.from_private_bytes(FIELD_SEED).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    led = Ledger()
    led.add("device.enrolled", {"device": field_key.hex(), "name": "Laptop", "role": "field"})
    led.add("device.revoked", {"device": field_key.hex(), "afterSequence": 2})
    led.add("comment.posted", {"campaign": "c1", "displayName": "d", "text": "t"}, seed=FIELD_SEED)
    led.add("campaign.closed", {"campaign": "c1"}, seed=FIELD_SEED)
    led.add("comment.posted", {"campaign": "c1", "displayName": "d", "text": "late"}, seed=FIELD_SEED)
    rc, rep, _ = run(tmp_path, led.bundle())
    assert rc == 4 and rep["intact"] and rep["evidence"]     # kept as evidence, not damage
    assert {(f["kind"], f["sequence"]) for f in rep["faults"]} == {
        ("unauthorised", 2), ("unauthorised", 3)}
    assert rep["logs"][1]["role"] == "field" and rep["logs"][1]["name"] == "Laptop"
    assert rep["logs"][1]["revokedAfter"] == 2


def test_fork_lines(tmp_path):
    led = Ledger().standard()
    hq_log = led.logs[led.hq]
    alt = make_entry(HQ_SEED, led.id, 6, eid(hq_log[4]), led.wall + 1, "campaign.closed",
                     {"campaign": "c1", "reason": "other branch"})
    alt2 = make_entry(HQ_SEED, led.id, 7, eid(alt), led.wall + 2, "campaign.closed",
                      {"campaign": "c1"})
    rc, rep, _ = run(tmp_path, led.bundle(forks=[alt, alt2]))
    assert rc == 4
    # one fault per (author, sequence) with two or more entries, naming the smallest id
    assert [(f["kind"], f["sequence"], f["id"]) for f in rep["faults"]] == [
        ("fork", 6, min(eid(alt), eid(hq_log[5])).hex())]
    assert rep["logs"][0]["forkedAt"] == 6 and rep["logs"][0]["lastSequence"] == 6
    assert rep["logs"][0]["heldBack"] == 0          # HQ's root key is never held back


def test_fork_as_duplicate_entry_lines(tmp_path):
    led = Ledger().standard()
    hq_log = led.logs[led.hq]
    alt = make_entry(HQ_SEED, led.id, 6, eid(hq_log[4]), led.wall + 1, "campaign.closed",
                     {"campaign": "c1", "reason": "twin"})
    hq_log.append(alt)
    rc, rep, _ = run(tmp_path, led.bundle())
    assert rc == 4
    assert [(f["kind"], f["sequence"]) for f in rep["faults"]] == [("fork", 6)]


def test_receipt_mismatch_is_an_invalid_withdrawal(tmp_path):
    led = Ledger().standard()
    log = led.logs[led.hq]
    # rewrite sequence 5 (withdrawal) and 6 with another receipt
    sig_id = eid(log[2])
    del log[4:]
    led.add("signature.withdrawn", {"signature": sig_id.hex(), "receipt": "ZZZZZZZZZZZZZZZZ"})
    rc, rep, _ = run(tmp_path, led.bundle())
    assert rc == 0
    assert [f["finding"] for f in rep["findings"]] == ["invalid-withdrawal"]
    assert rep["campaigns"][0]["counted"] == 1 and rep["campaigns"][0]["withdrawn"] == 0


# ------------------------------------------------------------------------------
# Bundle-level refusals (exit 2)

def test_refusals(tmp_path):
    good = Ledger().standard().bundle()
    cases = {
        "truncated": good[:-10],
        "truncated at a line end": good[:good.rfind(b"\n", 0, len(good) - 1) + 1],
        "dropped line": b"".join(good.splitlines(keepends=True)[:2]
                                 + good.splitlines(keepends=True)[3:]),
        "checksum": good.replace(b'"entries":6', b'"entries":6 '),
        "flipped base64 char": good.replace(b'{"entry":"AQ', b'{"entry":"AR', 2),
        "empty": b"",
        "header": rechecksum(good.replace(b"ledger-bundle", b"ledger-bundlf")),
        "bad base64": rechecksum(good.replace(b'{"entry":"AQ', b'{"entry":"*Q', 1)),
    }
    for name, data in cases.items():
        rc, _, err = run(tmp_path, data)
        assert rc == 2, name
        assert err.strip().count("\n") == 0 and "refused" in err, (name, err)


# ------------------------------------------------------------------------------
# Real bundles from ledgerctl

def _ledgerctl(*args, cwd: Path, check=True) -> subprocess.CompletedProcess:
    r = subprocess.run([str(LEDGERCTL), *args], cwd=cwd, capture_output=True, text=True,
                       timeout=60)
    if check and r.returncode != 0:
        raise AssertionError(f"ledgerctl {' '.join(args)}: {r.returncode} {r.stderr}")
    return r


@pytest.fixture(scope="module")
def cli_bundle(tmp_path_factory) -> bytes:
    if not LEDGERCTL.exists():
        pytest.skip(f"ledgerctl not built at {LEDGERCTL} (run swift build --product ledgerctl)")
    d = tmp_path_factory.mktemp("cli")
    _ledgerctl("init", "--hq", "--name", "Test", "--data", "d", cwd=d)
    (d / "c.json").write_text(json.dumps({
        "id": "c1", "languages": ["en", "de"], "goal": 10,
        "texts": {"en": {"title": "T", "summary": "S", "body": "B", "demands": ["D"],
                         "letter": {"recipient": "R", "text": "L"}},
                  "de": {"title": "T", "summary": "S", "body": "B", "demands": ["D"]}}}))
    _ledgerctl("campaign", "publish", "c.json", "--data", "d", cwd=d)
    out = _ledgerctl("sign", "--campaign", "c1", "--name", "A B", "--email", "a@b.org",
                     "--json", "--data", "d", cwd=d).stdout
    receipt = json.loads(out)["receipt"]
    _ledgerctl("sign", "--campaign", "c1", "--name", "C D", "--postcode", "0150",
               "--country", "NO", "--consent-contact", "--channel", "paper",
               "--paper-list", "3", "--data", "d", cwd=d)
    _ledgerctl("comment", "--campaign", "c1", "--display-name", "Zoë/ü",
               "--text", 'hi "x" \\ / \t é', "--data", "d", cwd=d)
    _ledgerctl("withdraw", "--receipt", receipt.lower(), "--data", "d", cwd=d)
    _ledgerctl("campaign", "close", "c1", "--data", "d", cwd=d)
    _ledgerctl("export", "--out", "b.jsonl", "--data", "d", cwd=d)
    return (d / "b.jsonl").read_bytes()


def test_cli_intact(tmp_path, cli_bundle):
    rc, rep, err = run(tmp_path, cli_bundle)
    assert rc == 0, rep["faults"] if rep else err
    assert rep["entries"] == 7 and rep["payloads"] == 2
    assert rep["types"] == {"campaign.closed": 1, "campaign.published": 1,
                            "comment.posted": 1, "ledger.created": 1,
                            "signature.recorded": 2, "signature.withdrawn": 1}
    assert [(c["campaign"], c["counted"], c["withdrawn"], c["unique"])
            for c in rep["campaigns"]] == [("c1", 1, 1, 2)]
    assert rep["warnings"] == []


def _entry_lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _replace_entry(data: bytes, line_no: int, mutate) -> bytes:
    lines = _entry_lines(data)
    obj = json.loads(lines[line_no - 1])
    (k, v), = obj.items()
    raw = mutate(bytearray(base64.b64decode(v)))
    lines[line_no - 1] = b'{"%s":"%s"}\n' % (k.encode(), base64.b64encode(bytes(raw)))
    return rechecksum(b"".join(lines))


def _flip(offset):
    def m(raw):
        raw[offset] ^= 0x01
        return raw
    return m


@pytest.mark.parametrize("line,offset,expect", [
    (2, 0, "malformed"),            # version byte of the genesis
    (3, 1, "wrong-ledger"),         # ledger field
    (4, 40, "bad-signature"),       # author key: signature no longer verifies
    (4, 72, "bad-signature"),       # sequence low byte
    (5, 80, "broken-link"),         # previous
    (5, 110, "bad-signature"),      # timestamp
    (6, -1, "bad-signature"),       # signature
    (6, -70, "bad-signature"),      # inside the body
])
def test_cli_tampered_entry(tmp_path, cli_bundle, line, offset, expect):
    rc, rep, err = run(tmp_path, _replace_entry(cli_bundle, line, _flip(offset)))
    assert rc == 1, err
    assert expect in kinds(rep), rep["faults"]
    # every fault names author, sequence and entry (except a bundle-wide one)
    for f in rep["faults"]:
        assert f["kind"] in vb.FAULT_KINDS


def test_cli_tampered_payload(tmp_path, cli_bundle):
    lines = _entry_lines(cli_bundle)
    n = len(lines)
    data = _replace_entry(cli_bundle, n - 1, _flip(40))
    rc, rep, _ = run(tmp_path, data)
    assert rc == 1 and kinds(rep) == {"missing-payload", "payload-mismatch"}


def test_cli_dropped_entry_with_fixed_header(tmp_path, cli_bundle):
    lines = _entry_lines(cli_bundle)
    del lines[4]                                  # sequence 4
    lines[0] = lines[0].replace(b'"entries":7', b'"entries":6')
    rc, rep, _ = run(tmp_path, rechecksum(b"".join(lines)))
    # sequence 5 now follows 3; the dropped signature's payload is named by no entry
    assert rc == 1 and kinds(rep) == {"sequence-gap", "payload-mismatch"}
    assert [f["sequence"] for f in rep["faults"] if f["kind"] == "sequence-gap"] == [5]


def test_cli_refusals(tmp_path, cli_bundle):
    lines = _entry_lines(cli_bundle)
    third = bytearray(lines[2])
    third[40] = ord("A") if third[40] != ord("A") else ord("B")   # base64 char, no re-checksum
    for name, data in {
        "last newline cut": cli_bundle[:-1],
        "cut in half": cli_bundle[:len(cli_bundle) // 2],
        "changed base64 char": b"".join(lines[:2] + [bytes(third)] + lines[3:]),
        "dropped line": b"".join(lines[:3] + lines[4:]),
        "extra line": b"".join(lines[:3] + lines[2:]),
    }.items():
        rc, _, err = run(tmp_path, data)
        assert rc == 2 and "refused" in err, name


def test_cli_fork(tmp_path, cli_bundle, tmp_path_factory):
    if not LEDGERCTL.exists():
        pytest.skip("ledgerctl not built")
    d = tmp_path_factory.mktemp("fork")
    _ledgerctl("init", "--hq", "--name", "F", "--data", "a", cwd=d)
    shutil.copytree(d / "a", d / "b")            # a cloned disk
    for node, cid in (("a", "x1"), ("b", "x2")):
        (d / f"{cid}.json").write_text(json.dumps({
            "id": cid, "languages": ["en"],
            "texts": {"en": {"title": "T", "summary": "S", "body": "B", "demands": ["D"]}}}))
        _ledgerctl("campaign", "publish", f"{cid}.json", "--data", node, cwd=d)
    _ledgerctl("campaign", "close", "x2", "--data", "b", cwd=d)
    _ledgerctl("export", "--out", "b.jsonl", "--data", "b", cwd=d)
    _ledgerctl("import", "b.jsonl", "--data", "a", cwd=d, check=False)
    _ledgerctl("export", "--out", "a.jsonl", "--data", "a", cwd=d)
    rc, rep, _ = run(tmp_path, (d / "a.jsonl").read_bytes())
    assert rc == 4
    assert [(f["kind"], f["sequence"]) for f in rep["faults"]] == [("fork", 2)]
    assert rep["logs"][0]["forkedAt"] == 2
    # HQ's root key is never held: both campaigns exist, x2 closed on its branch
    assert [(c["campaign"], c["state"]) for c in rep["campaigns"]] == [("x1", "open"),
                                                                       ("x2", "closed")]


# ------------------------------------------------------------------------------
# Test vectors (once docs/test-vectors/entries.json exists)

VECTORS = ROOT / "docs" / "test-vectors"
needs_vectors = pytest.mark.skipif(not (VECTORS / "entries.json").exists(),
                                   reason="docs/test-vectors/entries.json not generated yet")


def vectors(directory: Path):
    return subprocess.run([sys.executable, str(SCRIPT), "--vectors", str(directory)],
                          capture_output=True, text=True, timeout=120)


@needs_vectors
def test_vectors():
    r = vectors(VECTORS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 disagreement(s)" in r.stdout


@needs_vectors
def test_vectors_disagreements_are_reported(tmp_path):
    shutil.copytree(VECTORS, tmp_path / "v")
    path = tmp_path / "v" / "entries.json"
    doc = json.loads(path.read_text())
    doc["invalid"][0]["fault"] = "fork"                       # wrong expectation
    doc["valid"][-1]["id"] = "00" * 32                        # wrong id
    path.write_text(json.dumps(doc))
    canon = json.loads((tmp_path / "v" / "canonical-json.json").read_text())
    canon.append({"input": '{"a":"\\u00e9"}', "canonical": '{"a":"\\u00e9"}'})
    canon.append({"input": '{"a":"/"}', "canonical": '{"a":"\\/"}'})
    (tmp_path / "v" / "canonical-json.json").write_text(json.dumps(canon))
    r = vectors(tmp_path / "v")
    assert r.returncode == 1
    assert r.stdout.count("DISAGREE") == 6, r.stdout   # 1 + 1 + 2 per bad canonical case
    assert f"invalid {doc['invalid'][0]['name']}: expected fork" in r.stdout


def test_vectors_absent(tmp_path):
    assert vectors(tmp_path).returncode == 2


@needs_vectors
def test_vector_bundle_tampered(tmp_path):
    data = (VECTORS / "bundle.jsonl").read_bytes()
    assert run(tmp_path, data)[0] == 0
    rc, rep, _ = run(tmp_path, _replace_entry(data, 4, _flip(150)))
    assert rc == 1 and "bad-signature" in kinds(rep)


# ------------------------------------------------------------------------------
# Robustness: random damage under a fixed checksum never crashes the verifier and
# never passes as intact.

def test_random_damage_never_passes(tmp_path):
    import random
    rnd = random.Random(1)
    led = Ledger().standard()
    good = led.bundle()
    lines = good.splitlines(keepends=True)
    path = tmp_path / "fuzz.jsonl"
    for _ in range(300):
        ls = list(lines)
        i = rnd.randrange(1, len(ls) - 1)
        (k, v), = json.loads(ls[i]).items()
        raw = bytearray(base64.b64decode(v))
        if rnd.random() < 0.7:
            raw[rnd.randrange(len(raw))] ^= rnd.randrange(1, 256)
        else:
            a = rnd.randrange(len(raw))
            del raw[a:a + rnd.randrange(1, 40)]
        ls[i] = b'{"%s":"%s"}\n' % (k.encode(), base64.b64encode(bytes(raw)))
        path.write_bytes(rechecksum(b"".join(ls)))
        rep = vb.verify_bundle(vb.read_bundle(str(path)))
        assert not rep["intact"]
