"""Several effect goals at once: the plan page's grid of target groups × steps, a target typed in each cell
that has one, one deadline for them all.

Every filled cell is checked by the same rule as a single goal (rules.effect_goal); one refused cell refuses
the whole grid and nothing is stored. A goal typed in the grid gets its wording from its group and step (a
plain sentence the communicator can rewrite in the plan's own words on the plan page), since the rule, the
results pages and the meeting pack all need a wording to show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from locales import gettext as _
from surveys import caches
from surveys.accounts import audit
from surveys.db.engine import write_transaction
from surveys.db.tables import EffectGoal, TargetGroup
from surveys.errors import Invalid
from surveys.plans import rules

# The plan's words are Swedish whatever the page's language (as a goal typed in by hand is).
DEFAULT_WORDINGS = {
    "L1": "{group} känner till planen.",
    "L2": "{group} förstår vad planen innebär för dem.",
    "L3": "{group} ställer sig bakom planens inriktning.",
    "L4": "{group} bidrar aktivt i arbetet med planen.",
}


@dataclass(frozen=True)
class GoalCell:
    target_group: str  # the group's code
    step: str  # L1–L4
    target: str  # as typed: 70, "70 %", 0,7
    wording: str = ""  # empty: made from the group and the step


def cell_key(target_group: str, step: str) -> str:
    """A cell's name in the form and in the errors: "<group>-<step>"."""
    return f"{target_group}-{step}"


def default_wording(group_name: str, step: str) -> str:
    return DEFAULT_WORDINGS[step].format(group=group_name)


def cells_from_form(fields: Mapping[str, Sequence[str]], groups: Sequence[str]) -> list[GoalCell]:
    """The filled cells of the grid form (fields "target-<group>-<step>"), row by row, step by step."""
    found = []
    for group in groups:
        for step in rules.GOAL_STEPS:
            typed = (fields.get(f"target-{cell_key(group, step)}") or [""])[0].strip()
            if typed:
                found.append(GoalCell(group, step, typed))
    return found


async def add_goals(plan_id: int, cells: Sequence[GoalCell], *, deadline: str = "") -> list[int]:
    """The goals of the filled `cells`, all or none; their ids.

    Raises Invalid with errors keyed by cell ("<group>-<step>"), "deadline" for the shared deadline, and
    "grid" when no cell was filled. A cell whose group and step already have a goal is refused: that goal
    is changed where it is shown, not added twice.
    """
    groups = {
        row["code"]: row
        for row in await TargetGroup.select(
            TargetGroup.id, TargetGroup.code, TargetGroup.name, TargetGroup.archived
        ).where(TargetGroup.plan == plan_id)
    }
    existing = {
        (row["group"], row["step"])
        for row in await EffectGoal.select(
            EffectGoal.target_group.code.as_alias("group"), EffectGoal.step
        ).where(EffectGoal.plan == plan_id)
    }
    errors: dict[str, str] = {}
    if not cells:
        errors["grid"] = _("Skriv ett mål i procent i minst en ruta.")
    checked: list[tuple[dict, rules.EffectGoalDef]] = []
    for cell in cells:
        key = cell_key(cell.target_group, cell.step)
        group = groups.get(cell.target_group)
        if group is None or group["archived"]:
            errors[key] = _("Välj en av planens målgrupper.")
            continue
        if (cell.target_group, cell.step) in existing:
            errors[key] = _("%(group)s har redan ett effektmål för %(step)s. Ändra det i listan ovan.") % {
                "group": group["name"],
                "step": cell.step,
            }
            continue
        try:
            goal = rules.effect_goal(
                group=group["name"],
                step=cell.step,
                target=cell.target,
                deadline=deadline,
                wording=cell.wording.strip() or default_wording(group["name"], cell.step),
            )
        except Invalid as refused:
            if "deadline" in refused.errors:
                errors["deadline"] = refused.errors["deadline"]
            cell_errors = [m for field, m in refused.errors.items() if field != "deadline"]
            if cell_errors:
                errors[key] = " ".join(cell_errors)
            continue
        checked.append((group, goal))
    if errors:
        raise Invalid(" ".join(dict.fromkeys(errors.values())), errors=errors)
    ids = []
    async with write_transaction():
        for group, goal in checked:
            row = EffectGoal(
                plan=plan_id,
                target_group=group["id"],
                step=goal.step,
                target_share=goal.target,
                deadline=goal.deadline,
                wording=goal.wording,
            )
            await row.save()
            ids.append(row.id)
        await audit.record_action(
            audit.Action.GOAL_CHANGED,
            await audit.plan_named(plan_id),
            "nya mål: " + ", ".join(f"{group['code']} {goal.step}" for group, goal in checked),
        )
    caches.after_plan_change()
    return ids
