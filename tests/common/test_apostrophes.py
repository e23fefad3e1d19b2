"""Texts shown to people use the typographic apostrophe (’), in Python too: messages, form labels and help, errors.

Scanned: the modules that hold UI text (views, services, forms, jobs, tasks, staff tiles, importers' messages, the
common reading/upload layers). Not scanned: docstrings, log messages (for the team, in English), model field names
(their wording is in migrations), demonstration data and place names (matched against feeds as written).
"""

import ast
import re
from pathlib import Path

from django.conf import settings

APPS = ["accounts", "clefop", "offer", "roadmaps", "reperes", "veille", "territories", "srefop_portal"]
UI_MODULE = re.compile(
    r"(^|/)(views(_\w+)?|services|forms|\w+_forms|jobs|tasks|staff|importers|\w+_importers|tabular|filecheck|"
    r"imports|uploads|ingestion|readable|htmx|documents|personal_data)\.py$|/(views|services)/\w+\.py$"
)
STRAIGHT = re.compile(r"(?<=[A-Za-zÀ-ÿ])'(?=[A-Za-zÀ-ÿ])")
# Example rows of the import templates hold choice labels as the models spell them (their wording lives in
# migrations): a file filled in from the template must match them.
EXAMPLE_DATA = {"Jeunes, Demandeurs d'emploi", "demandeurs d'emploi, salariés"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}


def _skipped_nodes(tree) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and body:
            first = body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skipped.add(id(first.value))
        func = getattr(node, "func", None)
        logger = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and "log" in func.value.id
        if isinstance(node, ast.Call) and logger and func.attr in LOG_METHODS:
            for arg in node.args:
                skipped.update(id(n) for n in ast.walk(arg))
    return skipped


def straight_apostrophes() -> list[tuple[str, int, str]]:
    base = Path(settings.BASE_DIR)
    found = []
    for app in APPS:
        for path in sorted((base / app).rglob("*.py")):
            relative = path.relative_to(base).as_posix()
            if "/migrations/" in relative or "/management/" in relative or not UI_MODULE.search(relative):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skipped = _skipped_nodes(tree)
            for node in ast.walk(tree):
                text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
                if text and id(node) not in skipped and STRAIGHT.search(text) and text not in EXAMPLE_DATA:
                    found.append((relative, node.lineno, text[:80]))
    return found


def test_ui_texts_in_python_use_the_typographic_apostrophe():
    found = straight_apostrophes()
    assert found == [], "\n".join(f"{path}:{line} {text!r}" for path, line, text in found)
