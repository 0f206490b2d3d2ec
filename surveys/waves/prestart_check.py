"""The check a communicator sees before a wave opens: accessibility problems and privacy risks.

Pure: a questionnaire and the known group sizes in, findings out. Each finding says what to do.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from locales import gettext as _
from surveys.questionnaires.model import QuestionnaireDef

MAX_OPTIONS_SINGLE = 9  # more than this in one radio group is hard to scan, on a phone especially
MAX_MINUTES = 5
MAX_QUESTION_LENGTH = 250


class Severity(enum.StrEnum):
    PROBLEM = "problem"  # should be fixed before the wave opens
    WARNING = "warning"  # worth a second look


@dataclass(frozen=True)
class Finding:
    severity: Severity
    question: str | None  # the question code, or None for the whole wave
    message: str


def check_questionnaire(questionnaire: QuestionnaireDef) -> list[Finding]:
    """Accessibility and length: what makes a survey hard to answer."""
    findings: list[Finding] = []
    for number, question in enumerate(questionnaire.questions, start=1):
        where = _("Fråga %(number)s") % {"number": number}
        if not question.text.strip():
            findings.append(
                Finding(Severity.PROBLEM, question.code, _("%(where)s saknar frågetext.") % {"where": where})
            )
        elif len(question.text) > MAX_QUESTION_LENGTH:
            findings.append(
                Finding(
                    Severity.WARNING,
                    question.code,
                    _(
                        "%(where)s är lång (%(length)s tecken). Korta frågor är lättare att förstå, även med skärmläsare."
                    )
                    % {"where": where, "length": len(question.text)},
                )
            )
        empty = [o.code for o in question.options if not o.text.strip()]
        if empty:
            findings.append(
                Finding(
                    Severity.PROBLEM,
                    question.code,
                    _("%(where)s har svarsalternativ utan text: %(codes)s.")
                    % {"where": where, "codes": ", ".join(empty)},
                )
            )
        if question.kind == "single" and len(question.options) > MAX_OPTIONS_SINGLE:
            findings.append(
                Finding(
                    Severity.WARNING,
                    question.code,
                    _(
                        "%(where)s har %(count)s svarsalternativ. Fler än %(max)s är svåra att överblicka på en mobil."
                    )
                    % {"where": where, "count": len(question.options), "max": MAX_OPTIONS_SINGLE},
                )
            )
        if question.kind == "scale10" and not question.help:
            findings.append(
                Finding(
                    Severity.WARNING,
                    question.code,
                    _("%(where)s är en skala 0–10 utan hjälptext. Förklara vad 0 och 10 betyder.")
                    % {"where": where},
                )
            )
    minutes = questionnaire.estimated_minutes
    if minutes > MAX_MINUTES:
        findings.append(
            Finding(
                Severity.WARNING,
                None,
                _("Enkäten tar ungefär %(minutes)s minuter. Fler svarar om den tar högst %(max)s minuter.")
                % {"minutes": minutes, "max": MAX_MINUTES},
            )
        )
    return findings


def check_privacy(
    questionnaire: QuestionnaireDef,
    sizes: Mapping[tuple[str, str], int | None],
    k: int,
    *,
    open_link: bool = False,
) -> list[Finding]:
    """Groups (organisation × target group, by name) so small that answers could point at someone.

    With an open link, anyone can send made-up answers into a small group until it is published and then
    subtract their own (docs/dataskydd.md, "Vad som redovisas"): groups under 3k people are named, with
    the advice to use one-time codes."""
    findings: list[Finding] = []
    if open_link:
        exposed = sorted(
            f"{group} i {org}" for (org, group), n in sizes.items() if n is not None and 0 < n < 3 * k
        )
        if exposed:
            findings.append(
                Finding(
                    Severity.WARNING,
                    None,
                    _(
                        "Mätomgången har en öppen länk, och %(count)s grupper har färre än %(limit)s personer "
                        "(%(groups)s). Med en öppen länk kan vem som helst skicka in påhittade svar tills en "
                        "liten grupp redovisas och sedan räkna fram de riktiga svaren. Använd engångskoder "
                        "för den här mätomgången."
                    )
                    % {"count": len(exposed), "limit": 3 * k, "groups": ", ".join(exposed)},
                )
            )
    small = sorted((org, group, n) for (org, group), n in sizes.items() if n is not None and 0 < n < k)
    for org, group, n in small:
        findings.append(
            Finding(
                Severity.WARNING,
                None,
                _(
                    "%(group)s i %(org)s har bara %(n)s personer, färre än %(k)s. Deras svar redovisas aldrig "
                    "för sig, bara tillsammans med andra."
                )
                % {"group": group, "org": org, "n": n, "k": k},
            )
        )
    free_text = [q for q in questionnaire.questions if q.kind == "text"]
    if free_text and small:
        findings.append(
            Finding(
                Severity.WARNING,
                free_text[0].code,
                _(
                    "Enkäten har fritextfrågor och små grupper. Fritext från grupper med färre än %(k)s svar visas "
                    "inte, men be de svarande att inte skriva namn eller annat som pekar ut någon."
                )
                % {"k": k},
            )
        )
    return findings
