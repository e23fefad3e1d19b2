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
                if text and id(node) not in skipped and STRAIGHT.search(text):
                    found.append((relative, node.lineno, text[:80]))
    return found


def test_ui_texts_in_python_use_the_typographic_apostrophe():
    found = straight_apostrophes()
    assert found == [], "\n".join(f"{path}:{line} {text!r}" for path, line, text in found)


def model_texts():
    """(where, text) for each model's verbose names, and each field's verbose name, help text and choice labels."""
    from django.apps import apps

    for model in apps.get_models():
        if model._meta.app_config.name.split(".")[0] not in APPS:
            continue
        meta, label = model._meta, model._meta.label
        yield f"{label} verbose_name", str(meta.verbose_name)
        yield f"{label} verbose_name_plural", str(meta.verbose_name_plural)
        for field in meta.get_fields():
            for attribute in ("verbose_name", "help_text"):
                if value := getattr(field, attribute, None):
                    yield f"{label}.{field.name} {attribute}", str(value)
            for _value, choice in getattr(field, "flatchoices", None) or []:
                yield f"{label}.{field.name} choice", str(choice)
    # Choice lists used without a field's ``choices`` (JSON lists of codes: publics, themes...).
    from django.db.models import Choices

    pending, seen = list(Choices.__subclasses__()), set()
    while pending:
        choices = pending.pop()
        pending.extend(choices.__subclasses__())
        if choices in seen or choices.__module__.split(".")[0] not in APPS:
            continue
        seen.add(choices)
        for _value, choice in choices.choices:
            yield f"{choices.__module__}.{choices.__qualname__}", str(choice)


def test_model_labels_help_texts_and_choices_use_the_typographic_apostrophe():
    found = [(where, text) for where, text in model_texts() if STRAIGHT.search(text)]
    assert found == [], "\n".join(f"{where}: {text!r}" for where, text in found)


def test_the_model_scan_sees_the_texts_it_checks():
    texts = list(model_texts())
    assert ("offer.Registration.status choice", "Liste d’attente") in texts
    assert ("offer.SupportRequest verbose_name_plural", "demandes d’appui") in texts
    assert ("offer.models.Public", "Demandeurs d’emploi") in texts
