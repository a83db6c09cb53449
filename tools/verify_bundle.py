#!/usr/bin/env python3
"""Independent verifier for Ledger bundles and test vectors.

Written from docs/FORMAT.md (format version 1) alone, without Ledger's Swift code.
Dependencies: the Python 3 standard library and `cryptography` (Ed25519).

Usage:
    verify_bundle.py BUNDLE [--json]     verify an exported bundle (full mode)
    verify_bundle.py --vectors DIR       check docs/test-vectors/

Exit status: 0 intact / all vectors agree; 1 a fault / a disagreement;
2 usage error, or a bundle that is unreadable, truncated or fails its end checksum.

The report never prints payload contents or body values (only field names, ids,
keys, sequences and types).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import datetime
import hashlib
import json
import os
import re
import struct
import sys
from dataclasses import dataclass, field
from typing import Any

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover
    print("error: the Python package 'cryptography' is required (pip install cryptography)",
          file=sys.stderr)
    sys.exit(2)

# --------------------------------------------------------------------------------------
# Constants (FORMAT.md sections 2, 4, 5, 9)

VERSION = 1
ZERO32 = bytes(32)
ENTRY_DOMAIN = b"ledger.entry.v1\x00"          # section 2
RECEIPT_DOMAIN = b"ledger.receipt.v1\x00"      # section 5
MAX_TYPE_LEN = 64
MAX_BODY_LEN = 65536
TYPE_CHARS = re.compile(rb"[a-z0-9._\-]+\Z")
HEX32 = re.compile(r"[0-9a-f]{64}\Z")
CAMPAIGN_ID = re.compile(r"[a-z0-9\-]{1,64}\Z")
COUNTRY = re.compile(r"[A-Z]{2}\Z")
DEADLINE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\Z")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_SYMBOLS = re.compile(r"[0-9A-HJKMNP-TV-Z]{16}\Z")
CHANNELS = {"kiosk", "paper", "manual", "import"}
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1
FUTURE = "timestamps more than one hour ahead of this computer's clock"

T_CREATED = "ledger.created"
T_PUBLISHED = "campaign.published"
T_CLOSED = "campaign.closed"
T_SIGNATURE = "signature.recorded"
T_COMMENT = "comment.posted"
T_WITHDRAWN = "signature.withdrawn"
T_UPDATED = "campaign.updated"
T_HIDDEN = "comment.hidden"
T_ENROLLED = "device.enrolled"
T_REVOKED = "device.revoked"
KNOWN_TYPES = {T_CREATED, T_PUBLISHED, T_CLOSED, T_SIGNATURE, T_COMMENT, T_WITHDRAWN,
               T_UPDATED, T_HIDDEN, T_ENROLLED, T_REVOKED}
FIELD_DEVICE_TYPES = {T_SIGNATURE, T_COMMENT, T_WITHDRAWN}   # section 4, Rights
ROOT_ONLY_TYPES = {T_CREATED, T_ENROLLED, T_REVOKED}         # section 4, Rights
ROLES = {"field", "hq", "observer"}

# The step of section 8 each fault kind belongs to (faults are listed in this order).
STEP = {
    "malformed": 1, "id-mismatch": 1, "bad-signature": 1,
    "sequence-gap": 2, "broken-link": 2, "clock-regression": 2, "fork": 2,
    "wrong-ledger": 3, "bad-genesis": 3, "unknown-type": 4, "invalid-body": 5,
    "payload-flag": 6, "missing-payload": 6, "payload-mismatch": 6,
    "unknown-author": 7, "unauthorised": 7,
}
FAULT_KINDS = (
    "malformed", "id-mismatch", "bad-signature", "wrong-ledger", "sequence-gap",
    "broken-link", "clock-regression", "bad-genesis", "unknown-type", "invalid-body",
    "payload-flag", "missing-payload", "payload-mismatch", "unknown-author",
    "unauthorised", "fork",
)


# --------------------------------------------------------------------------------------
# Entries (section 2)

class Malformed(Exception):
    """The entry bytes do not parse. Carries whatever fields were read before failing."""

    def __init__(self, reason: str, partial: dict[str, Any]):
        super().__init__(reason)
        self.reason = reason
        self.partial = partial


@dataclass
class Entry:
    raw: bytes
    version: int
    ledger: bytes
    author: bytes
    sequence: int
    previous: bytes
    wall: int
    counter: int
    type: str
    body: bytes
    flag: int
    digest: bytes | None
    signature: bytes
    signed_part: bytes
    id: bytes

    @property
    def timestamp(self) -> tuple[int, int]:
        return (self.wall, self.counter)


def parse_entry(raw: bytes) -> Entry:
    """Parse entry bytes; raise Malformed for every rule of section 2, 'Parsing'."""
    partial: dict[str, Any] = {}
    pos = 0

    def take(n: int, what: str) -> bytes:
        nonlocal pos
        if pos + n > len(raw):
            raise Malformed(f"{what} runs past the end of the entry", partial)
        chunk = raw[pos:pos + n]
        pos += n
        return chunk

    version = take(1, "version")[0]
    if version != VERSION:
        raise Malformed(f"version is {version}, not {VERSION}", partial)
    ledger = take(32, "ledger")
    author = take(32, "author")
    partial["author"] = author
    (sequence,) = struct.unpack(">Q", take(8, "sequence"))
    partial["sequence"] = sequence
    if sequence == 0:
        raise Malformed("sequence is 0", partial)
    previous = take(32, "previous")
    (wall,) = struct.unpack(">Q", take(8, "timestamp.wall"))
    (counter,) = struct.unpack(">I", take(4, "timestamp.counter"))
    type_len = take(1, "type length")[0]
    if type_len == 0 or type_len > MAX_TYPE_LEN:
        raise Malformed(f"type length {type_len} is outside 1...{MAX_TYPE_LEN}", partial)
    type_bytes = take(type_len, "type")
    if not TYPE_CHARS.match(type_bytes):
        raise Malformed("type has a character outside a-z 0-9 . _ -", partial)
    (body_len,) = struct.unpack(">I", take(4, "body length"))
    if body_len > MAX_BODY_LEN:
        raise Malformed(f"body length {body_len} is above {MAX_BODY_LEN}", partial)
    body = take(body_len, "body")
    flag = take(1, "payload flag")[0]
    if flag not in (0, 1):
        raise Malformed(f"payload flag is {flag}, neither 0 nor 1", partial)
    digest = take(32, "payload digest") if flag == 1 else None
    signed_end = pos
    signature = take(64, "signature")
    if pos != len(raw):
        raise Malformed(f"{len(raw) - pos} byte(s) follow the signature", partial)
    return Entry(
        raw=raw, version=version, ledger=ledger, author=author, sequence=sequence,
        previous=previous, wall=wall, counter=counter, type=type_bytes.decode("ascii"),
        body=body, flag=flag, digest=digest, signature=signature,
        signed_part=raw[:signed_end], id=hashlib.sha256(raw).digest(),
    )


def signature_valid(entry: Entry) -> bool:
    """Section 2: Ed25519 over "ledger.entry.v1" || 0x00 || signed part, under the author."""
    try:
        key = Ed25519PublicKey.from_public_bytes(entry.author)
        key.verify(entry.signature, ENTRY_DOMAIN + entry.signed_part)
        return True
    except (InvalidSignature, ValueError):
        return False


# --------------------------------------------------------------------------------------
# Bodies (sections 3 and 4)

class BodyError(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise BodyError(f"non-JSON number {name}")


def _reject_float(text: str) -> Any:
    raise BodyError("a number with a fraction or exponent")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise BodyError("a duplicate key")
        obj[key] = value
    return obj


def _check_values(value: Any) -> None:
    if value is None:
        raise BodyError("null is never written")
    if isinstance(value, bool) or isinstance(value, str):
        return
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise BodyError("an integer outside -2^63 ... 2^63-1")
        return
    if isinstance(value, list):
        for item in value:
            _check_values(item)
        return
    if isinstance(value, dict):
        for item in value.values():
            _check_values(item)
        return
    raise BodyError("an unsupported value")  # pragma: no cover


def canonical_json(value: Any) -> bytes:
    """Section 3: the canonical form, as Python's json.dumps produces it."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def parse_canonical_body(body: bytes) -> dict[str, Any]:
    """Parse a body and check that it is a canonical JSON object; raise BodyError."""
    try:
        text = body.decode("utf-8")  # strict: invalid UTF-8 is rejected
    except UnicodeDecodeError:
        raise BodyError("not valid UTF-8") from None
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_float=_reject_float,
                           parse_constant=_reject_constant)
    except BodyError:
        raise
    except (ValueError, RecursionError) as exc:
        raise BodyError(f"not JSON ({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise BodyError("not a JSON object")
    _check_values(value)
    try:
        again = canonical_json(value)
    except UnicodeEncodeError:
        raise BodyError("a string with an unpaired surrogate") from None
    if again != body:
        raise BodyError("not in canonical form (re-serialising changes the bytes)")
    return value


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _valid_deadline(v: str) -> bool:
    if not DEADLINE.match(v):
        return False
    try:
        datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return False
    return True


def _safe(text: str, limit: int = 40) -> str:
    """A body-derived name made safe to print: ASCII escapes (no terminal control
    sequences), cut to `limit` characters."""
    shown = json.dumps(text, ensure_ascii=True)[1:-1]
    return shown if len(shown) <= limit else shown[:limit] + "..."


class _Fields:
    """Collects problems while checking a body against a field table."""

    def __init__(self, obj: dict[str, Any], where: str = ""):
        self.obj = obj
        self.where = where
        self.problems: list[str] = []
        self.seen: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.where}{_safe(key)}"

    def get(self, key: str, check, what: str, optional: bool = False) -> Any:
        self.seen.add(key)
        if key not in self.obj:
            if not optional:
                self.problems.append(f"missing field '{self._name(key)}'")
            return None
        value = self.obj[key]
        if not check(value):
            self.problems.append(f"field '{self._name(key)}' is not {what}")
            return None
        return value

    def finish(self) -> list[str]:
        extra = sorted(set(self.obj) - self.seen)
        for key in extra:
            self.problems.append(f"unknown field '{self._name(key)}'")
        return self.problems


def _str(v: Any) -> bool:
    return isinstance(v, str)


def _hex32(v: Any) -> bool:
    return isinstance(v, str) and bool(HEX32.match(v))


def _campaign(v: Any) -> bool:
    return isinstance(v, str) and bool(CAMPAIGN_ID.match(v))


def _str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def check_body(entry_type: str, body: dict[str, Any], author: bytes) -> list[str]:
    """Section 4: the type's fields, exactly. Returns problems (field names only)."""
    f = _Fields(body)
    if entry_type == T_CREATED:
        f.get("name", _str, "a string")
        f.get("hqKey", _hex32, "32 bytes of lower-case hex")
        f.get("sealingKey", _hex32, "32 bytes of lower-case hex")
    elif entry_type in (T_PUBLISHED, T_UPDATED):
        f.get("campaign", _campaign, "a campaign id (1-64 of a-z 0-9 -)")
        f.get("languages", _str_list, "an array of strings")
        texts = f.get("texts", lambda v: isinstance(v, dict), "an object")
        f.get("goal", _is_int, "an integer", optional=True)
        f.get("deadline", lambda v: isinstance(v, str) and _valid_deadline(v),
              "a UTC time YYYY-MM-DDTHH:MM:SS.mmmZ", optional=True)
        if texts is not None:
            for lang in sorted(texts):
                text = texts[lang]
                where = f"texts.{_safe(lang)}."
                if not isinstance(text, dict):
                    f.problems.append(f"field 'texts.{_safe(lang)}' is not an object")
                    continue
                t = _Fields(text, where)
                t.get("title", _str, "a string")
                t.get("summary", _str, "a string")
                t.get("body", _str, "a string")
                t.get("demands", _str_list, "an array of strings")
                letter = t.get("letter", lambda v: isinstance(v, dict), "an object",
                               optional=True)
                f.problems.extend(t.finish())
                if letter is not None:
                    lt = _Fields(letter, where + "letter.")
                    lt.get("recipient", _str, "a string")
                    lt.get("text", _str, "a string")
                    f.problems.extend(lt.finish())
    elif entry_type == T_CLOSED:
        f.get("campaign", _campaign, "a campaign id (1-64 of a-z 0-9 -)")
        f.get("reason", _str, "a string", optional=True)
    elif entry_type == T_SIGNATURE:
        f.get("campaign", _campaign, "a campaign id (1-64 of a-z 0-9 -)")
        f.get("campaignVersion", _hex32, "32 bytes of lower-case hex")
        f.get("channel", lambda v: v in CHANNELS if isinstance(v, str) else False,
              "one of kiosk, paper, manual, import")
        f.get("paperList", _is_int, "an integer", optional=True)
        f.get("paperRow", _is_int, "an integer", optional=True)
        f.get("country", lambda v: isinstance(v, str) and bool(COUNTRY.match(v)),
              "two upper-case letters", optional=True)
        f.get("postcodeArea", lambda v: isinstance(v, str) and v == v.upper(),
              "an upper-case string", optional=True)
        f.get("consentContact", lambda v: isinstance(v, bool), "a boolean")
        f.get("signer", _hex32, "32 bytes of lower-case hex")
        f.get("receiptHash", _hex32, "32 bytes of lower-case hex")
    elif entry_type == T_COMMENT:
        f.get("campaign", _campaign, "a campaign id (1-64 of a-z 0-9 -)")
        f.get("displayName", _str, "a string")
        f.get("text", _str, "a string")
        f.get("signature", _hex32, "32 bytes of lower-case hex", optional=True)
    elif entry_type == T_HIDDEN:
        f.get("comment", _hex32, "32 bytes of lower-case hex")
        f.get("reason", _str, "a string")
    elif entry_type == T_ENROLLED:
        f.get("device", _hex32, "32 bytes of lower-case hex")
        f.get("name", _str, "a string")
        f.get("role", lambda v: v in ROLES if isinstance(v, str) else False, "field, hq or observer")
    elif entry_type == T_REVOKED:
        f.get("device", _hex32, "32 bytes of lower-case hex")
        f.get("afterSequence", _is_int, "an integer")
        f.get("reason", _str, "a string", optional=True)
    elif entry_type == T_WITHDRAWN:
        f.get("signature", _hex32, "32 bytes of lower-case hex")
        f.get("receipt", lambda v: isinstance(v, str) and bool(RECEIPT_SYMBOLS.match(v)),
              "16 receipt symbols", optional=True)
        f.get("reason", _str, "a string", optional=True)
    else:  # pragma: no cover - callers check the type first
        return [f"unknown type {entry_type}"]
    return f.finish()


def receipt_hash(ledger_id: bytes, symbols: str) -> bytes:
    """Section 5."""
    return hashlib.sha256(RECEIPT_DOMAIN + ledger_id + symbols.encode("ascii")).digest()


def normalise_receipt(code: str) -> str | None:
    """Section 5, input rules: ignore case, drop dashes/spaces, O->0, I/L->1."""
    s = code.upper().replace("-", "").replace(" ", "")
    s = s.replace("O", "0").replace("I", "1").replace("L", "1")
    return s if RECEIPT_SYMBOLS.match(s) else None


def fingerprint(key: bytes) -> str:
    """Section 1."""
    h = hashlib.sha256(key).digest()[:16].hex()
    return ":".join(h[i:i + 4] for i in range(0, 32, 4))


# --------------------------------------------------------------------------------------
# Bundles (section 9)

class BundleError(Exception):
    """The bundle is refused whole (exit 2)."""


@dataclass
class Item:
    line: int                 # 1-based line number in the bundle
    kind: str                 # "entry" or "fork"
    raw: bytes
    entry: Entry | None = None
    malformed: Malformed | None = None
    sig_ok: bool = False


@dataclass
class Bundle:
    path: str
    ledger: bytes
    entries: list[Item]
    forks: list[Item]
    payloads: list[tuple[int, bytes]]   # (line, payload bytes)
    warnings: list[str] = field(default_factory=list)


def _strict_json_obj(line: bytes, where: str) -> dict[str, Any]:
    try:
        obj = json.loads(line.decode("utf-8"), object_pairs_hook=_pairs)
    except (UnicodeDecodeError, ValueError, BodyError):
        raise BundleError(f"{where} is not a JSON object") from None
    if not isinstance(obj, dict):
        raise BundleError(f"{where} is not a JSON object")
    return obj


def _b64(text: Any, where: str) -> bytes:
    if not isinstance(text, str):
        raise BundleError(f"{where}: the value is not a base64 string")
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise BundleError(f"{where}: the value is not valid base64") from None
    if base64.b64encode(data).decode("ascii") != text:
        raise BundleError(f"{where}: the value is not canonical padded base64")
    return data


def read_bundle(path: str) -> Bundle:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise BundleError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not data:
        raise BundleError("the bundle is empty")
    if not data.endswith(b"\n"):
        raise BundleError("the last line is incomplete (no final newline): truncated bundle")
    lines = data[:-1].split(b"\n")
    header = _strict_json_obj(lines[0], "line 1 (header)")
    expected_keys = {"bundle", "version", "ledger", "entries", "forks", "payloads"}
    if set(header) != expected_keys:
        raise BundleError("the header does not have exactly the fields "
                          "bundle, version, ledger, entries, forks, payloads")
    if header["bundle"] != "ledger-bundle":
        raise BundleError('the header\'s "bundle" is not "ledger-bundle"')
    if not _is_int(header["version"]) or header["version"] != 1:
        raise BundleError("the header's version is not 1")
    if not _hex32(header["ledger"]):
        raise BundleError("the header's ledger is not 32 bytes of lower-case hex")
    for key in ("entries", "forks", "payloads"):
        if not _is_int(header[key]) or header[key] < 0:
            raise BundleError(f"the header's {key} is not a non-negative integer")
    n_e, n_f, n_p = header["entries"], header["forks"], header["payloads"]
    expected_lines = n_e + n_f + n_p + 2
    if len(lines) != expected_lines:
        raise BundleError(f"the bundle has {len(lines)} lines, the header announces "
                          f"{expected_lines} (E+F+P+2): truncated or padded bundle")
    end = _strict_json_obj(lines[-1], f"line {len(lines)} (end)")
    if set(end) != {"end"} or not _hex32(end["end"]):
        raise BundleError(f'line {len(lines)} is not {{"end":"<hex SHA-256>"}}')
    covered = data[:len(data) - len(lines[-1]) - 1]   # every byte before the end line
    actual = hashlib.sha256(covered).hexdigest()
    if actual != end["end"]:
        raise BundleError(f"the end checksum differs: the file says {end['end']}, "
                          f"its bytes hash to {actual}")

    warnings: list[str] = []
    canonical_header = ('{"bundle":"ledger-bundle","version":1,"ledger":"%s","entries":%d,'
                        '"forks":%d,"payloads":%d}' % (header["ledger"], n_e, n_f, n_p))
    if lines[0] != canonical_header.encode("ascii"):
        warnings.append("line 1: the header's bytes differ from the form in FORMAT.md 9")

    def body_line(i: int, key: str) -> bytes:
        where = f"line {i + 1}"
        obj = _strict_json_obj(lines[i], where)
        if set(obj) != {key}:
            raise BundleError(f'{where} is not a {{"{key}":"<base64>"}} line')
        raw = _b64(obj[key], where)
        exact = ('{"%s":"%s"}' % (key, obj[key])).encode("ascii")
        if lines[i] != exact:
            warnings.append(f"{where}: bytes differ from the form in FORMAT.md 9")
        return raw

    entries = [Item(i + 1, "entry", body_line(i, "entry")) for i in range(1, 1 + n_e)]
    forks = [Item(i + 1, "fork", body_line(i, "fork"))
             for i in range(1 + n_e, 1 + n_e + n_f)]
    payloads = [(i + 1, body_line(i, "payload"))
                for i in range(1 + n_e + n_f, 1 + n_e + n_f + n_p)]
    return Bundle(path=path, ledger=bytes.fromhex(header["ledger"]), entries=entries,
                  forks=forks, payloads=payloads, warnings=warnings)


# --------------------------------------------------------------------------------------
# Verification (section 8, full mode)

class Report:
    def __init__(self) -> None:
        self.faults: list[dict[str, Any]] = []
        self.warnings: list[str] = []

    def fault(self, kind: str, item: Item | None, detail: str,
              entry: Entry | None = None) -> None:
        assert kind in FAULT_KINDS, kind
        e = entry or (item.entry if item else None)
        author = sequence = eid = None
        if e is not None:
            author, sequence, eid = e.author.hex(), e.sequence, e.id.hex()
        elif item is not None:
            part = item.malformed.partial if item.malformed else {}
            author = part["author"].hex() if "author" in part else None
            sequence = part.get("sequence")
            eid = hashlib.sha256(item.raw).hexdigest()
        self.faults.append({
            "kind": kind, "author": author, "sequence": sequence, "id": eid,
            "line": item.line if item else None, "detail": detail,
        })


def trust_policy(items: list[Item], hq: bytes | None) -> tuple[dict[bytes, str], dict[bytes, int]]:
    """Section 4, Rights: the roles HQ's root key enrolled (device.enrolled) and the lowest
    revocation point of each device (device.revoked), from HQ's validly signed entries."""
    roles: dict[bytes, str] = {}
    revoked: dict[bytes, int] = {}
    for item in items:
        e = item.entry
        if e is None or hq is None or e.author != hq or not item.sig_ok or e.type not in (T_ENROLLED, T_REVOKED):
            continue
        try:
            body = parse_canonical_body(e.body)
        except BodyError:
            continue
        device = body.get("device")
        if not _hex32(device):
            continue
        key = bytes.fromhex(device)
        if e.type == T_ENROLLED and body.get("role") in ROLES and key != hq:
            roles[key] = body["role"]
        elif e.type == T_REVOKED and _is_int(body.get("afterSequence")):
            after = max(0, body["afterSequence"])
            revoked[key] = min(revoked.get(key, after), after)
    return roles, revoked


def _intrinsic_checks(rep: Report, item: Item, hq: bytes | None, ledger_id: bytes,
                      roles: dict[bytes, str] | None = None, revoked: dict[bytes, int] | None = None) -> None:
    """Steps 1b, 3, 4, 5, 6 (digest presence is checked later), 7 for one entry."""
    e = item.entry
    assert e is not None
    if not item.sig_ok:
        rep.fault("bad-signature", item, "the Ed25519 signature does not verify under the author key")

    is_hq = hq is not None and e.author == hq
    genesis_slot = is_hq and e.sequence == 1
    # Step 3: ledger field and genesis rules.
    if genesis_slot:
        if e.ledger != ZERO32:
            rep.fault("bad-genesis", item, "HQ's sequence 1 has a non-zero ledger field")
        if e.type != T_CREATED:
            rep.fault("bad-genesis", item, f"HQ's sequence 1 has type {e.type}, not {T_CREATED}")
    else:
        if e.ledger != ledger_id:
            what = "zero" if e.ledger == ZERO32 else e.ledger.hex()
            rep.fault("wrong-ledger", item, f"the ledger field is {what}, not the ledger id")
        if e.type == T_CREATED:
            rep.fault("bad-genesis", item, f"{T_CREATED} outside the genesis (HQ, sequence 1)")

    # Step 4: type.
    if e.type not in KNOWN_TYPES:
        rep.fault("unknown-type", item, f"type '{e.type}' is not a format 1 type")
    else:
        # Step 5: body.
        try:
            body = parse_canonical_body(e.body)
        except BodyError as exc:
            rep.fault("invalid-body", item, f"body: {exc}")
        else:
            for problem in check_body(e.type, body, e.author):
                rep.fault("invalid-body", item, problem)
            if e.type == T_CREATED and body.get("hqKey") not in (None, e.author.hex()):
                rep.fault("bad-genesis", item, "hqKey differs from the entry's author")
        # Step 6: payload flag.
        want = 1 if e.type == T_SIGNATURE else 0
        if e.flag != want:
            rep.fault("payload-flag", item, f"payload flag is {e.flag}, {e.type} requires {want}")

    # Step 7: rights: HQ's root key writes everything; enrolled devices by role, up to a revocation.
    if not is_hq:
        role = (roles or {}).get(e.author)
        if role is None:
            rep.fault("unknown-author", item, "the author is neither HQ nor enrolled by HQ (device.enrolled)")
        else:
            allowed = (role == "hq" and e.type not in ROOT_ONLY_TYPES) or (role == "field" and e.type in FIELD_DEVICE_TYPES)
            limit = (revoked or {}).get(e.author)
            if not allowed:
                rep.fault("unauthorised", item, f"a {role} device may not write {e.type}")
            elif limit is not None and e.sequence > limit:
                rep.fault("unauthorised", item, f"the device was revoked after sequence {limit}")


def verify_bundle(b: Bundle, trust_root: bytes | None = None) -> dict[str, Any]:
    """Full verification (section 8) of every entry, fork and payload of a bundle.

    trust_root: HQ's key when known out of band (the test vectors); otherwise HQ is the
    author of the bundle's genesis entry."""
    rep = Report()
    rep.warnings.extend(b.warnings)
    ledger_id = b.ledger
    items = b.entries + b.forks

    # Step 1: parse, id, signature.
    for item in items:
        try:
            item.entry = parse_entry(item.raw)
        except Malformed as exc:
            item.malformed = exc
            rep.fault("malformed", item, exc.reason)
            continue
        item.sig_ok = signature_valid(item.entry)

    # HQ is the author of the genesis entry (section 1). The genesis is the entry whose
    # id is the header's ledger id; failing that, a validly signed entry with sequence 1,
    # a zero ledger field and type ledger.created (the first such line: bundles list
    # HQ's log first); failing that, the first entry line's author is taken as HQ.
    parsed = [it for it in b.entries if it.entry is not None]
    genesis = next((it for it in parsed if it.entry.id == b.ledger), None)
    if genesis is None:
        genesis = next((it for it in parsed if it.sig_ok and it.entry.sequence == 1
                        and it.entry.ledger == ZERO32 and it.entry.type == T_CREATED), None)
    hq: bytes | None = None
    if trust_root is not None:
        hq = trust_root
        if genesis is not None and genesis.entry.author != hq:
            genesis = None
        if genesis is None:
            genesis = next((it for it in parsed if it.entry.author == hq
                            and it.entry.sequence == 1), None)
    elif genesis is not None:
        hq = genesis.entry.author
    elif parsed:
        hq = parsed[0].entry.author
    # The ledger id is the genesis entry's id. The header's copy is not signed: trust a
    # validly signed genesis over it, and report the disagreement.
    if genesis is not None and genesis.sig_ok and genesis.entry.ledger == ZERO32:
        ledger_id = genesis.entry.id
        if ledger_id != b.ledger:
            rep.fault("id-mismatch", genesis, "the header's ledger id "
                      f"{b.ledger.hex()} is not the id of the genesis entry")
    if not any(it.entry.author == hq and it.entry.sequence == 1 for it in parsed):
        rep.fault("bad-genesis", None, "the bundle holds no genesis entry (HQ, sequence 1)")

    now_ms = int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)
    ahead = []
    roles, revoked = trust_policy(items, hq)
    for item in items:
        if item.entry is not None:
            _intrinsic_checks(rep, item, hq, ledger_id, roles, revoked)
            if item.entry.wall > now_ms + 3_600_000:   # section 7: not merged, still valid
                ahead.append(item.line)
    if ahead:
        rep.warnings.append(f"{FUTURE} ({len(ahead)} entries, first on line {ahead[0]})")

    # Build logs from entry lines; a second, different entry at the same (author,
    # sequence) among entry lines is a fork too and is treated as fork evidence.
    logs: dict[bytes, dict[int, Item]] = {}
    evidence: list[Item] = []
    for item in b.entries:
        e = item.entry
        if e is None:
            continue
        log = logs.setdefault(e.author, {})
        held = log.get(e.sequence)
        if held is None:
            log[e.sequence] = item
        elif held.entry.id == e.id:
            rep.warnings.append(f"line {item.line}: repeats the entry on line {held.line}")
        elif item.sig_ok and not held.sig_ok:
            log[e.sequence] = item          # the log follows validly signed entries
            evidence.append(held)
        else:
            evidence.append(item)
    evidence.extend(it for it in b.forks if it.entry is not None)

    # Step 2: chain, per author by sequence.
    for author, log in logs.items():
        prev: Item | None = None
        for seq in sorted(log):
            item = log[seq]
            e = item.entry
            if seq == 1:
                if e.previous != ZERO32:
                    rep.fault("broken-link", item, "sequence 1 has a non-zero previous")
            elif prev is None or prev.entry.sequence != seq - 1:
                have = f"sequence {prev.entry.sequence}" if prev else "nothing"
                rep.fault("sequence-gap", item, f"sequence {seq} follows {have} in this log")
            else:
                if e.previous != prev.entry.id:
                    rep.fault("broken-link", item,
                              f"previous is not the id of sequence {seq - 1}")
                if e.timestamp <= prev.entry.timestamp:
                    rep.fault("clock-regression", item,
                              f"timestamp {e.wall}.{e.counter} is not after sequence "
                              f"{seq - 1}'s {prev.entry.wall}.{prev.entry.counter}")
            prev = item

    # Forks: fork evidence links to any entry of its author at sequence - 1.
    by_author_seq: dict[tuple[bytes, int], list[Item]] = {}
    for item in list(x for log in logs.values() for x in log.values()) + evidence:
        by_author_seq.setdefault((item.entry.author, item.entry.sequence), []).append(item)
    fork_seqs: dict[bytes, int] = {}
    for item in evidence:
        e = item.entry
        if e.sequence == 1:
            if e.previous != ZERO32:
                rep.fault("broken-link", item, "sequence 1 has a non-zero previous")
        else:
            parents = by_author_seq.get((e.author, e.sequence - 1), [])
            linked = [p for p in parents if p.entry.id == e.previous]
            if not parents:
                rep.fault("sequence-gap", item,
                          f"no entry of this author at sequence {e.sequence - 1}")
            elif not linked:
                rep.fault("broken-link", item,
                          f"previous is the id of no entry at sequence {e.sequence - 1}")
            elif e.timestamp <= linked[0].entry.timestamp:
                rep.fault("clock-regression", item,
                          f"timestamp is not after the entry it links to")
        rivals = [r for r in by_author_seq[(e.author, e.sequence)]
                  if r is not item and r.entry.id != e.id]
        main = logs.get(e.author, {}).get(e.sequence)
        if not item.sig_ok:
            continue  # not a valid entry, so no equivocation; bad-signature reported
        valid_rivals = [r for r in rivals if r.sig_ok]
        if valid_rivals:
            other = main if main in valid_rivals else valid_rivals[0]
            rep.fault("fork", item, f"conflicts with entry {other.entry.id.hex()} "
                                    f"(line {other.line}) at the same author and sequence")
            fork_seqs[e.author] = min(fork_seqs.get(e.author, e.sequence), e.sequence)
        elif any(p.entry.id == e.previous and p in evidence
                 for p in by_author_seq.get((e.author, e.sequence - 1), [])):
            rep.fault("fork", item, "extends a forked branch")
        else:
            rep.warnings.append(f"line {item.line}: fork evidence that conflicts with "
                                f"no stored entry")

    # Step 6: payload digests. Every flagged entry needs its payload; every payload
    # must be named by an entry.
    payload_digests: dict[bytes, int] = {}
    last_digest = b""
    for line, payload in b.payloads:
        d = hashlib.sha256(payload).digest()
        if d in payload_digests:
            rep.warnings.append(f"line {line}: repeats the payload on line {payload_digests[d]}")
        elif d < last_digest:
            rep.warnings.append(f"line {line}: payloads are not ordered by digest")
        payload_digests.setdefault(d, line)
        last_digest = max(last_digest, d)
        if not payload or payload[0] != 0x01:
            rep.warnings.append(f"line {line}: sealed payload does not start with 0x01")
    named: set[bytes] = set()
    for item in items:
        e = item.entry
        if e is None or e.digest is None:
            continue
        named.add(e.digest)
        if e.digest not in payload_digests:
            rep.fault("missing-payload", item,
                      f"no payload line has SHA-256 {e.digest.hex()}")
    for d, line in sorted(payload_digests.items(), key=lambda kv: kv[1]):
        if d not in named:
            rep.faults.append({
                "kind": "payload-mismatch", "author": None, "sequence": None, "id": None,
                "line": line,
                "detail": f"payload digest {d.hex()} is named by no entry (altered or foreign payload)",
            })

    # Bundle order (section 9, item 2): HQ first, then other authors bytewise, by sequence.
    order = [(0 if it.entry.author == hq else 1, it.entry.author, it.entry.sequence)
             for it in b.entries if it.entry is not None]
    if order != sorted(order):
        rep.warnings.append("entry lines are not in the order of FORMAT.md 9 "
                            "(HQ's log first, then authors bytewise, each by sequence)")

    # Cross-references (not steps of section 8: reported as warnings, never faults).
    _cross_reference_warnings(rep, b, logs, ledger_id)

    # Summary.
    faulty_lines = {f["line"] for f in rep.faults if f["line"] is not None}
    per_type: dict[str, int] = {}
    counted: dict[str, int] = {}
    for item in b.entries:
        if item.entry is None:
            continue
        per_type[item.entry.type] = per_type.get(item.entry.type, 0) + 1
        if item.line not in faulty_lines:
            counted[item.entry.type] = counted.get(item.entry.type, 0) + 1
    campaigns = _tally(b, faulty_lines)
    authors = sorted(logs, key=lambda a: (a != hq, a))
    log_rows = []
    for a in authors:
        last = logs[a][max(logs[a])]
        row = {
            "author": a.hex(), "fingerprint": fingerprint(a),
            "role": "hq" if a == hq else "unknown",
            "entries": len(logs[a]),
            "lastSequence": last.entry.sequence, "head": last.entry.id.hex(),
        }
        if a in fork_seqs:
            row["forkedAt"] = fork_seqs[a]
        log_rows.append(row)
    rep.faults.sort(key=lambda f: (f["line"] is None, f["line"] or 0, STEP[f["kind"]]))
    return {
        "bundle": b.path,
        "ledger": ledger_id.hex(),
        "hq": hq.hex() if hq else None,
        "entries": len(b.entries),
        "forkEntries": len(b.forks),
        "payloads": len(b.payloads),
        "logs": log_rows,
        "types": dict(sorted(per_type.items())),
        "counted": dict(sorted(counted.items())),
        "campaigns": campaigns,
        "faults": rep.faults,
        "warnings": rep.warnings,
        "intact": not rep.faults,
    }


def _tally(b: Bundle, faulty_lines: set[int]) -> dict[str, dict[str, int]]:
    """Per campaign, from fault-free entry lines only: signatures recorded, withdrawn,
    counted (recorded - withdrawn, as ledgerctl counts) and distinct signer pseudonyms
    among the counted. FORMAT.md defines no counting rule: this is information."""
    good = [it for it in b.entries if it.entry is not None and it.line not in faulty_lines]
    bodies = {}
    for it in good:
        try:
            bodies[it.entry.id] = (it.entry.type, parse_canonical_body(it.entry.body))
        except BodyError:
            pass
    tally: dict[str, dict[str, Any]] = {}
    for t, body in bodies.values():
        if t == T_PUBLISHED:
            tally.setdefault(body["campaign"], {"recorded": 0, "withdrawn": 0, "signers": {}})
    withdrawn = {bytes.fromhex(body["signature"]) for t, body in bodies.values()
                 if t == T_WITHDRAWN}
    for eid, (t, body) in bodies.items():
        if t != T_SIGNATURE:
            continue
        c = tally.setdefault(body["campaign"], {"recorded": 0, "withdrawn": 0, "signers": {}})
        c["recorded"] += 1
        if eid in withdrawn:
            c["withdrawn"] += 1
        else:
            c["signers"][body["signer"]] = c["signers"].get(body["signer"], 0) + 1
    return {name: {"recorded": c["recorded"], "withdrawn": c["withdrawn"],
                   "counted": c["recorded"] - c["withdrawn"],
                   "distinctSigners": len(c["signers"])}
            for name, c in sorted(tally.items())}


def _cross_reference_warnings(rep: Report, b: Bundle, logs: dict[bytes, dict[int, Item]],
                              ledger_id: bytes) -> None:
    by_id: dict[bytes, Entry] = {}
    for log in logs.values():
        for item in log.values():
            by_id[item.entry.id] = item.entry
    bodies: dict[bytes, dict[str, Any]] = {}
    for eid, e in by_id.items():
        if e.type in KNOWN_TYPES:
            try:
                bodies[eid] = parse_canonical_body(e.body)
            except BodyError:
                pass
    for eid, e in by_id.items():
        body = bodies.get(eid)
        if body is None:
            continue
        where = f"entry {eid.hex()}"
        if e.type == T_SIGNATURE and _hex32(body.get("campaignVersion")):
            target = bytes.fromhex(body["campaignVersion"])
            t = by_id.get(target)
            if t is None or t.type not in (T_PUBLISHED, T_UPDATED):
                rep.warnings.append(f"{where}: campaignVersion names no campaign.published or campaign.updated entry")
            elif bodies.get(target, {}).get("campaign") != body.get("campaign"):
                rep.warnings.append(f"{where}: campaignVersion is another campaign's text")
        if e.type in (T_WITHDRAWN, T_COMMENT) and _hex32(body.get("signature")):
            target = bytes.fromhex(body["signature"])
            t = by_id.get(target)
            if t is None or t.type != T_SIGNATURE:
                rep.warnings.append(f"{where}: 'signature' names no {T_SIGNATURE} entry")
            elif e.type == T_WITHDRAWN and isinstance(body.get("receipt"), str):
                rh = bodies.get(target, {}).get("receiptHash")
                if rh and receipt_hash(ledger_id, body["receipt"]).hex() != rh:
                    rep.warnings.append(f"{where}: the receipt does not hash to the "
                                        f"withdrawn signature's receiptHash")


# --------------------------------------------------------------------------------------
# Output

def print_report(r: dict[str, Any]) -> None:
    out = sys.stdout.write
    out(f"bundle:   {r['bundle']}\n")
    out(f"ledger:   {r['ledger']}\n")
    out(f"entries:  {r['entries']} (+{r['forkEntries']} fork evidence, "
        f"{r['payloads']} payloads)\n")
    out(f"logs:     {len(r['logs'])}\n")
    for row in r["logs"]:
        fork = f"  FORKED at sequence {row['forkedAt']}" if "forkedAt" in row else ""
        out(f"  {row['author']} ({row['role']}, {row['fingerprint']})\n"
            f"    last sequence {row['lastSequence']}  head {row['head']}{fork}\n")
    out("types:\n")
    for t, n in r["types"].items():
        c = r["counted"].get(t, 0)
        note = "" if c == n else f"  ({c} counted, {n - c} with faults)"
        out(f"  {t:<22} {n}{note}\n")
    if r["campaigns"]:
        out("campaigns (information; FORMAT.md defines no counting rule):\n")
        for name, c in r["campaigns"].items():
            out(f"  {name:<22} {c['recorded']} recorded, {c['withdrawn']} withdrawn, "
                f"{c['counted']} counted, {c['distinctSigners']} distinct signers\n")
    for w in r["warnings"]:
        out(f"warning: {w}\n")
    if r["faults"]:
        out(f"faults:   {len(r['faults'])}\n")
        for f in r["faults"]:
            line = f" line {f['line']}" if f["line"] is not None else ""
            out(f"  FAULT {f['kind']}: author {f['author'] or '-'} sequence "
                f"{f['sequence'] if f['sequence'] is not None else '-'} entry "
                f"{f['id'] or '-'}{line}: {f['detail']}\n")
        out("RESULT: FAULTS FOUND\n")
    else:
        out("faults:   none\nRESULT: INTACT\n")


# --------------------------------------------------------------------------------------
# Test vectors (section 10)

def _memory_bundle(ledger: bytes, raws: list[bytes], payloads: list[bytes]) -> Bundle:
    return Bundle(path="<vectors>", ledger=ledger,
                  entries=[Item(i + 2, "entry", raw) for i, raw in enumerate(raws)],
                  forks=[], payloads=[(len(raws) + 2 + i, p) for i, p in enumerate(payloads)])


def canonicalise(text: str) -> bytes:
    """Parse JSON text (strictly: no duplicate keys, floats, NaN) and re-serialise it."""
    value = json.loads(text, object_pairs_hook=_pairs, parse_float=_reject_float,
                       parse_constant=_reject_constant)
    _check_values(value)
    return canonical_json(value)


def check_vectors(directory: str) -> int:
    """Section 10. Return 0 if every vector agrees with this verifier, 1 if any
    disagrees, 2 if the vectors cannot be read."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    def load(name: str) -> Any:
        with open(os.path.join(directory, name), "rb") as fh:
            return json.loads(fh.read().decode("utf-8"))

    try:
        doc = load("entries.json")
    except FileNotFoundError:
        print(f"error: {os.path.join(directory, 'entries.json')} does not exist "
              f"(no test vectors yet)", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: cannot read entries.json: {exc}", file=sys.stderr)
        return 2

    problems: list[str] = []
    notes: list[str] = []
    checked = 0

    def expect(cond: bool, what: str) -> bool:
        nonlocal checked
        checked += 1
        if not cond:
            problems.append(what)
        return cond

    try:
        keys = doc["keys"]
        ledger = bytes.fromhex(doc["ledger"])
        payloads = [bytes.fromhex(doc["payload"])] if doc.get("payload") else []
        valid = {v["name"]: v for v in doc["valid"]}
        invalid = list(doc["invalid"])
    except (KeyError, TypeError, ValueError) as exc:
        print(f"error: entries.json lacks the expected structure ({exc!r})", file=sys.stderr)
        return 2

    # The fixed keys of section 10.
    for name in ("hq", "field"):
        k = keys.get(name, {})
        pub = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(k["seed"])) \
            .public_key().public_bytes_raw()
        expect(pub.hex() == k.get("publicKey"), f"keys.{name}: publicKey is not the seed's key")
    expect(keys["hq"]["seed"] == "01" * 32 and keys["field"]["seed"] == "02" * 32,
           "keys: seeds differ from the table in FORMAT.md 10")
    if "sealingPrivate" in keys:
        expect(keys["sealingPrivate"] == "03" * 32,
               "keys.sealingPrivate differs from FORMAT.md 10")
        spub = X25519PrivateKey.from_private_bytes(bytes.fromhex(keys["sealingPrivate"])) \
            .public_key().public_bytes_raw()
        expect(spub.hex() == keys.get("sealingPublic"),
               "keys.sealingPublic is not the X25519 key of sealingPrivate")
    for extra in sorted(set(keys) - {"hq", "field", "sealingPrivate", "sealingPublic"}):
        notes.append(f"keys.{extra} is not in the table of FORMAT.md 10")
    hq = bytes.fromhex(keys["hq"]["publicKey"])

    def needed(raws: list[bytes]) -> list[bytes]:
        """The vectors' payloads named by these entries (a bundle carries only those)."""
        named = set()
        for r in raws:
            try:
                d = parse_entry(r).digest
            except Malformed:
                continue
            if d is not None:
                named.add(d)
        return [p for p in payloads if hashlib.sha256(p).digest() in named]

    def chain(name: str | None) -> list[bytes]:
        out: list[bytes] = []
        seen = set()
        while name is not None:
            if name in seen or name not in valid:
                problems.append(f"'after': {name!r} is not a valid vector (or a cycle)")
                break
            seen.add(name)
            out.append(bytes.fromhex(valid[name]["bytes"]))
            name = valid[name].get("after")
        return out[::-1]

    # Valid vectors: parse, id, signed message, signature, stated fields, full
    # verification in context, and every single-byte flip must fail.
    for name, v in valid.items():
        raw = bytes.fromhex(v["bytes"])
        try:
            e = parse_entry(raw)
        except Malformed as exc:
            expect(False, f"valid {name}: does not parse: {exc.reason}")
            continue
        expect(e.id.hex() == v.get("id"), f"valid {name}: id is not SHA-256 of its bytes")
        if "signedMessage" in v:
            expect(bytes.fromhex(v["signedMessage"]) == ENTRY_DOMAIN + e.signed_part,
                   f"valid {name}: signedMessage is not prefix || fields 1-13")
        expect(signature_valid(e), f"valid {name}: signature does not verify")
        expect(v.get("author") == e.author.hex(), f"valid {name}: author differs")
        expect(v.get("sequence") == e.sequence, f"valid {name}: sequence differs")
        expect(v.get("type") == e.type, f"valid {name}: type differs")
        if "body" in v:
            expect(v["body"].encode("utf-8") == e.body, f"valid {name}: body differs")
        expect(v.get("payloadDigest") == (e.digest.hex() if e.digest else None),
               f"valid {name}: payloadDigest differs")
        if e.digest is not None:
            expect(any(hashlib.sha256(p).digest() == e.digest for p in payloads),
                   f"valid {name}: the vectors' payload does not hash to its digest")
        if e.sequence == 1 and e.author == hq:
            expect(e.id == ledger, f"valid {name}: genesis id is not the vectors' ledger")
            if "sealingPublic" in keys:
                expect(json.loads(e.body).get("sealingKey") == keys["sealingPublic"],
                       f"valid {name}: the genesis sealingKey is not keys.sealingPublic")
        context = chain(v.get("after"))
        at_hand = needed(context + [raw])
        rep = verify_bundle(_memory_bundle(ledger, context + [raw], at_hand), hq)
        expect(not rep["faults"], f"valid {name}: verification in context reports "
               + "; ".join(f"{f['kind']} ({f['detail']})" for f in rep["faults"]))
        missed = []
        for offset in range(len(raw)):
            flipped = bytearray(raw)
            flipped[offset] ^= 0x01
            rep = verify_bundle(_memory_bundle(ledger, context + [bytes(flipped)], at_hand), hq)
            if not rep["faults"]:
                missed.append(offset)
        expect(not missed, f"valid {name}: flipping byte(s) at offset(s) {missed[:10]} "
                           f"is not detected")

    # Invalid vectors: each must be rejected with its expected fault kind.
    for v in invalid:
        name, want = v.get("name"), v.get("fault")
        raw = bytes.fromhex(v["bytes"])
        context = chain(v.get("after"))
        rep = verify_bundle(_memory_bundle(ledger, context + [raw], needed(context + [raw])), hq)
        line = len(context) + 2
        own = [f for f in rep["faults"] if f["line"] == line]
        kinds = [f["kind"] for f in own]
        if expect(want in kinds, f"invalid {name}: expected {want}, this verifier reports "
                                 f"{kinds or 'no fault'}"):
            if kinds[0] != want:
                notes.append(f"invalid {name}: expected {want}; first fault in section 8 "
                             f"order here is {kinds[0]} (all: {', '.join(kinds)})")

    # bundle.jsonl: a valid bundle of the same ledger.
    bpath = os.path.join(directory, "bundle.jsonl")
    if os.path.exists(bpath):
        try:
            b = read_bundle(bpath)
        except BundleError as exc:
            expect(False, f"bundle.jsonl refused: {exc}")
        else:
            rep = verify_bundle(b)
            expect(rep["intact"], "bundle.jsonl: " + "; ".join(
                f"{f['kind']} seq {f['sequence']} ({f['detail']})" for f in rep["faults"]))
            expect(b.ledger == ledger, "bundle.jsonl: another ledger than entries.json")
            warnings = [w for w in rep["warnings"] if not w.startswith(FUTURE)]
            expect(not warnings, f"bundle.jsonl warnings: {warnings}")
    else:
        problems.append("bundle.jsonl is missing")

    # receipt.json: section 5.
    try:
        receipts = load("receipt.json")
    except FileNotFoundError:
        receipts = None
        problems.append("receipt.json is missing")
    for i, r in enumerate(receipts or []):
        sym = r.get("symbols", "")
        expect(normalise_receipt(r.get("typed", "")) == sym,
               f"receipt.json[{i}]: typed input does not normalise to its symbols")
        expect("-".join(sym[k:k + 4] for k in range(0, 16, 4)) == r.get("code"),
               f"receipt.json[{i}]: code is not the symbols shown as XXXX-XXXX-XXXX-XXXX")
        expect(receipt_hash(bytes.fromhex(r["ledger"]), sym).hex() == r.get("receiptHash"),
               f"receipt.json[{i}]: receiptHash differs")

    # canonical-json.json: section 3.
    try:
        canon = load("canonical-json.json")
    except FileNotFoundError:
        canon = None
        problems.append("canonical-json.json is missing")
    for i, c in enumerate(canon or []):
        try:
            got = canonicalise(c["input"])
        except (ValueError, BodyError) as exc:
            expect(False, f"canonical-json.json[{i}]: input rejected: {exc}")
            continue
        expect(got == c["canonical"].encode("utf-8"),
               f"canonical-json.json[{i}]: canonical form differs")
        try:
            parse_canonical_body(c["canonical"].encode("utf-8"))
        except BodyError as exc:
            expect(False, f"canonical-json.json[{i}]: 'canonical' is not canonical: {exc}")

    for n in notes:
        print(f"note: {n}")
    for p in problems:
        print(f"DISAGREE: {p}")
    print(f"{checked} checks, {len(problems)} disagreement(s): "
          f"{len(valid)} valid and {len(invalid)} invalid entry vectors, "
          f"{len(receipts or [])} receipts, {len(canon or [])} canonical JSON cases")
    return 1 if problems else 0


# --------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="verify_bundle.py",
        description="Verify a Ledger bundle (FORMAT.md, format 1) in full mode, "
                    "or check the test vectors.")
    parser.add_argument("bundle", nargs="?", help="the bundle file (ledgerctl export)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--vectors", metavar="DIR", help="check the test vectors in DIR")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    if args.vectors is not None:
        if args.bundle is not None:
            parser.print_usage(sys.stderr)
            print("error: give either BUNDLE or --vectors DIR", file=sys.stderr)
            return 2
        return check_vectors(args.vectors)
    if args.bundle is None:
        parser.print_usage(sys.stderr)
        print("error: no bundle given", file=sys.stderr)
        return 2
    try:
        bundle = read_bundle(args.bundle)
    except BundleError as exc:
        msg = f"bundle refused: {exc}"
        if args.json:
            print(json.dumps({"bundle": args.bundle, "refused": str(exc)}))
        print(msg, file=sys.stderr)
        return 2
    report = verify_bundle(bundle)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0 if report["intact"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
