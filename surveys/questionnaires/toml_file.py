"""Writing a questionnaire back to the TOML file format it is read from (export, and edit-by-file)."""

from __future__ import annotations

import json

from surveys.questionnaires.model import QuestionDef, QuestionnaireDef, Texts, default_dont_know

_DEFAULT_OPTION_KINDS = ("agree5", "yesno", "scale10")


def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string, except that TOML also forbids a raw DEL, which JSON allows.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _translated(name: str, texts: Texts) -> list[str]:
    return [f"{name}_{lang} = {_string(text)}" for lang, text in texts.items]


def _inline_translated(texts: Texts) -> list[str]:
    return [f"text_{lang} = {_string(text)}" for lang, text in texts.items]


def _question(question: QuestionDef) -> list[str]:
    lines = ["[[questions]]", f"code = {_string(question.code)}", f"kind = {_string(question.kind)}"]
    if question.bank:
        lines.append(f"bank = {_string(question.bank)}")
    lines.append(f"text = {_string(question.text)}")
    lines += _translated("text", question.text_in)
    if question.help:
        lines.append(f"help = {_string(question.help)}")
    lines += _translated("help", question.help_in)
    if not question.required:
        lines.append("required = false")
    if question.step:
        lines.append(f"step = {_string(question.step)}")
    # Written only when it is not the step's default, so that a default never hardens into a choice.
    if question.dont_know != default_dont_know(question.step):
        lines.append(f"dont_know = {_string(question.dont_know)}")
    if question.kind == "text":
        lines.append(f"max_length = {question.max_length}")
    if question.max_choices:
        lines.append(f"max_choices = {question.max_choices}")
    if question.show_if:
        any_of = ", ".join(_string(c) for c in question.show_if.any_of)
        lines.append(f"show_if = {{ question = {_string(question.show_if.question)}, any_of = [{any_of}] }}")
    if question.kind in _DEFAULT_OPTION_KINDS:
        reached = [o.code for o in question.options if o.reaches_step]
        if reached:
            lines.append(f"reached = [{', '.join(_string(c) for c in reached)}]")
        if question.kind == "agree5" and not any(o.dont_know for o in question.options):
            lines.append("dont_know_option = false")
        # The texts, so that edited scale labels survive a round trip.
        lines.append("options = [")
        for o in question.options:
            parts = [f"code = {_string(o.code)}", f"text = {_string(o.text)}", *_inline_translated(o.text_in)]
            lines.append(f"    {{ {', '.join(parts)} }},")
        lines.append("]")
    elif question.options:
        lines.append("options = [")
        for o in question.options:
            parts = [f"code = {_string(o.code)}", f"text = {_string(o.text)}", *_inline_translated(o.text_in)]
            if o.reaches_step:
                parts.append("reaches_step = true")
            if o.dont_know:
                parts.append("dont_know = true")
            if o.channel:
                parts.append(f"channel = {_string(o.channel)}")
            if o.value is not None:
                parts.append(f"value = {o.value}")
            lines.append(f"    {{ {', '.join(parts)} }},")
        lines.append("]")
    return lines


def to_toml(questionnaire: QuestionnaireDef) -> str:
    lines = [
        "# effekt questionnaire: load it with `effekt load-questionnaire FILE`.",
        f"code = {_string(questionnaire.code)}",
        f"title = {_string(questionnaire.title)}",
    ]
    if questionnaire.languages:
        lines.append(f"languages = [{', '.join(_string(lang) for lang in questionnaire.languages)}]")
    lines += _translated("title", questionnaire.title_in)
    if questionnaire.intro:
        lines.append(f"intro = {_string(questionnaire.intro)}")
    lines += _translated("intro", questionnaire.intro_in)
    for question in questionnaire.questions:
        lines.append("")
        lines += _question(question)
    return "\n".join(lines) + "\n"


def trend_breaks(previous: QuestionnaireDef, current: QuestionnaireDef) -> list[str]:
    """Codes of questions whose wording or scale changed: their results will not compare with earlier rounds."""
    before = {(q.bank or q.code): q for q in previous.questions}
    changed = []
    for question in current.questions:
        old = before.get(question.bank or question.code)
        if old is None:
            continue
        if (
            old.text != question.text
            or old.kind != question.kind
            or [(o.code, o.text, o.reaches_step, o.dont_know) for o in old.options]
            != [(o.code, o.text, o.reaches_step, o.dont_know) for o in question.options]
        ):
            changed.append(question.code)
    return changed
