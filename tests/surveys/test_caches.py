"""Every copy a worker keeps is listed in surveys/caches.py, and only the domain forgets them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from surveys import caches

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("server", "surveys", "analysis", "locales")
CACHE_DECORATORS = {"lru_cache", "cache"}
CACHE_TYPES = {"dict", "OrderedDict", "defaultdict", "WeakKeyDictionary", "WeakValueDictionary"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _holds_copies(value: ast.expr | None) -> bool:
    """An empty mapping made at import time: something filled in while the worker runs."""
    if isinstance(value, ast.Dict):
        return not value.keys
    return isinstance(value, ast.Call) and _name(value) in CACHE_TYPES and not value.args


def caches_in_the_code() -> set[str]:
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    if any(_name(d) in CACHE_DECORATORS for d in node.decorator_list):
                        found.add(f"{module}.{node.name}")
                elif isinstance(node, ast.Assign) and _holds_copies(node.value):
                    found |= {f"{module}.{t.id}" for t in node.targets if isinstance(t, ast.Name)}
                elif (
                    isinstance(node, ast.AnnAssign)
                    and isinstance(node.target, ast.Name)
                    and _holds_copies(node.value)
                ):
                    found.add(f"{module}.{node.target.id}")
    return found


def test_every_cache_in_the_code_is_listed_with_its_key_and_lifetime():
    listed = {cache.name for cache in caches.CACHES}
    assert caches_in_the_code() - set(caches.NOT_CACHES) == listed
    assert all(cache.holds and cache.key and cache.stale_when and cache.lifetime for cache in caches.CACHES)


def test_every_listed_cache_exists_and_every_forget_can_be_called():
    for cache in caches.CACHES:
        module, _dot, name = cache.name.rpartition(".")
        assert hasattr(importlib.import_module(module), name), cache.name
        if cache.forget:
            module, _colon, function = cache.forget.partition(":")
            assert callable(getattr(importlib.import_module(module), function)), cache.forget
    caches.forget_all()


def test_no_cache_of_the_server_needs_the_domain_to_forget_it():
    # The domain may not import server/; a server cache checks itself against what the domain returns.
    assert all(cache.forget is None for cache in caches.CACHES if cache.name.startswith("server."))


def test_no_route_handler_forgets_a_cache_itself():
    for path in (ROOT / "server").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in ("forget_wave", "forget_versions", "forget_results", "after_wave_change", "clear_caches"):
            assert call not in text, (
                f"{path.relative_to(ROOT)} calls {call}: the domain does, after it writes"
            )
