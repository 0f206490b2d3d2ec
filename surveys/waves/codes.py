"""One-time codes: handed out through managers, each lets one person answer a wave once.

Only a hash of each unused code is stored, and nothing else. Using a code deletes its row, in the
transaction that stores the response: no used code is left whose transaction id, place in the table or
place in a backup could be joined or ordered to the response (docs/dataskydd.md, "Engångskoder och
svarens ordning"). How many codes a wave handed out is kept on the wave: the used ones are the missing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass

from analysis.render.export import neutralise
from locales import gettext as _
from surveys import caches
from surveys.accounts import audit
from surveys.db.engine import write_transaction
from surveys.db.tables import AccessCode, Wave
from surveys.errors import Invalid
from surveys.waves.setup import wave_to_manage

# No 0/O, 1/I/L: codes are read aloud and typed from paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10
MAX_CODES = 20_000


CODE_FIELD = "code"


class CodeRejected(Invalid):
    """The code does not exist for this wave, or it has been used: the respondent is asked to check it."""

    def __init__(self) -> None:
        message = _("Koden finns inte eller är redan använd. Kontrollera koden på lappen.")
        super().__init__(_("Några svar behöver rättas."), errors={CODE_FIELD: message})


@dataclass(frozen=True)
class IssuedCodes:
    wave_slug: str
    wave_title: str
    codes: tuple[str, ...]  # shown once: only their hashes are kept


async def issue_codes(slug: str, count: int) -> IssuedCodes:
    """New one-time codes for a wave, which from now on asks every respondent for one."""
    wave = await wave_to_manage(slug)
    if not 1 <= count <= MAX_CODES:
        message = _("Skriv hur många koder du behöver, ett heltal från 1 till %(max)s.") % {"max": MAX_CODES}
        raise Invalid.fields({"count": message})
    async with write_transaction():
        await Wave.update({Wave.uses_codes: True}).where(Wave.id == wave.id)
        codes = await create_codes(wave.id, count)
        # How many, never which: a code in the log could be tied to the response it was spent on.
        await audit.record_action(
            audit.Action.CODES_ISSUED, audit.named("Mätomgång", wave.slug, wave.title), f"{count} koder"
        )
    caches.after_wave_change()
    return IssuedCodes(wave.slug, wave.title, tuple(codes))


def codes_sheet(issued: IssuedCodes) -> bytes:
    """The codes as a sheet to print or mail-merge (see codes_csv)."""
    return codes_csv(list(issued.codes), _("Engångskoder för %(title)s") % {"title": issued.wave_title})


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
            *(AccessCode(wave=wave_id, code_hash=code_hash(wave_id, c)) for c in codes[start : start + 2000])
        )
    await Wave.update({Wave.codes_issued: Wave.codes_issued + count}).where(Wave.id == wave_id)
    return codes


async def spend(wave_id: int, code: str) -> None:
    """Use up the code (delete it), inside the transaction that stores the response (both or neither)."""
    if len(normalise(code)) != LENGTH:
        raise CodeRejected
    spent = (
        await AccessCode.delete()
        .where(AccessCode.code_hash == code_hash(wave_id, code))
        .returning(AccessCode.id)
    )
    if not spent:
        raise CodeRejected


async def code_counts(wave_id: int) -> tuple[int, int]:
    """(codes handed out, codes used) for a wave's progress page."""
    wave = await Wave.select(Wave.codes_issued).where(Wave.id == wave_id).first()
    total = wave["codes_issued"] if wave else 0
    return total, total - await AccessCode.count().where(AccessCode.wave == wave_id)


def codes_csv(codes: list[str], title: str) -> bytes:
    """A sheet to print or mail-merge: one code a row, UTF-8 with BOM and semicolons for Swedish Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(title)])
    writer.writerows([code] for code in codes)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
