"""Options that name a channel (channel recall) checked against the plan's channels, whatever the door.

A channel code that is not the plan's is refused, never dropped: a typo would otherwise leave channel
recall empty in every result. From a file, each problem names its line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from locales import gettext as _
from surveys.questionnaires.model import Problem, QuestionnaireDef

_QUESTION_HEADER = re.compile(r"^\s*\[\[\s*questions\s*\]\]\s*(#.*)?$")


def channel_problems(
    definition: QuestionnaireDef, channels: Mapping[str, str] | None, source: str | None = None
) -> list[Problem]:
    """Every option whose channel is not one of `channels` (code → name; None: the questionnaire has no plan).

    `source` is the file's text, so that each problem can name its line.
    """
    problems: list[Problem] = []
    known = ", ".join(sorted(channels)) if channels else ""
    for number, question in enumerate(definition.questions, start=1):
        where = _("fråga %(number)s (%(code)s)") % {"number": number, "code": question.code}
        for option in question.options:
            if option.channel is None or (channels is not None and option.channel in channels):
                continue
            line = line_of(source, number, option.channel) if source else None
            at = (_("rad %(line)s: ") % {"line": line}) if line else ""
            if channels is None:
                text = _(
                    "%(at)s%(where)s: svarsalternativet %(option)s har kanalen %(channel)s, men enkäten hör inte "
                    "till någon plan. Välj planen som kanalerna hör till."
                ) % {"at": at, "where": where, "option": option.code, "channel": option.channel}
                plain = _("Välj planen som kanalerna hör till: enkäten hör inte till någon plan.")
            else:
                text = _(
                    "%(at)s%(where)s: svarsalternativet %(option)s har kanalen %(channel)s, som inte finns i "
                    "planen. Planens kanaler: %(known)s."
                ) % {
                    "at": at,
                    "where": where,
                    "option": option.code,
                    "channel": option.channel,
                    "known": known or _("(inga)"),
                }
                plain = _(
                    "Fråga %(number)s: svarsalternativet ”%(option)s” är kopplat till en kanal som inte finns i "
                    "planen (%(channel)s). Välj en av planens kanaler."
                ) % {"number": number, "option": option.text, "channel": option.channel}
            problems.append(Problem(text, "options", plain, number))
    return problems


def line_of(source: str, question_number: int, channel: str) -> int | None:
    """The line of `channel = "<channel>"` in the file's question `question_number` (from 1), if found."""
    wanted = re.compile(r"""\bchannel\s*=\s*(["'])""" + re.escape(channel) + r"\1")
    seen = 0
    anywhere = None
    for line_number, line in enumerate(source.splitlines(), start=1):
        if _QUESTION_HEADER.match(line):
            seen += 1
        elif wanted.search(line):
            if seen == question_number:
                return line_number
            anywhere = anywhere or line_number
    # A file that writes its questions as one array has no [[questions]] headers to count.
    return anywhere if seen == 0 else None
