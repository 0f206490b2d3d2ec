"""The check a communicator sees before a wave opens: what makes a survey hard to answer or its results
misleading (order, conditions, steps, channels, translations), and privacy risks.

Pure: a questionnaire, the plan's channels, the question bank's conditions and the known group sizes in,
findings out. Each finding says what to do, in plain Swedish.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from babel.lists import format_list

import locales
from locales import gettext as _
from locales import ngettext
from surveys.questionnaires.model import LANGUAGE_NAMES, STEP_NAMES, QuestionnaireDef, missing_translations

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


@dataclass(frozen=True)
class BankHint:
    """How a bank question is asked where the bank last got it: shown only after some answers to another
    bank question (`condition`: its bank code and the option codes), and which options name a channel."""

    condition: tuple[str, tuple[str, ...]] | None = None
    condition_text: str = ""  # the filter question's text
    condition_answers: tuple[str, ...] = ()  # the texts of the answers that show it
    channel_options: tuple[str, ...] = ()


class _Unchecked:
    pass


UNCHECKED = _Unchecked()  # check_questionnaire without the plan's channels: channels are not checked


def check_questionnaire(
    questionnaire: QuestionnaireDef,
    *,
    channels: Mapping[str, str] | _Unchecked | None = UNCHECKED,
    bank: Mapping[str, BankHint] | None = None,
) -> list[Finding]:
    """What makes a survey hard to answer or its results misleading.

    `channels` are the plan's (code → name; None when the questionnaire has no plan); `bank` says how each
    bank question is asked where the bank last got it, so that lost conditions and a wrong order show.
    """
    findings = _readability(questionnaire)
    findings += _conditions(questionnaire, bank or {})
    findings += _steps(questionnaire)
    if not isinstance(channels, _Unchecked):
        findings += _channels(questionnaire, channels, bank or {})
    findings += _translations(questionnaire)
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


def _where(number: int) -> str:
    return _("Fråga %(number)s") % {"number": number}


def _quoted(texts) -> str:
    # TRANSLATORS: an answer option's text in quotation marks
    quoted = [_("”%(option)s”") % {"option": t} for t in texts]
    return format_list(quoted, style="or", locale=locales.babel_locale()) if quoted else ""


def _readability(questionnaire: QuestionnaireDef) -> list[Finding]:
    findings: list[Finding] = []
    for number, question in enumerate(questionnaire.questions, start=1):
        where = _where(number)
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
    return findings


def _conditions(questionnaire: QuestionnaireDef, bank: Mapping[str, BankHint]) -> list[Finding]:
    """Conditions that point nowhere, filter questions after the questions they filter, conditions lost."""
    findings: list[Finding] = []
    questions = questionnaire.questions
    place = {q.code: i for i, q in enumerate(questions, start=1)}
    by_bank = {q.bank: (i, q) for i, q in enumerate(questions, start=1) if q.bank}
    for number, question in enumerate(questions, start=1):
        where = _where(number)
        if question.show_if:
            source = questionnaire.question(question.show_if.question)
            if source is None or place[source.code] >= number:
                findings.append(
                    Finding(
                        Severity.PROBLEM,
                        question.code,
                        _(
                            "%(where)s ska bara visas efter vissa svar på en fråga som inte kommer före den. Ändra "
                            "eller ta bort villkoret, annars visas frågan aldrig."
                        )
                        % {"where": where},
                    )
                )
            elif any(source.option(code) is None for code in question.show_if.any_of):
                findings.append(
                    Finding(
                        Severity.PROBLEM,
                        question.code,
                        _(
                            "%(where)s ska visas efter svar som fråga %(source)s inte längre har. Välj svaren i "
                            "villkoret igen."
                        )
                        % {"where": where, "source": place[source.code]},
                    )
                )
            continue
        hint = bank.get(question.bank) if question.bank else None
        if hint is None or hint.condition is None:
            continue
        filter_bank, _answers = hint.condition
        found = by_bank.get(filter_bank)
        answers = _quoted(hint.condition_answers)
        if found is None:
            findings.append(
                Finding(
                    Severity.WARNING,
                    question.code,
                    _(
                        "%(where)s ställs i frågebanken bara till dem som svarat %(answers)s på ”%(filter)s”, men "
                        "den frågan finns inte i enkäten. Nu svarar alla på den, och resultatet kan inte jämföras "
                        "med tidigare mätomgångar. Lägg till frågan ”%(filter)s” före den."
                    )
                    % {"where": where, "answers": answers, "filter": hint.condition_text},
                )
            )
        elif found[0] > number:
            findings.append(
                Finding(
                    Severity.PROBLEM,
                    question.code,
                    _(
                        "Frågorna kommer i fel ordning: %(where)s ska bara ställas till dem som svarat %(answers)s "
                        "på fråga %(filter)s, men fråga %(filter)s kommer efter den. Flytta fråga %(filter)s före "
                        "fråga %(number)s och lägg sedan till villkoret på fråga %(number)s."
                    )
                    % {"where": where, "answers": answers, "filter": found[0], "number": number},
                )
            )
        else:
            findings.append(
                Finding(
                    Severity.WARNING,
                    question.code,
                    _(
                        "%(where)s visas för alla, men i frågebanken bara för dem som svarat %(answers)s på "
                        "fråga %(filter)s. Lägg till villkoret om de andra inte ska svara, så att resultatet "
                        "kan jämföras med tidigare mätomgångar."
                    )
                    % {"where": where, "answers": answers, "filter": found[0]},
                )
            )
    return findings


def _steps(questionnaire: QuestionnaireDef) -> list[Finding]:
    """Two questions measuring one step, and an awareness question that leaves "Vet ej" out."""
    findings: list[Finding] = []
    measuring: dict[str, list[int]] = {}
    for number, question in enumerate(questionnaire.questions, start=1):
        if question.step:
            measuring.setdefault(question.step, []).append(number)
        if (
            question.step == "L1"
            and question.dont_know == "excluded"
            and any(o.dont_know for o in question.options)
        ):
            findings.append(
                Finding(
                    Severity.WARNING,
                    question.code,
                    _(
                        "%(where)s mäter kännedom men räknar inte med dem som svarar Vet ej. Då ser kännedomen "
                        "högre ut än den är: den som inte vet om hen känner till något gör det sällan. Välj att "
                        "Vet ej räknas som att steget inte nås."
                    )
                    % {"where": _where(number)},
                )
            )
    for step, numbers in measuring.items():
        if len(numbers) > 1:
            findings.append(
                Finding(
                    Severity.WARNING,
                    questionnaire.questions[numbers[1] - 1].code,
                    _(
                        "Frågorna %(numbers)s mäter alla %(step)s. Resultaten för steget räknas bara på den "
                        "första (fråga %(first)s). Välj Inget steg för de andra, eller ta bort dem."
                    )
                    % {
                        "numbers": ", ".join(str(n) for n in numbers),
                        "step": f"{step} {_(STEP_NAMES[step])}",
                        "first": numbers[0],
                    },
                )
            )
    return findings


def _channels(
    questionnaire: QuestionnaireDef, channels: Mapping[str, str] | None, bank: Mapping[str, BankHint]
) -> list[Finding]:
    """Channel recall: options linked to the plan's channels, and the plan's channels nobody is asked about."""
    findings: list[Finding] = []
    mapped: set[str] = set()
    asks_channels = False
    for number, question in enumerate(questionnaire.questions, start=1):
        hint = bank.get(question.bank) if question.bank else None
        linked = [o for o in question.options if o.channel]
        expected = [o for o in question.options if hint and o.code in hint.channel_options and not o.channel]
        if linked or (hint and hint.channel_options):
            asks_channels = True
        mapped.update(o.channel for o in linked)
        unknown = [o for o in linked if channels is not None and o.channel not in channels]
        if unknown:
            findings.append(
                Finding(
                    Severity.PROBLEM,
                    question.code,
                    _(
                        "%(where)s: svarsalternativen %(options)s är kopplade till kanaler som inte finns i planen."
                    )
                    % {"where": _where(number), "options": _quoted(o.text for o in unknown)},
                )
            )
        if expected and channels is not None:
            findings.append(
                Finding(
                    Severity.WARNING,
                    question.code,
                    _(
                        "%(where)s frågar var de svarande har sett informationen, men svarsalternativen "
                        "%(options)s är inte kopplade till någon av planens kanaler. Välj kanal för dem i frågan, "
                        "annars syns de inte i kanalernas resultat."
                    )
                    % {"where": _where(number), "options": _quoted(o.text for o in expected)},
                )
            )
    if channels is None:
        if asks_channels:
            findings.append(
                Finding(
                    Severity.WARNING,
                    None,
                    _(
                        "Enkäten hör inte till någon plan, så svaren om kanaler kan inte kopplas till planens "
                        "kanaler. Skapa enkäten från planen, eller kopiera den och välj planen."
                    ),
                )
            )
        return findings
    missing = [name for code, name in channels.items() if code not in mapped]
    if channels and not asks_channels:
        findings.append(
            Finding(
                Severity.WARNING,
                None,
                _(
                    "Enkäten frågar inte var de svarande har sett informationen, så planens kanaler (%(channels)s) "
                    "kan inte följas upp. Lägg till frågan om kanaler ur frågebanken."
                )
                % {"channels": ", ".join(channels.values())},
            )
        )
    elif missing:
        findings.append(
            Finding(
                Severity.WARNING,
                None,
                ngettext(
                    "Planens kanal %(channels)s finns inte som svarsalternativ i någon fråga, så ingen kan svara "
                    "att de sett informationen där.",
                    "Planens kanaler %(channels)s finns inte som svarsalternativ i någon fråga, så ingen kan svara "
                    "att de sett informationen där.",
                    len(missing),
                )
                % {"channels": ", ".join(missing)},
            )
        )
    return findings


def _translations(questionnaire: QuestionnaireDef) -> list[Finding]:
    """One finding per offered language, listing what is still only in Swedish."""
    findings: list[Finding] = []
    for lang, missing in missing_translations(questionnaire).items():
        parts: list[str] = []
        by_question: dict[int, list[str]] = {}
        for number, what in missing:
            if number is None:
                parts.append(_("titeln") if what == "title" else _("inledningen"))
            else:
                by_question.setdefault(number, []).append(what)
        for number, whats in by_question.items():
            question = questionnaire.questions[number - 1]
            named = []
            if "text" in whats:
                named.append(_("frågetexten"))
            if "help" in whats:
                named.append(_("hjälptexten"))
            options = [o.text for o in question.options if o.code in whats]
            if options:
                named.append(
                    _("svarsalternativen %(options)s") % {"options": ", ".join(f"”{t}”" for t in options)}
                )
            parts.append(_("fråga %(number)s (%(what)s)") % {"number": number, "what": ", ".join(named)})
        findings.append(
            Finding(
                Severity.WARNING,
                None,
                _(
                    "Texter saknas på %(language)s: %(parts)s. De som svarar på %(language)s ser svenska där. "
                    "Skriv texterna i frågorna och under Titel och inledning."
                )
                % {"language": _(LANGUAGE_NAMES[lang]), "parts": "; ".join(parts)},
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
