"""The layout's rules, checked on the source: imports point one way, and comments cite only our own documents.

Imports go server → surveys → analysis and never back; analysis/stats is pure numbers (no rendering, web,
database or translations); only server speaks HTTP through Litestar. A comment or docstring that names a
Markdown file must name one that is in the repository, by its path from the top (docs/design.md explains
the layout and the rules).
"""

from __future__ import annotations

import ast
import io
import re
import subprocess
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("server", "surveys", "analysis")
# What pure statistics must not need: rendering, translations, the web framework, templates, the database.
NOT_IN_STATS = (
    "analysis.render",
    "babel",
    "locales",
    "gettext",
    "matplotlib",
    "litestar",
    "jinja2",
    "piccolo",
    "asyncpg",
    "aiosqlite",
    "sqlite3",
)


@dataclass(frozen=True)
class Import:
    path: str  # relative to the repository, e.g. surveys/waves/codes.py
    line: int
    module: str  # the absolute module imported, e.g. analysis.render.export

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.module}"


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute name of a relative import (`from . import x` inside `importer`)."""
    if level == 0:
        return module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _imports(path: Path, root: Path = ROOT) -> Iterator[Import]:
    """Every import in the file, also those inside functions and under TYPE_CHECKING."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = _module_name(path, root)
    is_package = path.name == "__init__.py"
    relative = path.relative_to(root).as_posix()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(relative, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, is_package, node.level, node.module)
            # `from analysis import render` imports analysis.render: count the names as modules too.
            yield Import(relative, node.lineno, base)
            for alias in node.names:
                yield Import(relative, node.lineno, f"{base}.{alias.name}")


def _sources(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def _all_imports() -> list[Import]:
    return [found for path in _sources(*PACKAGES) for found in _imports(path)]


def _is(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _report(broken: list[Import], rule: str) -> str:
    unique = sorted({str(b) for b in broken})
    return f"{rule}:\n  " + "\n  ".join(unique)


def test_the_checked_packages_exist_and_hold_modules():
    for package in PACKAGES:
        assert _sources(package), f"{package}/ has no Python modules: has the layout moved?"


def test_surveys_never_imports_server():
    broken = [
        i for i in _all_imports() if _is(_module_name(ROOT / i.path), "surveys") and _is(i.module, "server")
    ]
    assert not broken, _report(broken, "surveys/ imports server/ (imports go server → surveys → analysis)")


def test_analysis_imports_neither_surveys_nor_server():
    broken = [
        i
        for i in _all_imports()
        if _is(_module_name(ROOT / i.path), "analysis")
        and (_is(i.module, "surveys") or _is(i.module, "server"))
    ]
    assert not broken, _report(broken, "analysis/ imports surveys/ or server/ (analysis depends on neither)")


def test_statistics_import_no_rendering_web_database_or_translations():
    broken = [
        i
        for i in _all_imports()
        if _is(_module_name(ROOT / i.path), "analysis.stats") and any(_is(i.module, m) for m in NOT_IN_STATS)
    ]
    assert not broken, _report(broken, "analysis/stats/ imports what pure numbers must not need")


def test_only_server_imports_litestar():
    broken = [i for i in _all_imports() if not i.path.startswith("server/") and _is(i.module, "litestar")]
    assert not broken, _report(broken, "only server/ may import litestar (the domain knows nothing of HTTP)")


def test_the_import_checks_see_a_forbidden_import_even_a_relative_one_inside_a_function(tmp_path):
    # The rules above pass on a clean tree; this shows what they would catch.
    stats = tmp_path / "analysis" / "stats"
    stats.mkdir(parents=True)
    bad = stats / "bad.py"
    bad.write_text("def f():\n    from ..render import charts\n    import locales\n", encoding="utf-8")
    found = [i for i in _imports(bad, root=tmp_path) if any(_is(i.module, m) for m in NOT_IN_STATS)]
    assert {i.module for i in found} >= {"analysis.render", "analysis.render.charts", "locales"}
    assert str(found[0]) == "analysis/stats/bad.py:2 imports analysis.render"


# --- documents cited in comments and docstrings -------------------------------------------------------

_MARKDOWN = re.compile(r"(?<![\w/.-])((?:[\w-]+/)*[\w.-]+\.md)(?![\w])")


def _repository_files() -> set[str]:
    """Files in the repository: tracked, plus new ones not ignored (a document added in the same change)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        # Not a git checkout (an unpacked release): the files on disk are the repository.
        skipped = {".git", ".venv", "node_modules"}
        listed = [
            p.relative_to(ROOT).as_posix()
            for p in ROOT.rglob("*")
            if p.is_file() and not skipped & set(p.relative_to(ROOT).parts)
        ]
    return set(listed)


def _comments_and_docstrings(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every comment and every module, class and function docstring."""
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string
    tree = ast.parse(source, filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                value = body[0].value.value
                if isinstance(value, str):
                    # Line by line, so a citation is reported where it stands, not where its docstring starts.
                    for offset, text in enumerate(value.splitlines()):
                        yield body[0].lineno + offset, text


def cited_documents(path: Path) -> Iterator[tuple[int, str]]:
    """(line, cited path) for each Markdown file a comment or docstring names; web addresses are left out."""
    for line, text in _comments_and_docstrings(path):
        for word in text.split():
            if "://" in word:
                continue
            for match in _MARKDOWN.finditer(word):
                yield line, match.group(1)


def test_comments_cite_only_documents_in_the_repository():
    files = _repository_files()
    python = sorted(
        f for f in files if f.endswith(".py") and "node_modules/" not in f and (ROOT / f).is_file()
    )
    assert python, "no Python files found: is this the repository?"
    missing = [
        f"{name}:{line} cites {cited}"
        for name, line, cited in sorted(
            {(name, line, cited) for name in python for line, cited in cited_documents(ROOT / name)}
        )
        if cited not in files
    ]
    assert not missing, (
        "comments and docstrings may cite only documents in the repository, by their path from the top "
        "(docs/…, README.md):\n  " + "\n  ".join(missing)
    )


def test_the_citation_check_tells_a_repository_path_from_a_document_elsewhere(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Wilson interval (docs/methods.md §2.1; see also research/methods.md)."""\n'
        "# the layout: docs/design.md, and https://example.org/guide.md is a web page\n"
        "x = 'a string naming notes.md is neither a comment nor a docstring'\n",
        encoding="utf-8",
    )
    assert sorted(cited_documents(sample)) == [
        (1, "docs/methods.md"),
        (1, "research/methods.md"),
        (2, "docs/design.md"),
    ]
