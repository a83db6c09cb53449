#!/usr/bin/env python3
"""Independent verifier for Ledger's transparency formats.

Written from docs/FORMAT.md section 11 ("Transparency: the tree, checkpoints,
cosignatures and receipt proofs", including "Tally statements" and "Vectors") and the
public specifications it cites, without Ledger's Swift code:

- RFC 6962 section 2.1 (the Merkle tree, audit paths and consistency proofs) and
  RFC 9162 sections 2.1.3.2 and 2.1.4.2 (verifying them);
- C2SP signed-note, tlog-checkpoint and tlog-cosignature (c2sp.org).

Entries, receipt hashes, canonical JSON, bundles and the counts of a tally come from
tools/verify_bundle.py (written from FORMAT.md sections 2-9 and docs/READMODELS.md).
Dependencies: the Python 3 standard library and `cryptography` (Ed25519).

Usage:
    verify_transparency.py checkpoint FILE --key VKEY [--ledger HEX] [--witness VKEY]...
    verify_transparency.py receipt FILE --key VKEY [--code CODE]
    verify_transparency.py tally FILE --key VKEY [--bundle BUNDLE [--leaves BUNDLE.leaves]]
    verify_transparency.py alarm FILE --key VKEY   a witness alarm's evidence (PROTOCOL.md)
    verify_transparency.py vectors DIR        check DIR/transparency.json

Exit status: 0 valid; 1 invalid (a failed check: one line per failure is printed);
2 usage error (bad arguments, an unreadable file, a key that is not a vkey).

Output names only ids, sizes, hashes, counts and reasons: never a receipt code, never an
entry body's values (they hold no personal data, but a verifier has no need to print them).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import struct
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import verify_bundle as vb  # noqa: E402  (exits with a message if `cryptography` is missing)
from cryptography.exceptions import InvalidSignature  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: E402

INT_MAX = 2 ** 63 - 1          # FORMAT.md conventions: every integer fits a signed 64-bit
U64_MAX = 2 ** 64 - 1
HASH_SIZE = 32

# --------------------------------------------------------------------------------------
# The tree (FORMAT.md 11 "The tree"; RFC 6962 2.1)

EMPTY_ROOT = hashlib.sha256(b"").digest()   # root of 0 leaves = SHA-256("")


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || leaf data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """RFC 6962 MTH over leaves given by their leaf hashes."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(root_from_leaf_hashes(hashes[:k]), root_from_leaf_hashes(hashes[k:]))


def root(leaves: Sequence[bytes]) -> bytes:
    """RFC 6962 MTH(D[0:n]) over the leaves' data."""
    return root_from_leaf_hashes([leaf_hash(d) for d in leaves])


def _path(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    n = len(hashes)
    if n <= 1:
        return []
    k = _split(n)
    if m < k:
        return _path(m, hashes[:k]) + [root_from_leaf_hashes(hashes[k:])]
    return _path(m - k, hashes[k:]) + [root_from_leaf_hashes(hashes[:k])]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 6962 2.1.1 PATH(index, D[n]) over the leaves' data (0 <= index < n)."""
    if not 0 <= index < len(leaves):
        raise ValueError("index outside the tree")
    return _path(index, [leaf_hash(d) for d in leaves])


def _subproof(m: int, hashes: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if b else [root_from_leaf_hashes(hashes)]
    k = _split(n)
    if m <= k:
        return _subproof(m, hashes[:k], b) + [root_from_leaf_hashes(hashes[k:])]
    return _subproof(m - k, hashes[k:], False) + [root_from_leaf_hashes(hashes[:k])]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """RFC 6962 2.1.2 PROOF(m, D[n]) over the leaves' data (0 < m <= n; empty if m = n)."""
    if not 0 < old_size <= len(leaves):
        raise ValueError("old size outside 1...n")
    return _subproof(old_size, [leaf_hash(d) for d in leaves], True)


def _is_count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= U64_MAX


def _is_hash(v: Any) -> bool:
    return isinstance(v, (bytes, bytearray)) and len(v) == HASH_SIZE


def _is_proof(proof: Any) -> bool:
    return isinstance(proof, (list, tuple)) and all(_is_hash(p) for p in proof)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes],
                     root_hash: bytes) -> bool:
    """RFC 9162 2.1.3.2. Any bad argument (index >= size, a hash that is not 32 bytes,
    a proof of the wrong length) is a failed check, never an exception."""
    if not (_is_hash(leaf) and _is_hash(root_hash) and _is_proof(proof)
            and _is_count(index) and _is_count(size)):
        return False
    # 1. Compare leaf_index against tree_size. If leaf_index >= tree_size, fail.
    if index >= size:
        return False
    # 2. Set fn to leaf_index and sn to tree_size - 1.
    fn, sn = index, size - 1
    # 3. Set r to hash.
    r = bytes(leaf)
    # 4. For each value p in the inclusion_path array:
    for p in proof:
        # a. If sn is 0, stop the iteration and fail the proof verification.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # i. Set r to HASH(0x01 || p || r).
            r = node_hash(bytes(p), r)
            # ii. If LSB(fn) is not set, right-shift both fn and sn equally until
            #     either LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            # Otherwise: i. Set r to HASH(0x01 || r || p).
            r = node_hash(r, bytes(p))
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 5. Compare sn to 0. Compare r against the root_hash. If sn is equal to 0 and r
    #    and the root_hash are equal, then the log has proven the inclusion of hash.
    return sn == 0 and r == root_hash


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2 for 0 < old_size < new_size. RFC 9162 (and RFC 6962 2.1.2)
    define nothing else; this verifier does as transparency-dev/merkle's
    proof.VerifyConsistency (the reference Go code of the tlog tools):
      - old_size == new_size (> 0): the proof is empty and the roots are equal;
      - old_size == 0: fails ("a consistency proof from an empty tree is
        meaningless"; tlog-witness skips the check there instead of calling it);
      - old_size > new_size: fails.
    Any bad argument is a failed check, never an exception."""
    if not (_is_hash(old_root) and _is_hash(new_root) and _is_proof(proof)
            and _is_count(old_size) and _is_count(new_size)):
        return False
    if old_size == 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return len(proof) == 0 and old_root == new_root
    # 1. If consistency_path is an empty array, stop and fail the proof verification.
    if len(proof) == 0:
        return False
    path = [bytes(p) for p in proof]
    # 2. If first is an exact power of 2, then prepend first_hash to the array.
    if old_size & (old_size - 1) == 0:
        path = [bytes(old_root)] + path
    # 3. Set fn to first - 1 and sn to second - 1.
    fn, sn = old_size - 1, new_size - 1
    # 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is
    #    not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. Set both fr and sr to the first value in the consistency_path array.
    fr = sr = path[0]
    # 6. For each subsequent value c in the consistency_path array:
    for c in path[1:]:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # i. Set fr to HASH(0x01 || c || fr). ii. Set sr to HASH(0x01 || c || sr).
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            # iii. If LSB(fn) is not set, then right-shift both fn and sn equally
            #      until either LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            # Otherwise: i. Set sr to HASH(0x01 || sr || c).
            sr = node_hash(sr, c)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 7. Verify that fr equals first_hash, sr equals second_hash, and sn is 0.
    return fr == old_root and sr == new_root and sn == 0


# --------------------------------------------------------------------------------------
# Signed notes (FORMAT.md 11 "Note parsing rules"; C2SP signed-note)

MAX_NOTE_BYTES = 256 * 1024
MAX_SIGNATURE_LINES = 1024
SIG_PREFIX = "\u2014 "          # em dash, space
SIG_ED25519 = 0x01
SIG_COSIGNATURE = 0x04
SUPPORTED_TYPES = {SIG_ED25519: "Ed25519", SIG_COSIGNATURE: "Ed25519 cosignature"}
COSIGNATURE_HEADER = b"cosignature/v1\n"
# Ed25519's group order (RFC 8032): a signature's S must be below it.
ED25519_L = 2 ** 252 + 27742317777372353535851937790883648493

# Unicode White_Space (what C2SP signed-note means by "Unicode spaces"; FORMAT.md says
# only "no space"). Controls are refused before names are looked at anyway.
_WHITE_SPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | \
    {chr(c) for c in range(0x2000, 0x200B)}


class NoteError(Exception):
    """A malformed note or vkey, or a note that does not verify. `str()` is the reason."""


def _is_control(ch: str) -> bool:
    """Unicode general category Cc: U+0000-U+001F, U+007F-U+009F."""
    o = ord(ch)
    return o < 0x20 or 0x7F <= o <= 0x9F


def valid_key_name(name: str) -> bool:
    return (name != "" and "+" not in name
            and not any(ch in _WHITE_SPACE or _is_control(ch) for ch in name))


def canonical_b64(text: str) -> bytes | None:
    """Decode standard padded base64 (RFC 4648 section 4) only if `text` is the
    canonical encoding of the result (padding present, unused bits zero)."""
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", text) \
            or len(text) % 4:
        return None
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode("ascii") == text else None


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def key_id(name: str, sig_type: int, key: bytes) -> bytes:
    """SHA-256(key name || 0x0A || signature type || public key)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([sig_type]) + key).digest()[:4]


@dataclass(frozen=True)
class Vkey:
    name: str
    id: bytes          # 4 bytes
    type: int          # 0x01 Ed25519, 0x04 cosignature
    key: bytes         # 32-byte Ed25519 public key

    def text(self) -> str:
        return f"{self.name}+{self.id.hex()}+{b64(bytes([self.type]) + self.key)}"

    def label(self) -> str:
        return f"{self.name}+{self.id.hex()}"


def make_vkey(name: str, sig_type: int, key: bytes) -> Vkey:
    if not valid_key_name(name):
        raise NoteError("the key name is empty or has a space, '+' or control character")
    if sig_type not in SUPPORTED_TYPES or len(key) != 32:
        raise NoteError("only 32-byte Ed25519 keys of type 0x01 or 0x04 are supported")
    return Vkey(name, key_id(name, sig_type, key), sig_type, bytes(key))


def parse_vkey(text: str) -> Vkey:
    """`<key name>+<key ID, 8 hex>+<base64(type || key)>`; raise NoteError."""
    if not isinstance(text, str):
        raise NoteError("a vkey is text")
    parts = text.split("+")  # a name has no '+'; base64 may: rejoin the tail
    if len(parts) < 3:
        raise NoteError("a vkey is <name>+<8 hex digits>+<base64>")
    name, id_hex, key_b64 = parts[0], parts[1], "+".join(parts[2:])
    if not valid_key_name(name):
        raise NoteError("the vkey's name is empty or has a space, '+' or control character")
    if not re.fullmatch(r"[0-9a-f]{8}", id_hex):
        raise NoteError("the vkey's key ID is not 8 lower-case hex digits")
    material = canonical_b64(key_b64)
    if material is None or len(material) < 2:
        raise NoteError("the vkey's key is not canonical padded base64")
    sig_type, key = material[0], material[1:]
    if sig_type not in SUPPORTED_TYPES:
        raise NoteError(f"the vkey's signature type 0x{sig_type:02x} is not supported "
                        f"(0x01 Ed25519, 0x04 cosignature)")
    if len(key) != 32:
        raise NoteError(f"the vkey's Ed25519 key is {len(key)} bytes, not 32")
    if key_id(name, sig_type, key) != bytes.fromhex(id_hex):
        raise NoteError("the vkey's key ID is not SHA-256(name || 0x0A || type || key)[:4]")
    return Vkey(name, bytes.fromhex(id_hex), sig_type, key)


@dataclass(frozen=True)
class SignatureLine:
    name: str
    id: bytes          # 4 bytes
    signature: bytes   # the bytes after the key ID


@dataclass
class Note:
    text: bytes
    lines: list[SignatureLine]


def parse_note(data: bytes) -> Note:
    """FORMAT.md 11, "Note parsing rules". Strict: any malformed line refuses the whole
    note (raise NoteError)."""
    if not isinstance(data, (bytes, bytearray)):
        raise NoteError("a note is bytes")
    data = bytes(data)
    if len(data) > MAX_NOTE_BYTES:
        raise NoteError(f"the note is {len(data)} bytes, above 256 KiB")
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError("the note is not valid UTF-8") from None
    for ch in s:
        if _is_control(ch) and ch != "\n":
            raise NoteError(f"the note has control character U+{ord(ch):04X}")
    if not s.endswith("\n"):
        raise NoteError("the note does not end with a newline")
    # The text is everything up to and including the \n before the last blank line.
    split = s.rfind("\n\n")
    if split < 0:
        raise NoteError("the note has no blank line before its signatures")
    text, block = s[:split + 1], s[split + 2:]
    if block == "":
        raise NoteError("the note has no signature line")
    raw_lines = block[:-1].split("\n")
    if len(raw_lines) > MAX_SIGNATURE_LINES:
        raise NoteError(f"the note has {len(raw_lines)} signature lines, above "
                        f"{MAX_SIGNATURE_LINES}")
    lines = []
    for number, line in enumerate(raw_lines, 1):
        where = f"signature line {number}"
        if not line.startswith(SIG_PREFIX):
            raise NoteError(f"{where} does not start with an em dash and a space")
        rest = line[len(SIG_PREFIX):]
        name, sep, sig_b64 = rest.partition(" ")
        if not sep:
            raise NoteError(f"{where} has no space between key name and signature")
        if not valid_key_name(name):
            raise NoteError(f"{where}: the key name is empty or has a space, '+' or "
                            f"control character")
        sig = canonical_b64(sig_b64)
        if sig is None:
            raise NoteError(f"{where}: the signature is not canonical padded base64")
        if len(sig) < 5:
            raise NoteError(f"{where}: the signature is {len(sig)} bytes, below 5")
        lines.append(SignatureLine(name, sig[:4], sig[4:]))
    return Note(text.encode("utf-8"), lines)


def _ed25519_ok(key: bytes, signature: bytes, message: bytes) -> bool:
    if len(signature) != 64 or int.from_bytes(signature[32:], "little") >= ED25519_L:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


def cosignature_message(text: bytes, timestamp: int) -> bytes:
    """tlog-cosignature: "cosignature/v1\\ntime <T>\\n" || checkpoint text."""
    return COSIGNATURE_HEADER + b"time %d\n" % timestamp + text


def signature_ok(vkey: Vkey, text: bytes, line: SignatureLine) -> tuple[bool, int | None]:
    """Verify one line known to be by `vkey` (same name and key ID). Returns (valid,
    the cosignature's time T or None)."""
    if vkey.type == SIG_ED25519:
        return _ed25519_ok(vkey.key, line.signature, text), None
    if vkey.type == SIG_COSIGNATURE:
        if len(line.signature) != 8 + 64:
            return False, None
        (t,) = struct.unpack(">Q", line.signature[:8])
        if t > INT_MAX:                  # tlog-cosignature: MUST NOT exceed 2^63 - 1
            return False, t
        return _ed25519_ok(vkey.key, line.signature[8:], cosignature_message(text, t)), t
    return False, None  # pragma: no cover  (parse_vkey admits no other type)


@dataclass
class OpenedNote:
    text: bytes
    lines: list[SignatureLine]
    verified: dict[Vkey, list[int | None]] = field(default_factory=dict)  # key -> times
    unknown: int = 0


def open_note(data: bytes, keys: Iterable[Vkey]) -> OpenedNote:
    """Parse a note and check every line by a known key (same name AND key ID: a line
    sharing only one of them is an unknown key's and is ignored). Raise NoteError if
    the note is malformed, if any line by a known key fails to verify, or if no line by
    a known key verifies."""
    note = parse_note(data)
    known = {(k.name, k.id): k for k in keys}
    out = OpenedNote(note.text, note.lines)
    for number, line in enumerate(note.lines, 1):
        k = known.get((line.name, line.id))
        if k is None:
            out.unknown += 1
            continue
        ok, t = signature_ok(k, note.text, line)
        if not ok:
            extra = f" (time {t} is above 2^63 - 1)" if t is not None and t > INT_MAX else ""
            raise NoteError(f"signature line {number} by {k.label()} does not verify{extra}")
        out.verified.setdefault(k, []).append(t)
    if not out.verified:
        raise NoteError("no signature by a known key")
    return out


# --------------------------------------------------------------------------------------
# Checkpoints and cosignatures (FORMAT.md 11 "Checkpoints", "Cosignatures")

HEX64 = re.compile(r"[0-9a-f]{64}")
ORIGIN = re.compile(r"ledger/([0-9a-f]{64})/([1-9][0-9]*)")
HQ_NAME = re.compile(r"ledger/([0-9a-f]{64})")
WITNESS_NAME = re.compile(r"ledger/([0-9a-f]{64})/witness/([0-9a-f]{64})")
DECIMAL = re.compile(r"0|[1-9][0-9]*")


def hq_key_name(ledger: bytes) -> str:
    return f"ledger/{ledger.hex()}"


def hq_vkey(ledger: bytes, hq_key: bytes) -> Vkey:
    return make_vkey(hq_key_name(ledger), SIG_ED25519, hq_key)


def witness_key_name(ledger: bytes, device: bytes) -> str:
    return f"ledger/{ledger.hex()}/witness/{device.hex()}"


def witness_vkey(ledger: bytes, device: bytes) -> Vkey:
    return make_vkey(witness_key_name(ledger, device), SIG_COSIGNATURE, device)


def origin(ledger: bytes, epoch: int) -> str:
    return f"ledger/{ledger.hex()}/{epoch}"


def checkpoint_text(ledger: bytes, epoch: int, size: int, root_hash: bytes) -> bytes:
    return f"{origin(ledger, epoch)}\n{size}\n{b64(root_hash)}\n".encode("utf-8")


@dataclass
class Checkpoint:
    ledger: bytes
    epoch: int
    size: int
    root: bytes
    text: bytes
    hq_signatures: int = 0
    cosignatures: dict[str, list[int]] = field(default_factory=dict)  # witness name -> T
    unknown_signatures: int = 0

    @property
    def origin(self) -> str:
        return origin(self.ledger, self.epoch)


def parse_checkpoint_text(text: bytes) -> tuple[Checkpoint | None, list[str]]:
    """The three lines of a Ledger checkpoint, no extension lines."""
    try:
        s = text.decode("utf-8")
    except UnicodeDecodeError:
        return None, ["the checkpoint text is not UTF-8"]
    if not s.endswith("\n"):
        return None, ["the checkpoint text does not end with a newline"]
    lines = s[:-1].split("\n")
    if len(lines) != 3:
        more = " (extension lines are not allowed)" if len(lines) > 3 else ""
        return None, [f"the checkpoint text has {len(lines)} lines, not 3{more}"]
    problems = []
    m = ORIGIN.fullmatch(lines[0])
    if not m:
        problems.append("the origin is not ledger/<ledger id, 64 lower-case hex>/<epoch, "
                        "decimal from 1, no leading zeros>")
    elif int(m.group(2)) > INT_MAX:
        problems.append("the origin's epoch is above 2^63 - 1")
    if not DECIMAL.fullmatch(lines[1]):
        problems.append("the tree size is not a decimal number without leading zeros")
    elif int(lines[1]) > INT_MAX:
        problems.append("the tree size is above 2^63 - 1")
    root_hash = canonical_b64(lines[2])
    if root_hash is None or len(root_hash) != HASH_SIZE:
        problems.append("the root hash is not canonical base64 of 32 bytes")
    if problems:
        return None, problems
    cp = Checkpoint(bytes.fromhex(m.group(1)), int(m.group(2)), int(lines[1]), root_hash,
                    bytes(text))
    if cp.size == 0 and cp.root != EMPTY_ROOT:
        return None, ["the tree size is 0 but the root is not SHA-256(\"\") "
                      "(tlog-witness: an empty tree has the empty root)"]
    return cp, []


def hq_key_problem(key: Vkey) -> str | None:
    if key.type != SIG_ED25519:
        return f"HQ's key {key.label()} is not an Ed25519 (type 0x01) key"
    if not HQ_NAME.fullmatch(key.name):
        return f"HQ's key name {key.name!r} is not ledger/<ledger id hex>"
    return None


def witness_key_problem(key: Vkey, ledger: bytes | None = None) -> str | None:
    if key.type != SIG_COSIGNATURE:
        return f"witness key {key.label()} is not a cosignature (type 0x04) key"
    m = WITNESS_NAME.fullmatch(key.name)
    if not m:
        return f"witness key name {key.name!r} is not ledger/<ledger id hex>/witness/<key hex>"
    if m.group(2) != key.key.hex():
        return f"witness key {key.label()}: the name names another device key"
    if ledger is not None and m.group(1) != ledger.hex():
        return f"witness key {key.label()} is for another ledger"
    return None


def check_checkpoint(note: bytes, hq: Vkey, ledger: bytes | None = None,
                     witnesses: Sequence[Vkey] = ()) -> tuple[Checkpoint | None, list[str]]:
    """FORMAT.md 11: returns (the checkpoint, []) when valid, else (checkpoint or None,
    problems). Every witness key given must have a valid cosignature on it."""
    problems: list[str] = []
    p = hq_key_problem(hq)
    if p:
        return None, [p]
    key_ledger = bytes.fromhex(HQ_NAME.fullmatch(hq.name).group(1))
    if ledger is not None and ledger != key_ledger:
        return None, [f"HQ's key names ledger {key_ledger.hex()}, not {ledger.hex()}"]
    for w in witnesses:
        p = witness_key_problem(w, key_ledger)
        if p:
            problems.append(p)
    if problems:
        return None, problems
    try:
        opened = open_note(note, [hq, *witnesses])
    except NoteError as exc:
        return None, [f"note: {exc}"]
    cp, text_problems = parse_checkpoint_text(opened.text)
    if cp is None:
        return None, text_problems
    cp.hq_signatures = len(opened.verified.get(hq, []))
    cp.unknown_signatures = opened.unknown
    for w in witnesses:
        if w in opened.verified:
            cp.cosignatures[w.name] = [t for t in opened.verified[w] if t is not None]
    if cp.hq_signatures == 0:
        problems.append(f"no signature by HQ's key {hq.label()}")
    if cp.ledger != key_ledger:
        problems.append(f"the origin names ledger {cp.ledger.hex()}, not HQ's key's "
                        f"ledger {key_ledger.hex()}")
    for w in witnesses:
        if w not in opened.verified:
            problems.append(f"no cosignature by witness {w.label()}")
    return cp, problems


# --------------------------------------------------------------------------------------
# Receipt proofs (FORMAT.md 11 "Receipt proofs")

PROOF_MEMBERS = {"checkpoint", "entry", "inclusion", "key", "leaf", "ledger", "proof",
                 "version"}


@dataclass
class ReceiptProof:
    checkpoint: bytes
    entry: bytes
    inclusion: list[bytes]
    key: str
    leaf: int
    ledger: bytes


def parse_receipt_proof(data: bytes) -> tuple[ReceiptProof | None, list[str]]:
    """The JSON object of `ledgerctl receipt prove`: canonical JSON (FORMAT.md 3), with
    at most one trailing newline; exactly the members FORMAT.md 11 lists."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, ["the receipt proof is not UTF-8"]
    body = text[:-1] if text.endswith("\n") else text
    try:
        canon = vb.canonicalise(body)
    except (vb.BodyError, ValueError, RecursionError) as exc:
        return None, [f"the receipt proof is not JSON of the canonical kind ({exc})"]
    obj = json.loads(body)
    if not isinstance(obj, dict):
        return None, ["the receipt proof is not a JSON object"]
    problems = []
    if canon != body.encode("utf-8"):
        problems.append("the receipt proof is not in canonical JSON form (FORMAT.md 3)")
    missing = sorted(PROOF_MEMBERS - set(obj))
    extra = sorted(set(obj) - PROOF_MEMBERS)
    if missing:
        problems.append(f"the receipt proof lacks member(s) {', '.join(missing)}")
    if extra:
        problems.append(f"the receipt proof has unknown member(s) "
                        f"{', '.join(vb._safe(x) for x in extra)}")
    if missing:
        return None, problems
    if obj["proof"] != "ledger-receipt-proof":
        problems.append("member proof is not \"ledger-receipt-proof\"")
    if obj["version"] != 1 or isinstance(obj["version"], bool):
        problems.append("member version is not 1")
    if not isinstance(obj["checkpoint"], str):
        problems.append("member checkpoint is not a string")
    entry = canonical_b64(obj["entry"]) if isinstance(obj["entry"], str) else None
    if entry is None:
        problems.append("member entry is not canonical padded base64")
    inclusion: list[bytes] = []
    if not isinstance(obj["inclusion"], list):
        problems.append("member inclusion is not an array")
    else:
        for i, h in enumerate(obj["inclusion"]):
            raw = canonical_b64(h) if isinstance(h, str) else None
            if raw is None or len(raw) != HASH_SIZE:
                problems.append(f"inclusion[{i}] is not canonical base64 of 32 bytes")
            else:
                inclusion.append(raw)
    if not isinstance(obj["key"], str):
        problems.append("member key is not a string")
    leaf = obj["leaf"]
    if not (isinstance(leaf, int) and not isinstance(leaf, bool) and 0 <= leaf <= INT_MAX):
        problems.append("member leaf is not an integer from 0 to 2^63 - 1")
    if not (isinstance(obj["ledger"], str) and HEX64.fullmatch(obj["ledger"])):
        problems.append("member ledger is not 64 lower-case hex digits")
    if problems:
        return None, problems
    return ReceiptProof(obj["checkpoint"].encode("utf-8"), entry, inclusion, obj["key"],
                        leaf, bytes.fromhex(obj["ledger"])), []


@dataclass
class ReceiptResult:
    proof: ReceiptProof | None = None
    entry_id: bytes | None = None
    checkpoint: Checkpoint | None = None
    code_checked: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_receipt_proof(data: bytes, hq: Vkey, code: str | None = None) -> ReceiptResult:
    """FORMAT.md 11, "Receipt proofs", steps 1-4, with HQ's vkey from a trusted source
    (the proof's own `key` member is never trusted)."""
    res = ReceiptResult()
    p = hq_key_problem(hq)
    if p:
        res.problems.append(p)
        return res
    key_ledger = bytes.fromhex(HQ_NAME.fullmatch(hq.name).group(1))
    rp, problems = parse_receipt_proof(data)
    if rp is None:
        res.problems.extend(problems)
        return res
    res.proof = rp
    if rp.ledger != key_ledger:
        res.problems.append(f"the proof is for ledger {rp.ledger.hex()}, HQ's key for "
                            f"ledger {key_ledger.hex()}")
    if rp.key != hq.text():
        res.notes.append("the proof's own key member differs from the key given "
                         "(it is informational; the given key is used)")
    # 1. the entry: parse, signature, type, ledger field.
    body = None
    try:
        e = vb.parse_entry(rp.entry)
    except vb.Malformed as exc:
        res.problems.append(f"entry: malformed ({exc.reason})")
        e = None
    if e is not None:
        res.entry_id = e.id
        if not vb.signature_valid(e):
            res.problems.append(f"entry {e.id.hex()}: the signature does not verify")
        if e.type != vb.T_SIGNATURE:
            res.problems.append(f"entry {e.id.hex()}: type is {e.type}, not "
                                f"{vb.T_SIGNATURE}")
        if e.ledger != rp.ledger:
            res.problems.append(f"entry {e.id.hex()}: the ledger field is not the "
                                f"ledger id {rp.ledger.hex()}")
        try:
            body = vb.parse_canonical_body(e.body)
        except vb.BodyError as exc:
            res.problems.append(f"entry {e.id.hex()}: invalid body ({exc})")
    # 2. the receipt code, when given.
    if code is not None:
        symbols = vb.normalise_receipt(code)
        if symbols is None:
            res.problems.append("the receipt code is not 16 Crockford base32 symbols")
        elif body is not None:
            stored = body.get("receiptHash")
            if not (isinstance(stored, str) and HEX64.fullmatch(stored)):
                res.problems.append(f"entry {e.id.hex()}: no receiptHash of 32 bytes hex")
            elif vb.receipt_hash(rp.ledger, symbols) != bytes.fromhex(stored):
                res.problems.append(f"entry {e.id.hex()}: the receipt code does not match "
                                    f"its receiptHash")
            else:
                res.code_checked = True
    # 3. the checkpoint: HQ's signature, its origin names the ledger.
    cp, cp_problems = check_checkpoint(rp.checkpoint, hq, ledger=key_ledger)
    res.checkpoint = cp
    res.problems.extend(f"checkpoint: {x}" for x in cp_problems)
    if cp is not None and cp.ledger != rp.ledger and not cp_problems:
        res.problems.append(f"checkpoint: the origin names ledger {cp.ledger.hex()}, not "
                            f"{rp.ledger.hex()}")
    # 4. the inclusion proof of leaf hash(entry bytes) at index `leaf`.
    if cp is not None:
        if rp.leaf >= cp.size:
            res.problems.append(f"inclusion: leaf {rp.leaf} is outside the checkpoint's "
                                f"tree of size {cp.size}")
        elif not verify_inclusion(leaf_hash(rp.entry), rp.leaf, cp.size, rp.inclusion,
                                  cp.root):
            res.problems.append(f"inclusion: the proof of leaf {rp.leaf} in the tree of "
                                f"size {cp.size} does not lead to the checkpoint's root")
    return res


# --------------------------------------------------------------------------------------
# Tally statements (FORMAT.md 11 "Tally statements")

TALLY_COUNTS = ("counted", "unique", "withdrawn", "duplicates", "late", "unauthorised",
                "forked", "unchecked")
TALLY_KEYS = ("ledger", "campaign", "version", "checkpoint", "readmodels") + TALLY_COUNTS
TALLY_HEADER = "ledger.tally.v1"


@dataclass
class Tally:
    ledger: bytes
    campaign: str
    version: bytes
    epoch: int
    size: int
    root: bytes
    readmodels: bytes
    counts: dict[str, int]


def _decimal(text: str, low: int = 0) -> int | None:
    if not DECIMAL.fullmatch(text) or int(text) > INT_MAX or int(text) < low:
        return None
    return int(text)


def parse_tally_text(text: bytes) -> tuple[Tally | None, list[str]]:
    """The fourteen lines of a tally statement, exactly in their order."""
    try:
        s = text.decode("utf-8")
    except UnicodeDecodeError:
        return None, ["the tally text is not UTF-8"]
    if not s.endswith("\n"):
        return None, ["the tally text does not end with a newline"]
    lines = s[:-1].split("\n")
    if lines[0] != TALLY_HEADER:
        return None, [f"the tally's first line is not {TALLY_HEADER}"]
    if len(lines) != 1 + len(TALLY_KEYS):
        return None, [f"the tally has {len(lines)} lines, not {1 + len(TALLY_KEYS)}"]
    problems: list[str] = []
    values: dict[str, str] = {}
    for key, line in zip(TALLY_KEYS, lines[1:]):
        name, sep, value = line.partition(" ")
        if name != key or not sep:
            problems.append(f"tally line '{vb._safe(name, 20)}' is not '{key} <value>' "
                            f"in its place")
        else:
            values[key] = value
    if problems:
        return None, problems
    if not HEX64.fullmatch(values["ledger"]):
        problems.append("tally: ledger is not 64 lower-case hex digits")
    if not vb.CAMPAIGN_ID.match(values["campaign"]):
        problems.append("tally: campaign is not a campaign id")
    if not HEX64.fullmatch(values["version"]):
        problems.append("tally: version is not 64 lower-case hex digits")
    if not HEX64.fullmatch(values["readmodels"]):
        problems.append("tally: readmodels is not 64 lower-case hex digits")
    parts = values["checkpoint"].split(" ")
    epoch = _decimal(parts[0], 1) if len(parts) == 3 else None
    size = _decimal(parts[1]) if len(parts) == 3 else None
    root_hash = canonical_b64(parts[2]) if len(parts) == 3 else None
    if epoch is None or size is None or root_hash is None or len(root_hash) != HASH_SIZE:
        problems.append("tally: checkpoint is not '<epoch from 1> <size> <base64 root>'")
    counts = {}
    for key in TALLY_COUNTS:
        n = _decimal(values[key])
        if n is None:
            problems.append(f"tally: {key} is not a decimal number without leading zeros")
        counts[key] = n
    if problems:
        return None, problems
    return Tally(bytes.fromhex(values["ledger"]), values["campaign"],
                 bytes.fromhex(values["version"]), epoch, size, root_hash,
                 bytes.fromhex(values["readmodels"]), counts), []


def _newest_version(bundle: "vb.Bundle", report: dict[str, Any], campaign: str) -> bytes | None:
    """READMODELS/FORMAT.md 4: the campaign's latest authorised campaign.published or
    campaign.updated entry in timestamp order."""
    refused = {f["id"] for f in report.get("findings", [])
               if f.get("finding", "").endswith("-campaign-entry")}
    best = None
    for item in bundle.entries + bundle.forks:
        e = item.entry
        if e is None or e.type not in (vb.T_PUBLISHED, vb.T_UPDATED) or e.id.hex() in refused:
            continue
        try:
            body = vb.parse_canonical_body(e.body)
        except vb.BodyError:
            continue
        if body.get("campaign") == campaign and (best is None
                                                  or vb.order_key(e) > vb.order_key(best)):
            best = e
    return None if best is None else best.id


LEAVES_HEADER = b"ledger-leaves v1\n"


def parse_leaf_order(data: bytes) -> tuple[list[bytes] | None, str | None]:
    """FORMAT.md 11, "Leaf order": the header line, then one lower-case hex entry id per leaf."""
    if not data.startswith(LEAVES_HEADER) or not data.endswith(b"\n"):
        return None, "not a 'ledger-leaves v1' file ending in a newline"
    ids = []
    for i, line in enumerate(data[len(LEAVES_HEADER):-1].split(b"\n") if len(data) > len(LEAVES_HEADER) else []):
        if not re.fullmatch(rb"[0-9a-f]{64}", line):
            return None, f"leaf {i} is not an entry id in lower-case hex"
        ids.append(bytes.fromhex(line.decode()))
    return ids, None


def check_leaf_order(ids: list[bytes], bundle: "vb.Bundle", root_expected: bytes) -> list[str]:
    """Step 4: the bundle's entries, in the leaf order, give the checkpoint's root."""
    by_id: dict[bytes, bytes] = {}
    for item in bundle.entries + bundle.forks:
        by_id.setdefault(hashlib.sha256(item.raw).digest(), item.raw)  # an entry's id (FORMAT.md 1)
    if len(set(ids)) != len(ids):
        return ["leaves: an entry is named twice"]
    if len(ids) != len(by_id):
        return [f"leaves: {len(ids)} leaves, the bundle holds {len(by_id)} entries"]
    missing = [i for i in ids if i not in by_id]
    if missing:
        return [f"leaves: entry {missing[0].hex()[:12]} is not in the bundle"]
    if root([by_id[i] for i in ids]) != root_expected:
        return ["leaves: the bundle's entries in this order do not give the checkpoint's root"]
    return []


def check_tally(note: bytes, hq: Vkey, bundle: "vb.Bundle | None" = None,
                leaf_ids: list[bytes] | None = None) -> tuple[Tally | None, list[str]]:
    """FORMAT.md 11, "Tally statements", steps 1-3 (3 and 2 only with a bundle). The
    read-model digest is not recomputed (FORMAT.md calls it informational)."""
    p = hq_key_problem(hq)
    if p:
        return None, [p]
    key_ledger = bytes.fromhex(HQ_NAME.fullmatch(hq.name).group(1))
    try:
        opened = open_note(note, [hq])
    except NoteError as exc:
        return None, [f"note: {exc}"]
    tally, problems = parse_tally_text(opened.text)
    if tally is None:
        return None, problems
    if tally.ledger != key_ledger:
        return tally, [f"tally: ledger {tally.ledger.hex()} is not HQ's key's ledger "
                       f"{key_ledger.hex()}"]
    if bundle is None:
        return tally, []
    report = vb.verify_bundle(bundle, trust_root=hq.key)
    if not report["intact"]:
        problems.append("bundle: it does not verify (run verify_bundle.py on it)")
    if report["ledger"] != tally.ledger.hex():
        problems.append(f"bundle: of ledger {report['ledger']}, not {tally.ledger.hex()}")
    held = report["entries"] + report["forkEntries"]
    if held != tally.size:
        problems.append(f"bundle: holds {held} entries (E + F), the tally's checkpoint "
                        f"{tally.size}")
    row = next((c for c in report["campaigns"] if c["campaign"] == tally.campaign), None)
    if row is None:
        problems.append(f"bundle: no campaign {tally.campaign}")
        return tally, problems
    for key in TALLY_COUNTS:
        if row[key] != tally.counts[key]:
            problems.append(f"tally: {key} is {tally.counts[key]}, the bundle gives {row[key]}")
    newest = _newest_version(bundle, report, tally.campaign)
    if newest != tally.version:
        problems.append("tally: version is not the campaign's newest version in the bundle")
    if leaf_ids is not None:
        problems += check_leaf_order(leaf_ids, bundle, tally.root)
    return tally, problems


# --------------------------------------------------------------------------------------
# Test vectors (docs/test-vectors/transparency.json)

def _hx(v: Any) -> bytes:
    if not isinstance(v, str) or not re.fullmatch(r"(?:[0-9a-f]{2})*", v):
        raise ValueError(f"not lower-case hex: {str(v)[:20]!r}")
    return bytes.fromhex(v)


def check_vectors(directory: str) -> int:
    """Check DIR/transparency.json. Returns 0 if every vector agrees with this verifier,
    1 if any disagrees, 2 if the file cannot be read."""
    path = os.path.join(directory, "transparency.json")
    try:
        with open(path, "rb") as fh:
            doc = json.loads(fh.read().decode("utf-8"))
    except FileNotFoundError:
        print(f"error: {path} does not exist (no transparency vectors yet)", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    checker = _VectorChecker(doc, directory)
    try:
        checker.run()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        print(f"error: transparency.json lacks the expected structure "
              f"({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    for line in checker.problems:
        print(f"FAIL {line}")
    for line in checker.notes:
        print(f"note: {line}")
    if checker.problems:
        print(f"transparency vectors: {len(checker.problems)} of {checker.checked} "
              f"checks failed")
        return 1
    print(f"transparency vectors: all {checker.checked} checks agree")
    return 0


class _VectorChecker:
    """docs/test-vectors/transparency.json (FORMAT.md 11, "Vectors"): everything is
    recomputed from the fixed seeds of FORMAT.md 10 and the leaves, and compared byte
    for byte (Ed25519 signatures are deterministic), then verified; every invalid
    vector must fail, for the reason its name gives."""

    # invalid vector name -> a phrase this verifier's reason must contain
    EXPECTED_REASON = {
        "size-changed": "does not verify",
        "unsigned": "no signature line",
        "other-key": "no signature by a known key",
        "other-ledger": "origin names ledger",
        "extension-line": "extension lines",
        "epoch-zero": "the origin is not",
        "size-leading-zero": "leading zeros",
        "root-short": "root hash is not",
        "bad-signature-line": "em dash",
        "leaf-moved": "inclusion",
        "inclusion-cut": "inclusion",
        "inclusion-flipped": "inclusion",
        "entry-changed": "signature does not verify",
        "not-a-signature": "not signature.recorded",
        "checkpoint-forged": "checkpoint: note:",
        "version-2": "version is not 1",
        "tally-changed": "does not verify",
        "tally-miscounted": "the bundle gives",
        "tally-other-size": "entries (E + F)",
        "tally-missing-line": "lines, not",
    }

    def __init__(self, doc: Any, directory: str):
        self.doc = doc
        self.directory = directory
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.checked = 0

    def expect(self, cond: bool, what: str) -> bool:
        self.checked += 1
        if not cond:
            self.problems.append(what)
        return cond

    def run(self) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        d = self.doc
        ledger = _hx(d["ledger"])
        leaves = [_hx(x) for x in d["leaves"]]
        n = len(leaves)

        # Keys (FORMAT.md 10 seeds) and vkeys (FORMAT.md 11).
        self.expect(d["hqSeed"] == "01" * 32, "hqSeed is not the HQ seed of FORMAT.md 10")
        self.expect(d["witnessSeed"] == "02" * 32,
                    "witnessSeed is not the field seed of FORMAT.md 10")
        hq_sk = Ed25519PrivateKey.from_private_bytes(_hx(d["hqSeed"]))
        w_sk = Ed25519PrivateKey.from_private_bytes(_hx(d["witnessSeed"]))
        hq_pub = hq_sk.public_key().public_bytes_raw()
        w_pub = w_sk.public_key().public_bytes_raw()
        hq = hq_vkey(ledger, hq_pub)
        witness = witness_vkey(ledger, w_pub)
        self.expect(d["vkey"] == hq.text(), "vkey is not ledger/<id>+<key ID>+<0x01 || HQ key>")
        self.expect(d["witnessVkey"] == witness.text(),
                    "witnessVkey is not ledger/<id>/witness/<key hex>+<key ID>+<0x04 || key>")
        for name in ("vkey", "witnessVkey"):
            try:
                parse_vkey(d[name])
            except NoteError as exc:
                self.expect(False, f"{name} does not parse: {exc}")

        # The leaves: entries.json's valid entries, in order (FORMAT.md 11, "Vectors").
        try:
            with open(os.path.join(self.directory, "entries.json"), "rb") as fh:
                entries = json.loads(fh.read().decode("utf-8"))
            valid = [_hx(v["bytes"]) for v in entries["valid"]]
            self.expect(leaves == valid, "leaves are not entries.json's valid entries in order")
            self.expect(_hx(entries["ledger"]) == ledger, "ledger differs from entries.json's")
            named = {v["name"]: _hx(v["bytes"]) for v in entries["valid"]}
        except FileNotFoundError:
            self.notes.append("entries.json is absent: leaves not compared with it")
            named = {}
        for i, raw in enumerate(leaves):
            try:
                e = vb.parse_entry(raw)
                self.expect(vb.signature_valid(e), f"leaf {i}: the entry's signature fails")
            except vb.Malformed as exc:
                self.expect(False, f"leaf {i}: the entry is malformed ({exc.reason})")

        # The tree.
        self.expect(len(d["leafHashes"]) == n, "leafHashes: not one per leaf")
        for i, raw in enumerate(leaves):
            self.expect(i < len(d["leafHashes"]) and _hx(d["leafHashes"][i]) == leaf_hash(raw),
                        f"leafHashes[{i}] is not SHA-256(0x00 || leaf)")
        roots = [root(leaves[:k]) for k in range(n + 1)]
        self.expect(len(d["roots"]) == n + 1, "roots: not one per size 0..n")
        for k in range(n + 1):
            self.expect(k < len(d["roots"]) and _hx(d["roots"][k]) == roots[k],
                        f"roots[{k}] is not MTH of the first {k} leaves")

        for v in d["inclusion"]:
            i, size = v["index"], v["size"]
            proof = [_hx(x) for x in v["proof"]]
            where = f"inclusion (leaf {i}, size {size})"
            if not self.expect(0 <= i < size <= n, f"{where}: outside the tree"):
                continue
            self.expect(proof == inclusion_proof(leaves[:size], i),
                        f"{where}: not RFC 6962's PATH")
            self.expect(verify_inclusion(leaf_hash(leaves[i]), i, size, proof, roots[size]),
                        f"{where}: does not verify")
            for j in range(len(proof)):
                bad = list(proof)
                bad[j] = bytes([bad[j][0] ^ 1]) + bad[j][1:]
                self.expect(not verify_inclusion(leaf_hash(leaves[i]), i, size, bad,
                                                 roots[size]),
                            f"{where}: verifies with hash {j} changed")
        for v in d["consistency"]:
            m, size = v["old"], v["new"]
            proof = [_hx(x) for x in v["proof"]]
            where = f"consistency ({m} -> {size})"
            if not self.expect(0 < m <= size <= n, f"{where}: outside the tree"):
                continue
            self.expect(proof == consistency_proof(leaves[:size], m),
                        f"{where}: not RFC 6962's PROOF")
            self.expect(verify_consistency(m, size, roots[m], roots[size], proof),
                        f"{where}: does not verify")
            for j in range(len(proof)):
                bad = list(proof)
                bad[j] = bytes([bad[j][0] ^ 1]) + bad[j][1:]
                self.expect(not verify_consistency(m, size, roots[m], roots[size], bad),
                            f"{where}: verifies with hash {j} changed")

        # The checkpoint of the whole tree, epoch 1.
        text = checkpoint_text(ledger, 1, n, roots[n])
        self.expect(d["checkpointText"].encode("utf-8") == text,
                    "checkpointText is not ledger/<id>/1, the size and the root of all leaves")
        hq_line = f"{SIG_PREFIX}{hq.name} {b64(hq.id + hq_sk.sign(text))}\n"
        expected = text + b"\n" + hq_line.encode("utf-8")
        self.expect(d["checkpoint"].encode("utf-8") == expected,
                    "checkpoint differs from the text signed here with the HQ seed")
        cp, problems = check_checkpoint(d["checkpoint"].encode("utf-8"), hq, ledger=ledger)
        for p in problems:
            self.expect(False, f"checkpoint: {p}")
        if cp is not None and not problems:
            self.expect((cp.epoch, cp.size, cp.root) == (1, n, roots[n]),
                        "checkpoint: not epoch 1 of the whole tree")

        # The same checkpoint cosigned by the field key at cosignatureTime.
        t = d["cosignatureTime"]
        self.expect(isinstance(t, int) and 0 <= t <= INT_MAX, "cosignatureTime: not a u63")
        co_sig = w_sk.sign(cosignature_message(text, t))
        co_line = (f"{SIG_PREFIX}{witness.name} "
                   f"{b64(witness.id + struct.pack('>Q', t) + co_sig)}\n")
        self.expect(d["cosignedCheckpoint"].encode("utf-8") == expected + co_line.encode("utf-8"),
                    "cosignedCheckpoint differs from the checkpoint with the cosignature "
                    "made here (field seed, cosignatureTime)")
        cp, problems = check_checkpoint(d["cosignedCheckpoint"].encode("utf-8"), hq,
                                        ledger=ledger, witnesses=[witness])
        for p in problems:
            self.expect(False, f"cosignedCheckpoint: {p}")
        if cp is not None and not problems:
            self.expect(cp.cosignatures == {witness.name: [t]},
                        "cosignedCheckpoint: the cosignature's time is not cosignatureTime")

        # The receipt proof.
        data = d["receiptProof"].encode("utf-8")
        code = d["receiptCode"]
        res = check_receipt_proof(data, hq, code=code)
        for p in res.problems:
            self.expect(False, f"receiptProof: {p}")
        self.expect(res.code_checked, "receiptProof: the receipt code was not checked")
        for note in res.notes:
            self.notes.append(f"receiptProof: {note}")
        if res.proof is not None:
            i = res.proof.leaf
            if "signature-recorded" in named:
                self.expect(res.proof.entry == named["signature-recorded"],
                            "receiptProof: the entry is not entries.json's signature-recorded")
            if self.expect(0 <= i < n and leaves[i] == res.proof.entry,
                           "receiptProof: leaf does not index the entry among the leaves"):
                canonical = vb.canonical_json({
                    "checkpoint": d["checkpoint"], "entry": b64(leaves[i]),
                    "inclusion": [b64(x) for x in inclusion_proof(leaves, i)],
                    "key": hq.text(), "leaf": i, "ledger": ledger.hex(),
                    "proof": "ledger-receipt-proof", "version": 1})
                self.expect(data in (canonical, canonical + b"\n"),
                            "receiptProof differs from the canonical JSON of FORMAT.md 11 "
                            "made here")
                if data.endswith(b"\n"):
                    self.notes.append("receiptProof ends with a newline after the canonical "
                                      "JSON (FORMAT.md 11 does not say it does)")
        other = "0000-0000-0000-0000" if vb.normalise_receipt(code) != "0" * 16 else \
            "1111-1111-1111-1111"
        self.expect(bool(check_receipt_proof(data, hq, code=other).problems),
                    "receiptProof: another receipt code also matches")

        # The tally of a campaign over the same entries, with bundle.jsonl.
        bundle = None
        if "tally" in d or any(v["kind"] == "tally" for v in d["invalid"]):
            try:
                bundle = vb.read_bundle(os.path.join(self.directory, "bundle.jsonl"))
            except vb.BundleError as exc:
                self.expect(False, f"tally: bundle.jsonl is refused ({exc})")
        if "tally" in d and bundle is not None:
            raw = d["tally"].encode("utf-8")
            # The leaf order of the vectors' tree is the order of `leaves`.
            leaf_ids = [hashlib.sha256(leaf).digest() for leaf in leaves]
            tally, problems = check_tally(raw, hq, bundle, leaf_ids)
            for p in problems:
                self.expect(False, f"tally: {p}")
            self.expect(check_leaf_order(list(reversed(leaf_ids)), bundle, roots[n]) != [],
                        "tally: the bundle's entries in another order give the same root")
            if tally is not None and not problems:
                self.expect((tally.epoch, tally.size, tally.root) == (1, n, roots[n]),
                            "tally: its checkpoint line is not the vectors' checkpoint")
                lines = [TALLY_HEADER, f"ledger {ledger.hex()}", f"campaign {tally.campaign}",
                         f"version {tally.version.hex()}",
                         f"checkpoint 1 {n} {b64(roots[n])}",
                         f"readmodels {tally.readmodels.hex()}"]
                lines += [f"{k} {tally.counts[k]}" for k in TALLY_COUNTS]
                text_t = "".join(x + "\n" for x in lines).encode("utf-8")
                line_t = f"{SIG_PREFIX}{hq.name} {b64(hq.id + hq_sk.sign(text_t))}\n"
                self.expect(raw == text_t + b"\n" + line_t.encode("utf-8"),
                            "tally differs from the statement signed here with the HQ seed")
                self.notes.append("tally: the readmodels digest is taken as given "
                                  "(not recomputed here)")

        # The invalid vectors: each must fail, for its reason.
        seen = set()
        for v in d["invalid"]:
            kind, name = v["kind"], v["name"]
            where = f"invalid {kind} {name!r}"
            self.expect(name not in seen, f"{where}: a repeated name")
            seen.add(name)
            raw = v["text"].encode("utf-8")
            if kind == "checkpoint":
                _, problems = check_checkpoint(raw, hq, ledger=ledger)
            elif kind == "receiptProof":
                problems = check_receipt_proof(raw, hq).problems
                problems += check_receipt_proof(raw, hq, code=code).problems
            elif kind == "tally" and bundle is not None:
                problems = check_tally(raw, hq, bundle)[1]
            else:
                self.notes.append(f"{where}: unknown kind, not checked")
                continue
            if not self.expect(bool(problems), f"{where}: verifies, but must fail ({v['why']})"):
                continue
            want = self.EXPECTED_REASON.get(name)
            if want is None:
                self.notes.append(f"{where}: fails ({problems[0]}); its reason is not "
                                  f"known here: {v['why']}")
            else:
                self.expect(any(want in p for p in problems),
                            f"{where}: fails, but not for its reason ({v['why']}): "
                            f"{'; '.join(problems)}")


# --------------------------------------------------------------------------------------
# Command line

def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()


# --------------------------------------------------------------------------------------
# Witness alarm evidence (docs/PROTOCOL.md "Witnessing", "Witness alarms")

ALARM_MEMBERS = {"consistency", "held", "ledger", "reason", "shown", "time"}


def check_alarm_evidence(data: bytes, hq: Vkey) -> tuple[str | None, list[str]]:
    """PROTOCOL.md "Witness alarms": returns (finding, []) when the evidence holds, i.e. both
    checkpoints are HQ's (they verify with `hq`, for the ledger the evidence names) and they do
    not fit together: a later one of an earlier epoch, or of the same epoch a smaller tree, two
    roots for one size, or a consistency proof (the one HQ sent) that does not hold. Else
    (None, problems)."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, ["the evidence is not JSON"]
    if not isinstance(obj, dict):
        return None, ["the evidence is not a JSON object"]
    members = set(obj)
    if members != ALARM_MEMBERS:
        missing, extra = sorted(ALARM_MEMBERS - members), sorted(members - ALARM_MEMBERS)
        return None, [f"the evidence's members are not {sorted(ALARM_MEMBERS)}"
                      + (f" (missing {missing})" if missing else "")
                      + (f" (unknown {extra})" if extra else "")]
    problems = []
    if not isinstance(obj["reason"], str) or not isinstance(obj["time"], str):
        problems.append("reason and time must be strings")
    if not isinstance(obj["ledger"], str) or not HEX64.fullmatch(obj["ledger"]):
        problems.append("ledger is not 64 lower-case hex digits")
    proof: list[bytes] = []
    if not isinstance(obj["consistency"], list) or len(obj["consistency"]) > 64:
        problems.append("consistency is not a list of at most 64 hashes")
    else:
        for item in obj["consistency"]:
            raw = canonical_b64(item) if isinstance(item, str) else None
            if raw is None or len(raw) != HASH_SIZE:
                problems.append("consistency holds something that is not a base64 32-byte hash")
                break
            proof.append(raw)
    for member in ("held", "shown"):
        if obj[member] is None:
            problems.append(f"the evidence lacks the checkpoint {member} (an alarm raised before "
                            "laptops kept it): it shows nothing by itself")
        elif not isinstance(obj[member], str):
            problems.append(f"{member} is not a signed note")
    if problems:
        return None, problems
    ledger = bytes.fromhex(obj["ledger"])
    held, p_held = check_checkpoint(obj["held"].encode("utf-8"), hq, ledger=ledger)
    shown, p_shown = check_checkpoint(obj["shown"].encode("utf-8"), hq, ledger=ledger)
    problems = [f"held: {p}" for p in p_held] + [f"shown: {p}" for p in p_shown]
    if problems or held is None or shown is None:
        return None, problems or ["a checkpoint does not parse"]
    where = (f"HQ signed epoch {held.epoch} size {held.size} root {b64(held.root)}, then epoch "
             f"{shown.epoch} size {shown.size} root {b64(shown.root)}")
    if shown.epoch < held.epoch:
        return f"{where}: it went back to an earlier epoch", []
    if shown.epoch > held.epoch:
        return None, [f"{where}: a later epoch is a notice (HQ restored from a backup), not an alarm"]
    if shown.size < held.size:
        return f"{where}: a smaller tree of the same epoch", []
    if shown.size == held.size and shown.root != held.root:
        return f"{where}: two different roots for one size", []
    if verify_consistency(held.size, shown.size, held.root, shown.root, proof):
        return None, [f"{where}: the consistency proof holds, so the two fit together; this is no "
                      "evidence of a rewritten history"]
    return (f"{where}: the consistency proof HQ sent ({len(proof)} hashes) does not hold; the "
            "entries (a complete export) show which history HQ left"), []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="verify_transparency.py",
        description="Verify Ledger checkpoints, cosignatures and receipt proofs "
                    "(FORMAT.md 11), or check docs/test-vectors/transparency.json.")
    sub = parser.add_subparsers(dest="command")
    c = sub.add_parser("checkpoint", help="verify a signed checkpoint note")
    c.add_argument("file", help="the checkpoint note (- for standard input)")
    c.add_argument("--key", required=True, help="HQ's vkey (ledgerctl checkpoint --key)")
    c.add_argument("--ledger", help="the ledger id (hex) the checkpoint must be of")
    c.add_argument("--witness", action="append", default=[], metavar="VKEY",
                   help="a witness's cosignature vkey whose cosignature must be present "
                        "and valid (repeatable)")
    r = sub.add_parser("receipt", help="verify a receipt proof (ledgerctl receipt prove)")
    r.add_argument("file", help="the receipt proof JSON (- for standard input)")
    r.add_argument("--key", required=True, help="HQ's vkey, from a source you trust")
    r.add_argument("--code", help="the receipt code, to check it against the entry")
    t = sub.add_parser("tally", help="verify a signed tally statement (ledgerctl tally)")
    t.add_argument("file", help="the tally statement (- for standard input)")
    t.add_argument("--key", required=True, help="HQ's vkey, from a source you trust")
    t.add_argument("--bundle", help="the bundle of the checkpoint's entries, to recompute "
                                    "the counts")
    t.add_argument("--leaves", help="the bundle's leaf order (ledgerctl tally make writes "
                                    "BUNDLE.leaves; used when it exists), to recompute the root")
    a = sub.add_parser("alarm", help="check a witness alarm's evidence (ledgerctl witness evidence)")
    a.add_argument("file", help="the evidence JSON (- for standard input)")
    a.add_argument("--key", required=True, help="HQ's vkey, from a source you trust")
    v = sub.add_parser("vectors", help="check DIR/transparency.json")
    v.add_argument("dir")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    if args.command is None:
        parser.print_usage(sys.stderr)
        return 2
    if args.command == "vectors":
        return check_vectors(args.dir)

    try:
        hq = parse_vkey(args.key.strip())
    except NoteError as exc:
        print(f"error: --key: {exc}", file=sys.stderr)
        return 2
    problem = hq_key_problem(hq)
    if problem:
        print(f"error: --key: {problem}", file=sys.stderr)
        return 2
    try:
        data = _read(args.file)
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2

    if args.command == "checkpoint":
        ledger = None
        if args.ledger is not None:
            if not HEX64.fullmatch(args.ledger):
                print("error: --ledger is not 64 lower-case hex digits", file=sys.stderr)
                return 2
            ledger = bytes.fromhex(args.ledger)
        witnesses = []
        for w in args.witness:
            try:
                witnesses.append(parse_vkey(w.strip()))
            except NoteError as exc:
                print(f"error: --witness: {exc}", file=sys.stderr)
                return 2
        cp, problems = check_checkpoint(data, hq, ledger=ledger, witnesses=witnesses)
        if problems or cp is None:
            for p in problems:
                print(f"FAIL checkpoint: {p}")
            return 1
        cos = sum(len(v) for v in cp.cosignatures.values())
        print(f"checkpoint valid: ledger {cp.ledger.hex()} epoch {cp.epoch} size {cp.size} "
              f"root {b64(cp.root)}; signed by HQ ({hq.label()}); {cos} cosignature(s) "
              f"by the given witnesses verified; {cp.unknown_signatures} other line(s) "
              f"ignored")
        return 0

    if args.command == "alarm":
        finding, problems = check_alarm_evidence(data, hq)
        if problems or finding is None:
            for p in problems:
                print(f"FAIL alarm evidence: {p}")
            return 1
        print(f"alarm evidence holds: {finding}")
        return 0

    if args.command == "tally":
        bundle = None
        if args.bundle is not None:
            try:
                bundle = vb.read_bundle(args.bundle)
            except vb.BundleError as exc:
                print(f"FAIL tally: bundle refused: {exc}")
                return 1
        leaf_ids = None
        leaves_path = args.leaves
        if leaves_path is None and args.bundle is not None and os.path.exists(args.bundle + ".leaves"):
            leaves_path = args.bundle + ".leaves"
        if leaves_path is not None:
            if bundle is None:
                print("FAIL tally: --leaves needs --bundle")
                return 2
            with open(leaves_path, "rb") as f:
                leaf_ids, why = parse_leaf_order(f.read())
            if leaf_ids is None:
                print(f"FAIL tally: {why}")
                return 1
        tally, problems = check_tally(data, hq, bundle, leaf_ids)
        if problems or tally is None:
            for p in problems:
                print(f"FAIL tally: {p}")
            return 1
        counts = " ".join(f"{k} {v}" for k, v in tally.counts.items())
        print(f"tally valid: campaign {tally.campaign} of ledger {tally.ledger.hex()} at "
              f"checkpoint {tally.epoch}/{tally.size}: {counts}"
              + ("; recomputed from the bundle" if bundle is not None
                 else "; signature only (give --bundle to recompute the counts)")
              + ("; the bundle's entries in their leaf order give the checkpoint's root"
                 if leaf_ids is not None else ""))
        return 0

    res = check_receipt_proof(data, hq, code=args.code)
    for n in res.notes:
        print(f"note: {n}")
    if res.problems:
        for p in res.problems:
            print(f"FAIL receipt proof: {p}")
        return 1
    assert res.proof is not None and res.checkpoint is not None and res.entry_id is not None
    print(f"receipt proof valid: entry {res.entry_id.hex()} is leaf {res.proof.leaf} of "
          f"{res.checkpoint.size} in HQ's signed tree of ledger {res.proof.ledger.hex()} "
          f"(epoch {res.checkpoint.epoch})"
          + ("; the receipt code matches" if res.code_checked else ""))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
