#!/usr/bin/env python3
"""Independent verifier for Ledger bundles and test vectors.

Written from docs/FORMAT.md (format version 1) alone, without Ledger's Swift code.
Dependencies: the Python 3 standard library and `cryptography` (Ed25519).

Written from docs/FORMAT.md (format version 1, including section 8 "Forks") and
docs/READMODELS.md (how signatures are counted), without Ledger's Swift code.

Usage:
    verify_bundle.py BUNDLE [--json]     verify an exported bundle (full mode) and count
                                         its signatures per campaign
    verify_bundle.py --vectors DIR       check docs/test-vectors/

Exit status (as ledgerctl's, docs/CLI.md):
  0  intact: every entry verifies, nothing to note;
  1  a fault: the bundle is damaged or altered (or a test vector disagrees), including a
     bundle refused whole: truncated, a line not exactly in the form of FORMAT.md 9, a
     wrong line count or end checksum, a payload no entry names;
  2  usage error;
  3  the file cannot be read, or is a bundle of another format version;
  4  intact, but it holds evidence: a forked log, or entries outside their authors'
     rights (`unauthorised`: kept as evidence, never counted).

The report never prints payload contents or body values other than campaign ids,
titles, device names and public facts (channel, country); no personal data is in the
log (docs/PRIVACY.md).
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
import unicodedata
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
CAMPAIGN_ID = re.compile(r"[a-z0-9][a-z0-9\-]{0,63}\Z")
LANGUAGE = re.compile(r"[A-Za-z0-9\-]{2,16}\Z")
COUNTRY = re.compile(r"[A-Z]{2}\Z")
POSTCODE_AREA = re.compile(r"[A-Z0-9]{1,2}\Z")
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
T_ADOPTED = "fork.adopted"
T_ERASED = "payload.erased"
T_REFERENCED = "signer.referenced"
T_PAPER = "paper.issued"
KNOWN_TYPES = {T_CREATED, T_PUBLISHED, T_CLOSED, T_SIGNATURE, T_COMMENT, T_WITHDRAWN,
               T_UPDATED, T_HIDDEN, T_ENROLLED, T_REVOKED, T_ADOPTED, T_ERASED, T_REFERENCED,
               T_PAPER}
FIELD_DEVICE_TYPES = {T_SIGNATURE, T_COMMENT, T_WITHDRAWN}              # section 4, Rights
ROOT_ONLY_TYPES = {T_CREATED, T_ENROLLED, T_REVOKED, T_ADOPTED, T_ERASED,   # section 4, Rights
                   T_REFERENCED}
MAX_REFERENCES = 400           # section 4, signer.referenced
MAX_AT_SEQUENCE = 4            # section 8, Forks, rule 2: entries per (author, sequence)
MAX_BRANCH_ENTRIES = 10_000    # section 8, Forks, rule 2: branch entries per author (not root)
MAX_HEADS = 64                 # section 4, fork.adopted
MAX_PAPER_ROWS = 1000          # section 4, paper.issued
MAX_LINK_BYTES = 2000          # section 4, rule link
MAX_SHARE_TEXTS = 10           # section 4, rule share
MAX_SHARE_BYTES = 1000
ROLES = {"field", "hq", "observer"}

# The step of section 8 each fault kind belongs to (faults are listed in this order).
STEP = {
    "malformed": 1, "id-mismatch": 1, "bad-signature": 1,
    "sequence-gap": 2, "broken-link": 2, "clock-regression": 2,
    "wrong-ledger": 3, "bad-genesis": 3, "unknown-type": 4, "invalid-body": 5,
    "payload-flag": 6, "missing-payload": 6, "payload-mismatch": 6,
    "unknown-author": 7, "unauthorised": 7, "fork": 8, "fork-limit": 8,
}
FAULT_KINDS = tuple(STEP)
# Kinds that do not make a bundle damaged: validly signed entries that a ledger keeps as
# evidence (section 4, "Rights"; section 8, "Forks": every branch is kept, and an entry
# beyond the bounds is refused, not stored, without refusing the rest). Every other kind
# means the bundle is not intact.
EVIDENCE_KINDS = {"unauthorised", "fork", "fork-limit"}


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
    if sequence > INT_MAX:
        raise Malformed("sequence is above 2^63 - 1", partial)
    previous = take(32, "previous")
    (wall,) = struct.unpack(">Q", take(8, "timestamp.wall"))
    if wall > INT_MAX:
        raise Malformed("timestamp.wall is above 2^63 - 1", partial)
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
    seen: set[str] = set()
    for key, value in pairs:
        if key in obj:
            raise BodyError("a duplicate key")
        # FORMAT.md section 3: no two keys that are the same text in Unicode's canonical
        # equivalence (readers that compare keys that way would merge them).
        folded = unicodedata.normalize("NFD", key)
        if folded in seen:
            raise BodyError("two keys that are canonically equivalent")
        seen.add(folded)
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


def _deadline_ms(body: dict[str, Any]) -> int | None:
    """A campaign body's deadline as milliseconds since 1970 (UTC), or None."""
    text = body.get("deadline")
    if not isinstance(text, str) or not _valid_deadline(text):
        return None
    moment = datetime.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(moment.timestamp()) * 1000 + int(text[20:23])


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
    """Collects problems while checking a body against a field table. Each problem starts
    with the name of the body rule it breaks (FORMAT.md 4, "Body rules"): `fields` when a
    field is missing or of another JSON type. Unknown fields are not problems: "a format 1
    reader ignores unknown fields" (section 4); they are collected in `unknown` so that the
    report can mention them."""

    def __init__(self, obj: dict[str, Any], where: str = ""):
        self.obj = obj
        self.where = where
        self.problems: list[str] = []
        self.unknown: list[str] = []
        self.seen: set[str] = set()

    def _name(self, key: str) -> str:
        return f"{self.where}{_safe(key)}"

    def get(self, key: str, kind: Any, check=None, what: str = "", rule: str = "fields",
            optional: bool = False) -> Any:
        """The field's value when it is present, of JSON type `kind` and passes `check`
        (else a problem of `rule`); None otherwise."""
        self.seen.add(key)
        if key not in self.obj:
            if not optional:
                self.problem("fields", f"missing field '{self._name(key)}'")
            return None
        value = self.obj[key]
        if not _of_kind(value, kind):
            self.problem("fields", f"field '{self._name(key)}' is not {KIND_WHAT[kind]}")
            return None
        if check is not None and not check(value):
            self.problem(rule, f"field '{self._name(key)}' is not {what}")
            return None
        return value

    def problem(self, rule: str, text: str) -> None:
        self.problems.append(f"{rule}: {text}")

    def finish(self) -> list[str]:
        self.unknown.extend(self._name(k) for k in sorted(set(self.obj) - self.seen))
        return self.problems


KIND_WHAT = {str: "a string", int: "an integer", bool: "a boolean", list: "an array",
             dict: "an object"}


def _of_kind(v: Any, kind: Any) -> bool:
    if kind is int:
        return _is_int(v) and INT_MIN <= v <= INT_MAX
    return isinstance(v, kind)


def _hex32(v: Any) -> bool:
    return isinstance(v, str) and bool(HEX32.match(v))


def _campaign(v: Any) -> bool:
    return isinstance(v, str) and bool(CAMPAIGN_ID.match(v))


def _references(v: Any) -> bool:
    """signer.referenced references: 1 to 400 {signature, signer} objects, both 32 bytes of
    lower-case hex, in ascending order of signature, each once (section 4)."""
    if not isinstance(v, list) or not 1 <= len(v) <= MAX_REFERENCES:
        return False
    ids = []
    for item in v:
        if not isinstance(item, dict) or not _hex32(item.get("signature")) or not _hex32(item.get("signer")):
            return False
        ids.append(item["signature"])
    return all(a < b for a, b in zip(ids, ids[1:]))


def _language(v: Any) -> bool:
    return isinstance(v, str) and bool(LANGUAGE.match(v))


def _str_list(v: Any) -> bool:
    return all(isinstance(x, str) for x in v)


def _heads(v: Any) -> bool:
    """fork.adopted heads: 1 to 64 entry ids, distinct, in ascending byte order (for
    lower-case hex, byte order is string order)."""
    return (1 <= len(v) <= MAX_HEADS and all(_hex32(h) for h in v)
            and all(v[i] < v[i + 1] for i in range(len(v) - 1)))


def _link(v: str) -> bool:
    """A campaign's link: https:// and 1 or more of 0x21-0x7E, 2000 bytes at most (section 4)."""
    raw = v.encode("utf-8")
    return (8 < len(raw) <= MAX_LINK_BYTES and raw.startswith(b"https://")
            and all(0x21 <= b <= 0x7E for b in raw))


def _share(v: list) -> bool:
    """A text's share: 1 to 10 strings, each 1 to 1000 bytes of UTF-8 with no control
    character (U+0000-U+001F, U+007F-U+009F) other than line feed (section 4)."""
    return (1 <= len(v) <= MAX_SHARE_TEXTS and all(
        isinstance(t, str) and 1 <= len(t.encode("utf-8")) <= MAX_SHARE_BYTES
        and all(c == "\n" or not (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F) for c in t) for t in v))


CAMPAIGN_WHAT = "a campaign id (1-64 of a-z 0-9 -, not starting with -)"
HEX_WHAT = "32 bytes of lower-case hex"


def check_body(entry_type: str, body: dict[str, Any], author: bytes,
               unknown: list[str] | None = None) -> list[str]:
    """Section 4: the type's fields and body rules. Returns problems, each starting with the
    rule's name (field names only, never values); unknown fields are appended to `unknown`
    when given."""
    f = _Fields(body)
    subs: list[_Fields] = []

    def campaign_id() -> None:
        f.get("campaign", str, _campaign, CAMPAIGN_WHAT, "campaign-id")

    if entry_type == T_CREATED:
        f.get("name", str)
        f.get("hqKey", str)            # must equal the author: bad-genesis (step 3)
        f.get("sealingKey", str, _hex32, HEX_WHAT, "sealing-key")
    elif entry_type in (T_PUBLISHED, T_UPDATED):
        campaign_id()
        languages = f.get("languages", list, _str_list, "an array of strings")
        texts = f.get("texts", dict)
        f.get("goal", int, lambda v: v >= 1, "1 or more", "goal", optional=True)
        f.get("deadline", str, _valid_deadline, "a UTC time YYYY-MM-DDTHH:MM:SS.mmmZ",
              "deadline", optional=True)
        f.get("retentionDays", int, lambda v: 1 <= v <= 36500,
              "a number of days from 1 to 36500", "retention-days", optional=True)
        f.get("link", str, _link, "https:// and 1 to 1992 printable ASCII characters without spaces",
              "link", optional=True)
        if texts is not None:
            for lang in sorted(texts):
                text = texts[lang]
                where = f"texts.{_safe(lang)}."
                if not isinstance(text, dict):
                    f.problem("fields", f"field 'texts.{_safe(lang)}' is not an object")
                    continue
                t = _Fields(text, where)
                t.get("title", str)
                t.get("summary", str)
                t.get("body", str)
                t.get("demands", list, _str_list, "an array of strings")
                letter = t.get("letter", dict, optional=True)
                share = t.get("share", list, _str_list, "an array of strings", optional=True)
                if share is not None and not _share(share):
                    t.problem("share", f"field '{where}share' is not 1 to {MAX_SHARE_TEXTS} texts of 1 to "
                                       f"{MAX_SHARE_BYTES} bytes without control characters other than line feed")
                subs.append(t)
                if letter is not None:
                    lt = _Fields(letter, where + "letter.")
                    lt.get("recipient", str)
                    lt.get("text", str)
                    subs.append(lt)
        if languages is not None and texts is not None:
            # Section 4: 1 or more language codes, each once, exactly the keys of texts.
            if not languages:
                f.problem("languages", "field 'languages' is empty")
            elif not all(_language(x) for x in languages):
                f.problem("languages", "field 'languages' holds a string that is not a language "
                                       "code (2-16 of A-Z a-z 0-9 -)")
            elif len(set(languages)) != len(languages):
                f.problem("languages", "field 'languages' lists a language twice")
            elif set(languages) != set(texts):
                f.problem("languages", "field 'languages' is not exactly the keys of 'texts'")
    elif entry_type == T_CLOSED:
        campaign_id()
        f.get("reason", str, optional=True)
    elif entry_type == T_SIGNATURE:
        campaign_id()
        f.get("campaignVersion", str, _hex32, HEX_WHAT, "campaign-version")
        channel = f.get("channel", str, lambda v: v in CHANNELS, "one of kiosk, paper, manual, import")
        paper_list = f.get("paperList", int, lambda v: v >= 1, "an integer of 1 or more", "paper-list",
                           optional=True)
        f.get("paperRow", int, lambda v: v >= 1, "an integer of 1 or more", "paper-row", optional=True)
        if paper_list is not None and channel is not None and channel != "paper":
            f.problem("paper-list", "field 'paperList' goes only with channel paper")
        if "paperRow" in body and "paperList" not in body:
            f.problem("paper-row", "field 'paperRow' goes only with a paperList")
        f.get("country", str, lambda v: bool(COUNTRY.match(v)), "two upper-case ASCII letters",
              "country", optional=True)
        f.get("postcodeArea", str, lambda v: bool(POSTCODE_AREA.match(v)),
              "one or two upper-case ASCII letters or digits", "postcode-area", optional=True)
        f.get("consentContact", bool)
        f.get("signer", str, _hex32, HEX_WHAT, "signer", optional=True)
        f.get("receiptHash", str, _hex32, HEX_WHAT, "receipt-hash")
    elif entry_type == T_COMMENT:
        campaign_id()
        f.get("displayName", str)
        f.get("text", str)
        f.get("signature", str, _hex32, HEX_WHAT, "entry-id", optional=True)
    elif entry_type == T_WITHDRAWN:
        f.get("signature", str, _hex32, HEX_WHAT, "entry-id")
        f.get("receipt", str, lambda v: bool(RECEIPT_SYMBOLS.match(v)),
              "16 receipt symbols (section 5 alphabet, upper case, no dashes)", "receipt",
              optional=True)
        f.get("reason", str, optional=True)
        f.get("erase", bool, lambda v: v is True, "true (or absent)", "erase", optional=True)
    elif entry_type == T_HIDDEN:
        f.get("comment", str, _hex32, HEX_WHAT, "entry-id")
        f.get("reason", str)
    elif entry_type == T_ENROLLED:
        f.get("device", str, _hex32, HEX_WHAT, "device-key")
        f.get("name", str)
        f.get("role", str, lambda v: v in ROLES, "field, hq or observer")
    elif entry_type == T_REVOKED:
        f.get("device", str, _hex32, HEX_WHAT, "device-key")
        f.get("afterSequence", int, lambda v: v >= 0, "a sequence number (0 or more)",
              "after-sequence")
        f.get("reason", str, optional=True)
    elif entry_type == T_REFERENCED:
        f.get("references", list, _references,
              f"1 to {MAX_REFERENCES} objects {{signature, signer}} (lower-case hex), "
              f"in ascending order of signature, each once", "references")
    elif entry_type == T_ERASED:
        f.get("signature", str, _hex32, HEX_WHAT, "entry-id")
        f.get("payload", str, _hex32, HEX_WHAT, "payload-digest")
        f.get("reason", str, optional=True)
    elif entry_type == T_PAPER:
        campaign_id()
        f.get("list", int, lambda v: v >= 1, "an integer of 1 or more", "paper-issue")
        f.get("rows", int, lambda v: 1 <= v <= MAX_PAPER_ROWS, f"an integer from 1 to {MAX_PAPER_ROWS}",
              "paper-issue")
        f.get("device", str, _hex32, HEX_WHAT, "device-key", optional=True)
    elif entry_type == T_ADOPTED:
        f.get("device", str, _hex32, HEX_WHAT, "device-key")
        f.get("heads", list, _heads, "1 to 64 distinct entry ids (lower-case hex) in ascending order",
              "heads")
        f.get("reason", str, optional=True)
    else:  # pragma: no cover - callers check the type first
        return [f"fields: unknown type {entry_type}"]
    problems = f.finish()
    for sub in subs:
        problems.extend(sub.finish())
        f.unknown.extend(sub.unknown)
    if unknown is not None:
        unknown.extend(f.unknown)
    return problems


def receipt_hash(ledger_id: bytes, symbols: str) -> bytes:
    """Section 5."""
    return hashlib.sha256(RECEIPT_DOMAIN + ledger_id + symbols.encode("ascii")).digest()


def paper_check_code(entry_id: bytes) -> str:
    """Section 4, paper.issued: the first 25 bits of the entry id, most significant first, as
    5 symbols of the section 5 alphabet."""
    bits = int.from_bytes(entry_id[:4], "big") >> 7
    return "".join(CROCKFORD[(bits >> (5 * (4 - i))) & 31] for i in range(5))


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
    """The bundle is refused whole: exit 1 (its content failed verification), or exit 3
    when `other` (the file cannot be read, or is a bundle of another format version)."""

    def __init__(self, reason: str, other: bool = False):
        super().__init__(reason)
        self.other = other


@dataclass
class Item:
    line: int                 # 1-based line number in the bundle
    kind: str                 # "entry" or "fork"
    raw: bytes
    entry: Entry | None = None
    malformed: Malformed | None = None
    sig_ok: bool = False
    sound: bool = False       # passes steps 1, 3, 4, 5 and the payload flag of 6 on its own
    body: dict[str, Any] | None = None   # the parsed body, when it passes step 5
    link_ok: bool = False     # step 2 found nothing wrong with its link
    branch: bool = False      # not on the exporting node's log (a `fork` line, or a second
                              # entry line at one author and sequence)
    repeat: bool = False      # the same bytes as an earlier line: ignored
    held: bool = False        # valid, linked into its author's tree and within the bounds:
                              # what a node stores (section 8, "Forks", rules 1 and 2)


@dataclass
class Bundle:
    path: str
    ledger: bytes
    entries: list[Item]
    forks: list[Item]
    payloads: list[tuple[int, bytes]]   # (line, payload bytes)
    warnings: list[str] = field(default_factory=list)


# Section 9: every line exactly in this form (no whitespace, no other or repeated members,
# the header's members in this order, integers in plain decimal, canonical padded base64).
HEADER_LINE = re.compile(rb'\{"bundle":"ledger-bundle","version":1,"ledger":"([0-9a-f]{64})",'
                         rb'"entries":([0-9]+),"forks":([0-9]+),"payloads":([0-9]+)\}')
ITEM_LINE = re.compile(rb'\{"(entry|fork|payload)":"([A-Za-z0-9+/]*={0,2})"\}')
END_LINE = re.compile(rb'\{"end":"([0-9a-f]{64})"\}')


def _line_problem(line: bytes) -> str:
    """Why a line is not in the form of section 9, in words (never its content)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return "it is not UTF-8"
    try:
        json.loads(text, object_pairs_hook=_pairs)
    except BodyError:
        return "it repeats a member"
    except ValueError:
        return "it is not JSON"
    if any(c in text for c in " \t\r\n"):
        return "it has whitespace"
    return "its members, their order or their values differ from that form"


def _canonical_b64(text: bytes, where: str) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BundleError(f"{where}: the value is not valid base64") from None
    if base64.b64encode(data) != text:
        raise BundleError(f"{where}: the value is not in canonical padded base64")
    return data


def read_bundle(path: str) -> Bundle:
    """Read a bundle, refusing it whole (BundleError) unless every line is exactly in the
    form of section 9 and the line count and end checksum agree."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise BundleError(f"cannot read {path}: {exc.strerror or exc}", other=True) from None
    return parse_bundle(data, path)


def parse_bundle(data: bytes, path: str = "<bundle>") -> Bundle:
    if not data:
        raise BundleError("the bundle is empty")
    if not data.endswith(b"\n"):
        raise BundleError("the last line is incomplete (no final newline): truncated bundle")
    lines = data[:-1].split(b"\n")
    m = HEADER_LINE.fullmatch(lines[0])
    version = re.match(rb'\{"bundle":"ledger-bundle","version":(-?[0-9]+)[,}]', lines[0])
    if not m and version and int(version.group(1)) != VERSION:
        raise BundleError(f"bundle format version {int(version.group(1))} is not supported by "
                          f"this verifier (it reads version {VERSION})", other=True)
    if not m:
        raise BundleError("line 1 is not the header in the exact form of FORMAT.md 9: "
                          + _line_problem(lines[0]))
    counts = []
    for name, digits in zip(("entries", "forks", "payloads"), m.group(2, 3, 4)):
        # Plain decimal: no leading zeros. Checked against the number of lines before any
        # arithmetic with it (section 9).
        if len(digits) > 1 and digits.startswith(b"0"):
            raise BundleError(f"line 1: the header's {name} count has a leading zero")
        if len(digits) > len(str(len(lines))) or int(digits) > len(lines):
            raise BundleError(f"line 1: the header announces more {name} than the file "
                              f"has lines ({len(lines)})")
        counts.append(int(digits))
    n_e, n_f, n_p = counts
    expected_lines = n_e + n_f + n_p + 2
    if len(lines) != expected_lines:
        raise BundleError(f"the bundle has {len(lines)} lines, the header announces "
                          f"{expected_lines} (E+F+P+2): truncated or padded bundle")
    end = END_LINE.fullmatch(lines[-1])
    if not end:
        raise BundleError(f'line {len(lines)} is not {{"end":"<hex SHA-256>"}} in the exact '
                          f"form of FORMAT.md 9: " + _line_problem(lines[-1]))
    covered = data[:len(data) - len(lines[-1]) - 1]   # every byte before the end line
    actual = hashlib.sha256(covered).hexdigest()
    if actual != end.group(1).decode("ascii"):
        raise BundleError(f"the end checksum differs: the file says {end.group(1).decode()}, "
                          f"its bytes hash to {actual}")

    def item_line(i: int, key: str) -> bytes:
        where = f"line {i + 1}"
        m = ITEM_LINE.fullmatch(lines[i])
        if not m:
            raise BundleError(f'{where} is not {{"{key}":"<base64>"}} in the exact form of '
                              f"FORMAT.md 9: " + _line_problem(lines[i]))
        if m.group(1).decode("ascii") != key:
            raise BundleError(f'{where} is a "{m.group(1).decode()}" line where the header '
                              f'puts "{key}" lines')
        return _canonical_b64(m.group(2), where)

    entries = [Item(i + 1, "entry", item_line(i, "entry")) for i in range(1, 1 + n_e)]
    forks = [Item(i + 1, "fork", item_line(i, "fork"))
             for i in range(1 + n_e, 1 + n_e + n_f)]
    payloads = [(i + 1, item_line(i, "payload"))
                for i in range(1 + n_e + n_f, 1 + n_e + n_f + n_p)]
    return Bundle(path=path, ledger=bytes.fromhex(m.group(1).decode("ascii")),
                  entries=entries, forks=forks, payloads=payloads)


# --------------------------------------------------------------------------------------
# Verification (section 8, full mode; section 8 "Forks")

class Report:
    def __init__(self) -> None:
        self.faults: list[dict[str, Any]] = []
        self.warnings: list[str] = []

    def fault(self, kind: str, item: Item | None, detail: str) -> None:
        assert kind in FAULT_KINDS, kind
        e = item.entry if item else None
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


def order_key(e: Entry) -> tuple[int, int, bytes, int, bytes]:
    """Section 7 / READMODELS: (wall, counter, author bytes, sequence). Two branch entries
    can share all four; the entry id breaks that tie (the docs give no rule for it)."""
    return (e.wall, e.counter, e.author, e.sequence, e.id)


def _intrinsic_checks(rep: Report, item: Item, hq: bytes | None, ledger_id: bytes,
                      unknown_fields: dict[str, int]) -> None:
    """Steps 1b, 3, 4, 5 and the payload flag of 6, for one entry on its own. Sets
    item.sound when none fails, and item.body when the body passes step 5."""
    e = item.entry
    assert e is not None
    before = len(rep.faults)
    if not item.sig_ok:
        rep.fault("bad-signature", item, "the Ed25519 signature does not verify under the author key")

    is_hq = hq is not None and e.author == hq
    # Step 3: ledger field and genesis rules.
    if is_hq and e.sequence == 1:
        if e.ledger != ZERO32:
            rep.fault("bad-genesis", item, "HQ's sequence 1 has a non-zero ledger field")
        if e.type != T_CREATED:
            rep.fault("bad-genesis", item, f"HQ's sequence 1 has type {e.type}, not {T_CREATED}")
        elif e.id != ledger_id:
            rep.fault("bad-genesis", item, f"a second {T_CREATED} (another genesis at HQ's "
                                           f"sequence 1, on a branch)")
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
            unknown: list[str] = []
            problems = check_body(e.type, body, e.author, unknown)
            for problem in problems:
                rep.fault("invalid-body", item, problem)
            for name in unknown:
                key = f"{e.type} field '{name}'"
                unknown_fields[key] = unknown_fields.get(key, 0) + 1
            if e.type == T_CREATED and body.get("hqKey") not in (None, e.author.hex()):
                rep.fault("bad-genesis", item, "hqKey differs from the entry's author")
            if not problems:
                item.body = body
        # Step 6: payload flag (the payload itself is checked with the payload lines).
        want = 1 if e.type == T_SIGNATURE else 0
        if e.flag != want:
            rep.fault("payload-flag", item, f"payload flag is {e.flag}, {e.type} requires {want}")
    item.sound = len(rep.faults) == before


def _find_hq(rep: Report, b: Bundle, trust_root: bytes | None) -> tuple[bytes | None, bytes]:
    """HQ is the author of the genesis entry (section 1): the entry whose id is the
    header's ledger id; failing that, a validly signed entry with sequence 1, a zero ledger
    field and type ledger.created; failing that, the first entry line's author. Returns
    HQ's key and the ledger id."""
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
    ledger_id = b.ledger
    # The ledger id is the genesis entry's id. The header's copy is not signed: trust a
    # validly signed genesis over it, and report the disagreement.
    if genesis is not None and genesis.sig_ok and genesis.entry.ledger == ZERO32:
        ledger_id = genesis.entry.id
        if ledger_id != b.ledger:
            rep.fault("id-mismatch", genesis, "the header's ledger id "
                      f"{b.ledger.hex()} is not the id of the genesis entry")
    if not any(it.entry.author == hq and it.entry.sequence == 1 for it in parsed):
        rep.fault("bad-genesis", None, "the bundle holds no genesis entry (HQ, sequence 1)")
    return hq, ledger_id


def _chain_checks(rep: Report, b: Bundle) -> dict[bytes, dict[int, Item]]:
    """Step 2. Entry lines are the exporting node's log, checked as a log; fork lines (and a
    second entry line at one author and sequence) are branch entries, checked against the
    entry they name as previous (section 8, "Forks", rule 1). Returns the logs."""
    logs: dict[bytes, dict[int, Item]] = {}
    seen: dict[bytes, Item] = {}
    for item in b.entries + b.forks:
        e = item.entry
        if e is None:
            continue
        if e.id in seen:
            item.repeat = True
            rep.warnings.append(f"line {item.line}: repeats the entry on line {seen[e.id].line}")
            continue
        seen[e.id] = item
        if item.kind == "fork":
            item.branch = True
            continue
        log = logs.setdefault(e.author, {})
        if e.sequence in log:
            item.branch = True
            rep.warnings.append(f"line {item.line}: a second entry line at author "
                                f"{e.author.hex()[:12]} sequence {e.sequence}; FORMAT.md 9 "
                                f"puts branch entries on fork lines")
        else:
            log[e.sequence] = item

    for author, log in logs.items():
        prev: Item | None = None
        for seq in sorted(log):
            item = log[seq]
            e = item.entry
            before = len(rep.faults)
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
            item.link_ok = len(rep.faults) == before
            prev = item

    at: dict[tuple[bytes, int], list[Item]] = {}
    for item in seen.values():
        at.setdefault((item.entry.author, item.entry.sequence), []).append(item)
    for item in seen.values():
        if not item.branch:
            continue
        e = item.entry
        before = len(rep.faults)
        if e.sequence == 1:
            if e.previous != ZERO32:
                rep.fault("broken-link", item, "sequence 1 has a non-zero previous")
        else:
            parents = at.get((e.author, e.sequence - 1), [])
            linked = [p for p in parents if p.entry.id == e.previous]
            if not parents:
                rep.fault("sequence-gap", item,
                          f"no entry of this author at sequence {e.sequence - 1}")
            elif not linked:
                rep.fault("broken-link", item,
                          f"previous is the id of no entry of this author at sequence "
                          f"{e.sequence - 1}")
            elif e.timestamp <= linked[0].entry.timestamp:
                rep.fault("clock-regression", item,
                          "timestamp is not after that of the entry it links to")
        item.link_ok = len(rep.faults) == before
    return logs


def _hold(rep: Report, b: Bundle, hq: bytes | None,
          max_at_sequence: int, max_branch_entries: int) -> dict[bytes, Item]:
    """Section 8, "Forks", rules 1 and 2: the entries a node would hold. An entry is held
    when it is sound, its link is sound and it links to a held entry (or is sequence 1),
    within the bounds; the bundle's order decides which entry is beyond a bound (the log
    first, then fork lines as they come). Returns the held entries by id."""
    held: dict[bytes, Item] = {}
    at: dict[tuple[bytes, int], int] = {}
    branches: dict[bytes, int] = {}
    candidates = [it for it in b.entries + b.forks if it.entry is not None and not it.repeat]
    candidates.sort(key=lambda it: (it.entry.author, it.entry.sequence, it.branch, it.line))
    for item in candidates:
        e = item.entry
        if not (item.sound and item.link_ok):
            continue
        if e.sequence > 1:
            parent = held.get(e.previous)
            if parent is None or parent.entry.author != e.author \
                    or parent.entry.sequence != e.sequence - 1 \
                    or not parent.entry.timestamp < e.timestamp:
                continue      # links to an entry that is not held itself
        key = (e.author, e.sequence)
        if at.get(key, 0) >= max_at_sequence:
            rep.fault("fork-limit", item, f"a {at[key] + 1}th different entry at this author "
                      f"and sequence (at most {max_at_sequence} are held)")
            continue
        if item.branch and e.author != hq and branches.get(e.author, 0) >= max_branch_entries:
            rep.fault("fork-limit", item, f"more than {max_branch_entries} branch entries "
                      f"of this author")
            continue
        at[key] = at.get(key, 0) + 1
        if item.branch:
            branches[e.author] = branches.get(e.author, 0) + 1
        item.held = True
        held[e.id] = item
    return held


@dataclass
class Trust:
    """The trust policy (section 4, "Rights") and the fork state (section 8, "Forks")."""
    hq: bytes | None
    roles: dict[bytes, str]                 # device key -> role, from device.enrolled
    names: dict[bytes, str]                 # device key -> name
    revoked: dict[bytes, int]               # device key -> lowest afterSequence
    fork_points: dict[bytes, int]           # author -> lowest sequence with 2+ held entries
    adopted: set[bytes]                     # ids of entries a fork.adopted names or reaches

    def rights(self, e: Entry) -> str | None:
        """None when the author may write this entry (step 7), else the fault kind."""
        if e.author == self.hq:
            return None
        role = self.roles.get(e.author)
        if role is None:
            return "unknown-author"
        allowed = (role == "hq" and e.type not in ROOT_ONLY_TYPES) or \
                  (role == "field" and e.type in FIELD_DEVICE_TYPES)
        if not allowed:
            return "unauthorised"
        limit = self.revoked.get(e.author)
        if limit is not None and e.sequence > limit:
            return "unauthorised"
        return None

    def held_back(self, e: Entry) -> bool:
        """Rule 5: in the forked region of an author other than HQ's root key, and not
        adopted."""
        point = self.fork_points.get(e.author)
        return (e.author != self.hq and point is not None and e.sequence >= point
                and e.id not in self.adopted)

    def authorised(self, item: Item) -> bool:
        """Counts in the read models: held, sound, within its author's rights, not held back."""
        e = item.entry
        return (item.held and item.body is not None and self.rights(e) is None
                and not self.held_back(e))


def _trust(held: dict[bytes, Item], hq: bytes | None) -> Trust:
    roles: dict[bytes, str] = {}
    names: dict[bytes, str] = {}
    revoked: dict[bytes, int] = {}
    root = sorted((it for it in held.values() if it.entry.author == hq and it.body is not None),
                  key=lambda it: order_key(it.entry))
    for item in root:
        e, body = item.entry, item.body
        if e.type == T_ENROLLED:
            key = bytes.fromhex(body["device"])
            if key != hq and key not in roles:
                # Section 4, "Rights": the earliest enrolment of a key (ledger order) gives
                # its role and name; later ones change nothing.
                roles[key] = body["role"]
                names[key] = body["name"]
        elif e.type == T_REVOKED:
            key = bytes.fromhex(body["device"])
            revoked[key] = min(revoked.get(key, body["afterSequence"]), body["afterSequence"])

    count: dict[tuple[bytes, int], int] = {}
    for item in held.values():
        key = (item.entry.author, item.entry.sequence)
        count[key] = count.get(key, 0) + 1
    fork_points: dict[bytes, int] = {}
    for (author, seq), n in count.items():
        if n >= 2:
            fork_points[author] = min(fork_points.get(author, seq), seq)

    adopted: set[bytes] = set()
    for item in root:
        if item.entry.type != T_ADOPTED:
            continue
        device = bytes.fromhex(item.body["device"])
        for head in item.body["heads"]:
            node = held.get(bytes.fromhex(head))
            if node is None or node.entry.author != device:
                continue
            while node is not None and node.entry.id not in adopted:
                adopted.add(node.entry.id)
                node = held.get(node.entry.previous) if node.entry.sequence > 1 else None
    return Trust(hq, roles, names, revoked, fork_points, adopted)


def verify_bundle(b: Bundle, trust_root: bytes | None = None,
                  max_at_sequence: int = MAX_AT_SEQUENCE,
                  max_branch_entries: int = MAX_BRANCH_ENTRIES) -> dict[str, Any]:
    """Full verification (section 8) of every entry, fork and payload of a bundle, and the
    read models (docs/READMODELS.md) over the entries it holds.

    trust_root: HQ's key when known out of band (the test vectors); otherwise HQ is the
    author of the bundle's genesis entry."""
    rep = Report()
    rep.warnings.extend(b.warnings)
    items = b.entries + b.forks

    # Step 1: parse, id (computed from the bytes), signature.
    for item in items:
        try:
            item.entry = parse_entry(item.raw)
        except Malformed as exc:
            item.malformed = exc
            rep.fault("malformed", item, exc.reason)
            continue
        item.sig_ok = signature_valid(item.entry)

    hq, ledger_id = _find_hq(rep, b, trust_root)

    # Steps 1b, 3, 4, 5, 6 (flag) for each entry on its own.
    now_ms = int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)
    ahead = []
    unknown_fields: dict[str, int] = {}
    for item in items:
        if item.entry is not None:
            _intrinsic_checks(rep, item, hq, ledger_id, unknown_fields)
            if item.entry.wall > now_ms + 3_600_000:   # section 7: not merged, still valid
                ahead.append(item.line)
    if ahead:
        rep.warnings.append(f"{FUTURE} ({len(ahead)} entries, first on line {ahead[0]})")
    for name, n in sorted(unknown_fields.items()):
        rep.warnings.append(f"{n} entr{'y has' if n == 1 else 'ies have'} the unknown {name} "
                            f"(ignored, as FORMAT.md 4 says)")

    # Step 2, and the tree of every author (section 8, "Forks", rules 1 and 2).
    logs = _chain_checks(rep, b)
    held = _hold(rep, b, hq, max_at_sequence, max_branch_entries)
    trust = _trust(held, hq)

    # Forks: one fault per (author, sequence) with two or more held entries, naming the
    # smallest id.
    groups: dict[tuple[bytes, int], list[Item]] = {}
    for item in held.values():
        groups.setdefault((item.entry.author, item.entry.sequence), []).append(item)
    for (author, seq), group in sorted(groups.items()):
        if len(group) < 2:
            continue
        group.sort(key=lambda it: it.entry.id)
        first = group[0]
        root = " (HQ's root key: every branch counts)" if author == hq else ""
        rep.fault("fork", first, f"{len(group)} different entries at this sequence: "
                  + ", ".join(it.entry.id.hex()[:12] + f" (line {it.line})" for it in group)
                  + root)
    for item in held.values():
        if item.branch and len(groups[(item.entry.author, item.entry.sequence)]) < 2 \
                and item.entry.author not in trust.fork_points:
            rep.warnings.append(f"line {item.line}: a fork line that conflicts with no entry")

    # Step 7: rights, for every parsed entry.
    for item in items:
        e = item.entry
        if e is None or item.repeat:
            continue
        kind = trust.rights(e)
        if kind == "unknown-author":
            rep.fault(kind, item, "the author is neither HQ nor enrolled by HQ (device.enrolled)")
        elif kind == "unauthorised":
            role = trust.roles[e.author]
            limit = trust.revoked.get(e.author)
            if (role == "hq" and e.type not in ROOT_ONLY_TYPES) or \
                    (role == "field" and e.type in FIELD_DEVICE_TYPES):
                rep.fault(kind, item, f"the device was revoked after sequence {limit}: "
                                      f"kept as evidence, not counted")
            else:
                rep.fault(kind, item, f"a {role} device may not write {e.type}")

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
    # Section 4, payload.erased: a payload HQ's root key erased is not missing.
    erased: set[bytes] = set()
    for item in items:
        e = item.entry
        if e is None or item.repeat or e.type != T_ERASED or e.author != hq:
            continue
        try:
            erased.add(bytes.fromhex(json.loads(e.body)["payload"]))
        except (ValueError, KeyError, TypeError):
            pass
    named: set[bytes] = set()
    for item in items:
        e = item.entry
        if e is None or e.digest is None or item.repeat:
            continue
        named.add(e.digest)
        if e.digest not in payload_digests and e.digest not in erased:
            rep.fault("missing-payload", item,
                      f"no payload line has SHA-256 {e.digest.hex()}")
    for d, line in sorted(payload_digests.items(), key=lambda kv: kv[1]):
        if d not in named:
            rep.faults.append({
                "kind": "payload-mismatch", "author": None, "sequence": None, "id": None,
                "line": line,
                "detail": f"payload digest {d.hex()} is named by no entry (altered or foreign payload)",
            })

    # Bundle order (section 9): HQ's log first, then other authors bytewise, by sequence;
    # fork lines by author, sequence and id.
    order = [(0 if it.entry.author == hq else 1, it.entry.author, it.entry.sequence)
             for it in b.entries if it.entry is not None]
    if order != sorted(order):
        rep.warnings.append("entry lines are not in the order of FORMAT.md 9 "
                            "(HQ's log first, then authors bytewise, each by sequence)")
    forder = [(it.entry.author, it.entry.sequence, it.entry.id)
              for it in b.forks if it.entry is not None]
    if forder != sorted(forder):
        rep.warnings.append("fork lines are not in the order of FORMAT.md 9 "
                            "(by author, sequence and id)")

    _cross_reference_warnings(rep, held, trust, ledger_id)
    models = read_models(held, trust, ledger_id)

    # Summary.
    per_type: dict[str, int] = {}
    counted: dict[str, int] = {}
    for item in items:
        if item.entry is None or item.repeat:
            continue
        per_type[item.entry.type] = per_type.get(item.entry.type, 0) + 1
        if trust.authorised(item):
            counted[item.entry.type] = counted.get(item.entry.type, 0) + 1
    authors = sorted({it.entry.author for it in items if it.entry is not None},
                     key=lambda a: (a != hq, a))
    log_rows = []
    for a in authors:
        mine = [it for it in held.values() if it.entry.author == a]
        row: dict[str, Any] = {
            "author": a.hex(), "fingerprint": fingerprint(a),
            "role": "hq" if a == hq else trust.roles.get(a, "unknown"),
            "root": a == hq,
        }
        if a in trust.names:
            row["name"] = trust.names[a]
        if a in trust.revoked:
            row["revokedAfter"] = trust.revoked[a]
        log = logs.get(a, {})
        row["entries"] = len(log)
        if log:
            last = log[max(log)]
            row["lastSequence"] = last.entry.sequence
            row["head"] = last.entry.id.hex()
        row["branchEntries"] = sum(1 for it in mine if it.branch)
        if a in trust.fork_points:
            region = [it for it in mine if it.entry.sequence >= trust.fork_points[a]]
            row["forkedAt"] = trust.fork_points[a]
            row["forkedEntries"] = len(region)
            row["heldBack"] = sum(1 for it in region if trust.held_back(it.entry))
        log_rows.append(row)
    rep.faults.sort(key=lambda f: (f["line"] is None, f["line"] or 0, STEP[f["kind"]]))
    intact = all(f["kind"] in EVIDENCE_KINDS for f in rep.faults)
    return {
        "bundle": b.path,
        "ledger": ledger_id.hex(),
        "hq": hq.hex() if hq else None,
        "entries": len(b.entries),
        "forkEntries": len(b.forks),
        "payloads": len(b.payloads),
        "held": len(held),
        "logs": log_rows,
        "types": dict(sorted(per_type.items())),
        "counted": dict(sorted(counted.items())),
        "campaigns": models["campaigns"],
        "orphans": models["orphans"],
        "signatureStates": models["states"],
        "findings": models["findings"],
        "faults": rep.faults,
        "warnings": rep.warnings,
        "intact": intact,
        "evidence": intact and bool(rep.faults),
    }


# --------------------------------------------------------------------------------------
# Read models (docs/READMODELS.md)

SIGNATURE_STATES = ("counted", "withdrawn", "duplicate", "late", "unauthorised", "orphan",
                    "forked", "unchecked")


def _utc_day(wall_ms: int) -> str:
    try:
        return datetime.datetime.fromtimestamp(wall_ms / 1000, datetime.timezone.utc) \
            .strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return "out-of-range"


def _title(body: dict[str, Any]) -> str:
    """The title in the campaign's preferred language (the first of `languages`), else in
    the first language of `texts` by code."""
    texts = body.get("texts", {})
    for lang in list(body.get("languages", [])) + sorted(texts):
        if lang in texts:
            return texts[lang]["title"]
    return ""


def read_models(held: dict[bytes, Item], trust: Trust, ledger_id: bytes) -> dict[str, Any]:
    """READMODELS.md, "Rules" and "Counts", over the held entries: campaigns, each
    signature's state, withdrawals, comments; per campaign the figures of `ledgerctl stats`."""
    ordered = sorted(held.values(), key=lambda it: order_key(it.entry))
    auth = [it for it in ordered if trust.authorised(it)]
    findings: list[dict[str, Any]] = []

    def finding(kind: str, item: Item, **extra: Any) -> None:
        findings.append({"finding": kind, "author": item.entry.author.hex(),
                         "sequence": item.entry.sequence, "id": item.entry.id.hex(), **extra})

    for item in ordered:
        e = item.entry
        if item.body is None or trust.authorised(item):
            continue
        state = "forked" if trust.rights(e) is None and trust.held_back(e) else "unauthorised"
        if e.type == T_COMMENT:
            finding(f"{state}-comment", item, campaign=item.body["campaign"])
        elif e.type == T_HIDDEN:
            finding(f"{state}-hide", item)
        elif e.type in (T_PUBLISHED, T_UPDATED, T_CLOSED):
            finding(f"{state}-campaign-entry", item, campaign=item.body["campaign"])

    # Campaigns.
    versions: dict[str, list[Item]] = {}
    closes: dict[str, Item] = {}
    for item in auth:
        if item.entry.type in (T_PUBLISHED, T_UPDATED):
            versions.setdefault(item.body["campaign"], []).append(item)
        elif item.entry.type == T_CLOSED:
            closes.setdefault(item.body["campaign"], item)      # the earliest close
    # Withdrawals.
    signatures = {it.entry.id: it for it in ordered
                  if it.entry.type == T_SIGNATURE and it.body is not None}
    withdrawn: set[bytes] = set()
    for item in ordered:
        if item.entry.type != T_WITHDRAWN or item.body is None:
            continue
        target = signatures.get(bytes.fromhex(item.body["signature"]))
        receipt = item.body.get("receipt")
        if not trust.authorised(item):
            state = "forked" if trust.rights(item.entry) is None else "unauthorised"
            finding("invalid-withdrawal", item, reason=f"its author may not write it ({state})")
        elif target is None:
            finding("unknown-signature-withdrawal", item)
        elif receipt is not None:
            if receipt_hash(ledger_id, receipt).hex() == target.body["receiptHash"]:
                withdrawn.add(target.entry.id)
            else:
                finding("invalid-withdrawal", item,
                        reason="the receipt does not hash to the signature's receiptHash")
        elif item.entry.author == trust.hq:
            withdrawn.add(target.entry.id)
        else:
            finding("invalid-withdrawal", item,
                    reason="no receipt, and its author is not HQ's root key")

    # The effective signer reference: the signature's own, else the one in HQ's earliest
    # authorised signer.referenced that names it (READMODELS.md, "Signatures").
    referenced: dict[bytes, str] = {}
    for item in auth:
        if item.entry.type == T_REFERENCED:
            for ref in item.body["references"]:
                referenced.setdefault(bytes.fromhex(ref["signature"]), ref["signer"])
    signer_of = {sid: it.body.get("signer") or referenced.get(sid) for sid, it in signatures.items()}

    # Signatures: one state each, in the order of the table.
    states: dict[bytes, str] = {}
    first_active: dict[tuple[str, str], bytes] = {}
    for sid, item in sorted(signatures.items(), key=lambda kv: order_key(kv[1].entry)):
        e, body = item.entry, item.body
        campaign = body["campaign"]
        signer = signer_of[sid]
        if trust.rights(e) is not None:
            state = "unauthorised"
        elif trust.held_back(e):
            state = "forked"
        elif campaign not in versions:
            state = "orphan"
        elif sid in withdrawn:
            state = "withdrawn"
        elif campaign in closes and e.timestamp > closes[campaign].entry.timestamp:
            state = "late"
        elif _deadline_ms(versions[campaign][-1].body) is not None \
                and e.wall > _deadline_ms(versions[campaign][-1].body):
            state = "late"      # after the current version's deadline (READMODELS.md)
        elif signer is None:
            state = "unchecked"
        elif (campaign, signer) in first_active:
            state = "duplicate"
        else:
            state = "counted"
            first_active[(campaign, signer)] = sid
        states[sid] = state
        if state != "counted":
            extra: dict[str, Any] = {"campaign": campaign}
            if state == "duplicate":
                extra["of"] = first_active[(campaign, signer)].hex()
            finding(state, item, **extra)

    # Comments.
    hidden: set[bytes] = set()
    for item in auth:
        if item.entry.type == T_HIDDEN:
            hidden.add(bytes.fromhex(item.body["comment"]))
    comments: dict[str, dict[str, int]] = {}
    for item in auth:
        if item.entry.type == T_COMMENT:
            c = comments.setdefault(item.body["campaign"], {"visible": 0, "hidden": 0})
            c["hidden" if item.entry.id in hidden else "visible"] += 1

    # Per campaign, the figures of `ledgerctl stats` (READMODELS.md "Counts").
    campaigns = []
    for name in sorted(versions):
        current = versions[name][-1].body
        row: dict[str, Any] = {
            "campaign": name, "title": _title(current),
            "state": "closed" if name in closes else "open",
        }
        if "goal" in current:
            row["goal"] = current["goal"]
        if "deadline" in current:
            row["deadline"] = current["deadline"]
        row["versions"] = len(versions[name])
        mine = [(sid, signatures[sid]) for sid in states if signatures[sid].body["campaign"] == name]
        by_state = {s: 0 for s in SIGNATURE_STATES}
        for sid, _ in mine:
            by_state[states[sid]] += 1
        row.update({
            "counted": by_state["counted"],
            # distinct signer references among authorised signatures: those whose author
            # may record them, so neither unauthorised nor held back (forked)
            "unique": len({signer_of[sid] for sid, it in mine
                           if states[sid] not in ("unauthorised", "forked") and signer_of[sid]}),
            "withdrawn": by_state["withdrawn"],
            "duplicates": by_state["duplicate"],
            "late": by_state["late"],
            "unauthorised": by_state["unauthorised"],
            "forked": by_state["forked"],
            "unchecked": by_state["unchecked"],
        })
        by: dict[str, dict[str, int]] = {"byChannel": {}, "byDay": {}, "byDevice": {},
                                         "byCountry": {}}
        for sid, it in mine:
            if states[sid] != "counted":
                continue
            for key, value in (("byChannel", it.body["channel"]),
                               ("byDay", _utc_day(it.entry.wall)),
                               ("byDevice", it.entry.author.hex()),
                               ("byCountry", it.body.get("country", ""))):
                by[key][value] = by[key].get(value, 0) + 1
        for key in by:
            row[key] = dict(sorted(by[key].items()))
        # As `ledgerctl stats --json`: each device with counted signatures, its enrolled name.
        row["devices"] = []
        for key, n in row["byDevice"].items():
            device = {"device": key, "counted": n}
            enrolled_name = trust.names.get(bytes.fromhex(key))
            if enrolled_name is not None:
                device["name"] = enrolled_name
            row["devices"].append(device)
        row["comments"] = comments.get(name, {"visible": 0, "hidden": 0})
        campaigns.append(row)

    orphans: dict[str, int] = {}
    totals = {s: 0 for s in SIGNATURE_STATES}
    for sid, state in states.items():
        totals[state] += 1
        if state == "orphan":
            c = signatures[sid].body["campaign"]
            orphans[c] = orphans.get(c, 0) + 1
    return {"campaigns": campaigns, "orphans": dict(sorted(orphans.items())),
            "states": totals, "findings": findings}


def _cross_reference_warnings(rep: Report, held: dict[bytes, Item], trust: Trust,
                              ledger_id: bytes) -> None:
    """References between entries that no rule of FORMAT.md makes a fault: warnings."""
    for item in sorted(held.values(), key=lambda it: it.line):
        e, body = item.entry, item.body
        if body is None:
            continue
        where = f"entry {e.id.hex()}"
        if e.type == T_SIGNATURE:
            t = held.get(bytes.fromhex(body["campaignVersion"]))
            if t is None or t.entry.type not in (T_PUBLISHED, T_UPDATED):
                rep.warnings.append(f"{where}: campaignVersion names no campaign.published "
                                    f"or campaign.updated entry")
            elif t.body is not None and t.body.get("campaign") != body["campaign"]:
                rep.warnings.append(f"{where}: campaignVersion is another campaign's text")
        if e.type == T_COMMENT and "signature" in body:
            t = held.get(bytes.fromhex(body["signature"]))
            if t is None or t.entry.type != T_SIGNATURE:
                rep.warnings.append(f"{where}: 'signature' names no {T_SIGNATURE} entry")
        if e.type == T_HIDDEN:
            t = held.get(bytes.fromhex(body["comment"]))
            if t is None or t.entry.type != T_COMMENT:
                rep.warnings.append(f"{where}: 'comment' names no {T_COMMENT} entry")
        if e.type == T_ADOPTED:
            device = bytes.fromhex(body["device"])
            for head in body["heads"]:
                # A head not held here may still be on its way; a held one must be the device's.
                t = held.get(bytes.fromhex(head))
                if t is not None and t.entry.author != device:
                    rep.warnings.append(f"{where}: head {head[:12]} is an entry of another author "
                                        f"than the adopted device")


# --------------------------------------------------------------------------------------
# Output

def _result(r: dict[str, Any]) -> str:
    if not r["intact"]:
        return "FAULTS FOUND"
    if r["evidence"]:
        return "INTACT, WITH EVIDENCE (forks or entries outside their authors' rights)"
    return "INTACT"


def print_report(r: dict[str, Any]) -> None:
    out = sys.stdout.write
    out(f"bundle:   {r['bundle']}\n")
    out(f"ledger:   {r['ledger']}\n")
    out(f"entries:  {r['entries']} (+{r['forkEntries']} branch entries, "
        f"{r['payloads']} payloads)\n")
    out(f"logs:     {len(r['logs'])}\n")
    for row in r["logs"]:
        name = f" \"{_safe(row['name'])}\"" if "name" in row else ""
        out(f"  {row['author']} ({row['role']}{name}, {row['fingerprint']})\n")
        if "head" in row:
            out(f"    last sequence {row['lastSequence']}  head {row['head']}\n")
        if "revokedAfter" in row:
            out(f"    revoked after sequence {row['revokedAfter']}\n")
        if "forkedAt" in row:
            held = (f"{row['heldBack']} held until HQ adopts them" if row["heldBack"]
                    else ("HQ's root key: every branch counts" if row["root"]
                          else "all adopted"))
            out(f"    FORKED at sequence {row['forkedAt']}: {row['forkedEntries']} entries "
                f"in the forked region, {row['branchEntries']} on branches; {held}\n")
    out("types:\n")
    for t, n in r["types"].items():
        c = r["counted"].get(t, 0)
        note = "" if c == n else f"  ({c} authorised, {n - c} not)"
        out(f"  {t:<22} {n}{note}\n")
    for c in r["campaigns"]:
        goal = f", goal {c['goal']}" if "goal" in c else ""
        out(f"campaign {c['campaign']} [{c['state']}{goal}]\n")
        for k in ("counted", "unique", "withdrawn", "duplicates", "late", "unauthorised",
                  "forked"):
            out(f"  {k:<13}{c[k]}\n")
        for k in ("byChannel", "byDay", "byDevice", "byCountry"):
            if c[k]:
                out(f"  {k[2:].lower()}: " + ", ".join(
                    f"{(key[:12] if k == 'byDevice' else key) or '(none)'} {n}"
                    for key, n in c[k].items()) + "\n")
        out(f"  comments     {c['comments']['visible']} visible, "
            f"{c['comments']['hidden']} hidden\n")
    for name, n in r["orphans"].items():
        out(f"orphan signatures (no campaign {name}): {n}\n")
    for w in r["warnings"]:
        out(f"warning: {w}\n")
    if r["faults"]:
        out(f"faults:   {len(r['faults'])}\n")
        for f in r["faults"]:
            line = f" line {f['line']}" if f["line"] is not None else ""
            tag = "NOTE " if f["kind"] in EVIDENCE_KINDS else "FAULT"
            out(f"  {tag} {f['kind']}: author {f['author'] or '-'} sequence "
                f"{f['sequence'] if f['sequence'] is not None else '-'} entry "
                f"{f['id'] or '-'}{line}: {f['detail']}\n")
    else:
        out("faults:   none\n")
    out(f"RESULT: {_result(r)}\n")


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
        payloads = [bytes.fromhex(doc[k]) for k in ("payload", "erasedPayload") if doc.get(k)]
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
    if "pseudonym" in keys:
        expect(keys["pseudonym"] == "06" * 32, "keys.pseudonym differs from FORMAT.md 10")
    for extra in sorted(set(keys) - {"hq", "field", "sealingPrivate", "sealingPublic",
                                     "pseudonym"}):
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
        if e.author != hq:
            # Another author's log needs HQ's log in context: the genesis and its enrolment.
            hq_last = [n for n, w in valid.items() if w.get("author") == hq.hex()][-1:]
            context = (chain(hq_last[0]) if hq_last else []) + context
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
        name, want, rule = v.get("name"), v.get("fault"), v.get("rule")
        raw = bytes.fromhex(v["bytes"])
        context = chain(v.get("after"))
        # A genesis vector (HQ, sequence 1, no predecessor) is the genesis of its own ledger.
        own_ledger = ledger
        if not context:
            try:
                g = parse_entry(raw)
                if g.author == hq and g.sequence == 1 and g.ledger == ZERO32:
                    own_ledger = g.id
            except Malformed:
                pass
        rep = verify_bundle(_memory_bundle(own_ledger, context + [raw], needed(context + [raw])), hq)
        line = len(context) + 2
        own = [f for f in rep["faults"] if f["line"] == line]
        kinds = [f["kind"] for f in own]
        # The first failing step of section 8 must be the expected one, and for invalid-body
        # vectors the first problem must break the named body rule (section 4, "Body rules").
        if expect(kinds[:1] == [want], f"invalid {name}: expected {want} first, this verifier "
                                       f"reports {kinds or 'no fault'}") and rule is not None:
            expect(own[0]["detail"].startswith(rule + ":"),
                   f"invalid {name}: expected a problem of body rule {rule}, this verifier "
                   f"reports {own[0]['detail']}")

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
            # Unknown members are in the vectors on purpose (section 4: readers ignore them).
            warnings = [w for w in rep["warnings"] if not w.startswith(FUTURE)
                        and not w.endswith("(ignored, as FORMAT.md 4 says)")]
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
        return 3 if exc.other else 1
    report = verify_bundle(bundle)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=True))
    else:
        print_report(report)
    if not report["intact"]:
        return 1
    return 4 if report["evidence"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
