"""One-time codes: handed out through managers, each lets one person answer a wave once.

Only a hash of each code is stored, with a spent flag and nothing else: no time and no link to the
response, so a spent code cannot be traced to the answers it unlocked.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets

from analysis.render.export import neutralise
from surveys.db.tables import AccessCode

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10
MAX_CODES = 20_000


class CodeRejected(Exception):
    """The code does not exist for this wave, or it has been used."""


def normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in ALPHABET)


def code_hash(wave_id: int, code: str) -> str:
    # The wave is part of the hash: the same code printed for two waves is two different codes.
    return hashlib.sha256(f"{wave_id}:{normalise(code)}".encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


async def create_codes(wave_id: int, count: int) -> list[str]:
    """New codes for a wave; they are returned once and only their hashes are kept. Call in a transaction."""
    if not 1 <= count <= MAX_CODES:
        raise ValueError(f"count must be between 1 and {MAX_CODES}")
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < count:
        code = _new_code()
        if code not in seen:
            seen.add(code)
            codes.append(code)
    for start in range(0, len(codes), 2000):
        await AccessCode.insert(
            *(
                AccessCode(wave=wave_id, code_hash=code_hash(wave_id, c), spent=False)
                for c in codes[start : start + 2000]
            )
        )
    return codes


async def spend(wave_id: int, code: str) -> None:
    """Mark the code used, inside the transaction that stores the response (so both or neither happen)."""
    if len(normalise(code)) != LENGTH:
        raise CodeRejected
    spent = (
        await AccessCode.update({AccessCode.spent: True})
        .where((AccessCode.code_hash == code_hash(wave_id, code)) & (AccessCode.spent == False))
        .returning(AccessCode.id)
    )
    if not spent:
        raise CodeRejected


async def code_counts(wave_id: int) -> tuple[int, int]:
    """(codes handed out, codes used) for a wave's progress page."""
    total = await AccessCode.count().where(AccessCode.wave == wave_id)
    used = await AccessCode.count().where((AccessCode.wave == wave_id) & (AccessCode.spent == True))
    return total, used


def codes_csv(codes: list[str], title: str) -> bytes:
    """A sheet to print or mail-merge: one code a row, UTF-8 with BOM and semicolons for Swedish Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(title)])
    writer.writerows([code] for code in codes)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
