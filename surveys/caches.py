"""Every copy a worker keeps in memory, in one list, and the one call the domain makes after each kind of write.

A worker (one process) keeps copies so that a respondent's page costs no database query and a results
page is not computed twice. Each copy below says what it is keyed by, what makes it stale, and how long a
stale copy can live. The domain calls `after_wave_change()` (and its siblings) after it writes; route
handlers never forget a cache themselves. A change made through *another* worker or server is seen when
that worker's copy runs out (the `lifetime` column); one made through this worker is seen at once.

`forget` names the function that empties a cache, as "module:function", resolved only when called: this
module must be importable from anywhere in `surveys/` without importing what it lists (and never `server/`,
whose caches check themselves against what the domain returns, so they need no call).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Cache:
    name: str  # "module.variable" or "module.function" (an lru_cache), as the source spells it
    holds: str
    key: str
    stale_when: str
    lifetime: str
    forget: str | None = None  # "module:function"; None when a copy can never be stale, or checks itself


WAVE_COPIES = Cache(
    "surveys.waves.lookup._wave_cache",
    "a wave as the respondent's form needs it (dates, closed early, codes, questionnaire, choices)",
    "the wave's address (slug)",
    "the wave, its questionnaire draft, its organisations or target groups change",
    "2 s (5 s while a new read is under way), or until after_wave_change() on this worker",
    "surveys.waves.lookup:forget_wave",
)
WAVE_READS = Cache(
    "surveys.waves.lookup._reads",
    "the read of a wave under way, shared by every request that needs it meanwhile",
    "event loop, then the wave's address",
    "a write during the read: after_wave_change() lets nobody join it, and its result is not kept",
    "the length of one read",
    "surveys.waves.lookup:forget_wave",
)
WAVE_CHOICES = Cache(
    "surveys.waves.lookup._choices_cache",
    "the organisations and target groups a wave asks about (codes and names)",
    "the wave's id",
    "a wave's organisations or target groups, or their names, change",
    "30 s, or until after_wave_change() or after_plan_change() on this worker",
    "surveys.waves.lookup:forget_wave",
)
FROZEN_VERSIONS = Cache(
    "surveys.questionnaires.storage._frozen_versions",
    "questionnaire versions that have answers",
    "the version's id",
    "never: a version with answers is not changed (an edit makes a new version); only another database",
    "the worker's life, or until forget_all()",
    "surveys.questionnaires.storage:forget_versions",
)
SUBMISSION_STATEMENTS = Cache(
    "surveys.responding.submission._postgres_insert",
    "the SQL text that stores a response with n answers on PostgreSQL",
    "the number of answer rows",
    "never: the text depends on the number only",
    "the worker's life (64 sizes kept)",
)
PLAN_RESULTS = Cache(
    "surveys.results.plan_results._cache",
    "a plan's computed results",
    "plan, k, confidence, the responses' stamp (newest id and count) and the plan's fingerprint",
    "never served stale: new or deleted responses or a changed plan give a new key",
    "until 16 newer results push it out, or forget_all()",
    "surveys.results.plan_results:forget_results",
)
MEETING_PACKS = Cache(
    "surveys.meetings.pack._made",
    "a meeting pack rendered as PDF, PowerPoint or HTML",
    "a hash of the pack's whole content, the format and the language",
    "never served stale: any change to the pack gives a new key",
    "until 8 newer packs push it out, or forget_all()",
    "surveys.meetings.pack:forget_made_packs",
)
CHART_RENDERS = Cache(
    "analysis.render.charts._cache",
    "a chart rendered as SVG or PNG",
    "the chart key (plan, results stamp, language, chart), format and resolution",
    "never served stale: the caller's key holds everything the chart depends on",
    "until 128 newer renders push it out, or forget_all()",
    "analysis.render.charts:clear_render_cache",
)
CHART_TEXTS = Cache(
    "analysis.render.charts._texts",
    "a chart's title, description and data table",
    "the chart key",
    "never served stale, as for the renders",
    "until 128 newer texts push it out, or forget_all()",
    "analysis.render.charts:clear_render_cache",
)
AXIS_LABELS = Cache(
    "analysis.render.charts._axis_share",
    "a share formatted for a chart axis",
    "value, language and minus sign",
    "never: a pure function of its key",
    "the worker's life (512 kept)",
)
NORMAL_QUANTILES = Cache(
    "analysis.stats.estimates._z_for_level",
    "the normal quantile for a confidence level",
    "the level",
    "never: a pure function of its key",
    "the worker's life (64 kept)",
)
TRANSLATIONS = Cache(
    "locales.translations",
    "a language's compiled messages",
    "the language",
    "a new release (the files are part of it)",
    "the worker's life",
)
BLANK_FORMS = Cache(
    "server.web.respondent._blank_forms",
    "an empty survey form, rendered, with marks where the CSRF token and the submission key go",
    "wave id, organisation link, language and path",
    "the wave changes: each use compares the copy's wave with the one find_wave() returns now",
    "as long as the wave copy it was made from (see WAVE_COPIES); 64 kept",
)
ACCEPT_LANGUAGE = Cache(
    "server.locale._negotiated",
    "the language chosen for an Accept-Language header",
    "the header and the configured default",
    "never: a pure function of its key",
    "the worker's life (256 kept)",
)

OVERVIEW_MATRICES = Cache(
    "surveys.results.overview._matrices",
    "the overview's matrix of target groups × steps with its texts formatted, per language",
    "the plan results' stamp (its released counts and settings) and the language",
    "never: a new release or setting gives a new stamp, so a new key",
    "until pushed out by newer ones (a few per worker)",
    "surveys.results.overview:forget_matrices",
)
QUESTION_RESULTS = Cache(
    "surveys.results.questions._cache",
    "a wave's per-question results: which release and organisations each group and question is shown from",
    "plan, wave, k and the plan results' stamp (releases and the plan's fingerprint)",
    "never served stale: a new release or a changed plan gives a new key",
    "until 16 newer waves push it out, or forget_all()",
    "surveys.results.questions:forget_question_results",
)
PACK_HTML_TEMPLATE = Cache(
    "analysis.render.pack_html._template",
    "the HTML pack's Jinja template, loaded once",
    "nothing (one template)",
    "never: it is package data",
    "the worker's life",
)
SLIDE_CHARACTER_WIDTHS = Cache(
    "analysis.render.pack_pptx._advance",
    "a character's advance width in the slides' font",
    "character and weight",
    "never: a pure function of its key",
    "the worker's life",
)
SLIDE_FONT_FACES = Cache(
    "analysis.render.pack_pptx._face",
    "the font face the slides' texts are measured with",
    "weight",
    "never: package data",
    "the worker's life",
)
SLIDE_TEXT_WIDTHS = Cache(
    "analysis.render.pack_pptx._unit",
    "a text's width in the slides' font",
    "text and weight",
    "never: a pure function of its key",
    "the worker's life",
)
SLIDE_CHARTS = Cache(
    "analysis.render.pack_pptx._native_chart",
    "a goal chart's styled chart XML and embedded workbook for the slides",
    "the chart's numbers and texts, and the language",
    "never: a pure function of its key (a meeting's charts do not change)",
    "the worker's life, at most 512 charts",
)
SLIDE_REACH_CHARTS = Cache(
    "analysis.render.pack_pptx._reach_chart",
    "a reach-over-time chart's chart XML and embedded workbook for the slides",
    "the reach figures per month and channel, and the language",
    "never: a pure function of its key",
    "the worker's life, at most 64 charts",
)
BUILTIN_BANK = Cache(
    "surveys.questionnaires.builtin_bank.builtin_bank",
    "effekt's built-in bank questions, read from builtin_bank.toml",
    "none (one file)",
    "never: package data",
    "the worker's life",
)
TYPST_COMPILER = Cache(
    "analysis.render.pack_typst._compiler",
    "the Typst compiler with the pack's fonts loaded",
    "nothing (one compiler)",
    "never: fonts and template are package data",
    "the worker's life",
)
PACK_TYPST_TEMPLATE = Cache(
    "analysis.render.pack_typst._template",
    "the pack's Typst template, loaded once",
    "nothing (one template)",
    "never: it is package data",
    "the worker's life",
)
MONTH_NAMES = Cache(
    "analysis.render.reach_trends._month_name",
    "a month's name for a chart axis",
    "month and language",
    "never: a pure function of its key",
    "the worker's life",
)
EXACT_TEST_TABLES = Cache(
    "analysis.stats.estimates._exact_table",
    "the exact finite-population test's tables for one group size",
    "group size and sample sizes",
    "never: a pure function of its key",
    "the worker's life",
)
COMMON_PASSWORDS = Cache(
    "surveys.accounts.passwords.common_passwords",
    "the list of common passwords refused",
    "nothing (one list)",
    "never: it is package data",
    "the worker's life",
)
PACK_LOGO = Cache(
    "surveys.meetings.pack._logo",
    "the installation's logo read from EFFEKT_LOGO",
    "the file's path",
    "when the file is replaced: settings are read at start, so a restart",
    "the worker's life",
)
OFFICIAL_BY_CODE = Cache(
    "surveys.plans.official._by_code",
    "the official organisations (SCB codes) by code",
    "nothing (one list)",
    "never: it is package data",
    "the worker's life",
)
COUNTIES = Cache(
    "surveys.plans.official.counties",
    "Sweden's counties with their regions and municipalities",
    "nothing (one list)",
    "never: it is package data",
    "the worker's life",
)
OFFICIAL_ORGANISATIONS = Cache(
    "surveys.plans.official.official_organisations",
    "Sweden's 290 municipalities and 21 regions (SCB)",
    "nothing (one list)",
    "never: it is package data",
    "the worker's life",
)
CACHES: tuple[Cache, ...] = (
    WAVE_COPIES,
    WAVE_READS,
    WAVE_CHOICES,
    FROZEN_VERSIONS,
    SUBMISSION_STATEMENTS,
    PLAN_RESULTS,
    MEETING_PACKS,
    CHART_RENDERS,
    CHART_TEXTS,
    AXIS_LABELS,
    NORMAL_QUANTILES,
    TRANSLATIONS,
    BLANK_FORMS,
    ACCEPT_LANGUAGE,
    OVERVIEW_MATRICES,
    QUESTION_RESULTS,
    PACK_HTML_TEMPLATE,
    SLIDE_CHARACTER_WIDTHS,
    SLIDE_FONT_FACES,
    SLIDE_TEXT_WIDTHS,
    SLIDE_CHARTS,
    SLIDE_REACH_CHARTS,
    BUILTIN_BANK,
    TYPST_COMPILER,
    PACK_TYPST_TEMPLATE,
    MONTH_NAMES,
    EXACT_TEST_TABLES,
    COMMON_PASSWORDS,
    PACK_LOGO,
    OFFICIAL_BY_CODE,
    COUNTIES,
    OFFICIAL_ORGANISATIONS,
)

# Module-level mappings that look like caches but hold no copies of stored data.
NOT_CACHES = {
    "analysis.render.report._figure_locks": "one lock per figure being drawn, not a copy of anything",
}


def _forget(*caches: Cache) -> None:
    done: set[str] = set()
    for cache in caches:
        if cache.forget and cache.forget not in done:
            done.add(cache.forget)
            module, _sep, function = cache.forget.partition(":")
            getattr(importlib.import_module(module), function)()


def after_wave_change() -> None:
    """A wave was created, closed, reopened or given codes: this worker's next request reads it again."""
    _forget(WAVE_COPIES, WAVE_READS, WAVE_CHOICES)


def after_questionnaire_change() -> None:
    """A questionnaire's draft was saved, or found changed: a wave on the draft shows it at once."""
    after_wave_change()


def after_plan_change() -> None:
    """A plan's organisations or target groups (or their names) changed: forms ask with the new names."""
    after_wave_change()


def forget_all() -> None:
    """Every copy this worker holds (after switching databases, in tests, after a restore)."""
    _forget(*CACHES)
