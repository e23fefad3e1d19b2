"""The registry of extension points: every app's declared hooks pass the system check, the check fails for a
missing, unknown, malformed or undeclared hook, and docs/architecture.md shows the registry."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from srefop_portal.common import hooks


def _ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_the_projects_hooks_pass_the_check():
    assert hooks.hook_errors() == []
    call_command("check")


def test_the_check_fails_for_a_declared_hook_that_is_missing(monkeypatch):
    territories = apps.get_app_config("territories")
    monkeypatch.setattr(territories, "hooks", (*territories.hooks, "calendar.personal_events"))
    errors = hooks.hook_errors()
    assert _ids(errors) == ["srefop.E102"]
    assert "territories déclare le point d’extension « calendar.personal_events »" in errors[0].msg
    assert "territories/calendar.py" in errors[0].msg
    with pytest.raises(SystemCheckError, match="srefop.E102"):
        call_command("check")


def test_the_check_fails_for_a_module_without_the_declared_function(monkeypatch):
    clefop = apps.get_app_config("clefop")
    monkeypatch.setattr(clefop, "hooks", (*clefop.hooks, "calendar.personal_events"))  # clefop/calendar.py exists
    errors = hooks.hook_errors()
    assert _ids(errors) == ["srefop.E102"]
    assert "ne définit pas personal_events(user, *, base_url)" in errors[0].msg


def test_the_check_fails_for_an_unknown_hook(monkeypatch):
    veille = apps.get_app_config("veille")
    monkeypatch.setattr(veille, "hooks", (*veille.hooks, "panels.news_panels"))
    assert _ids(hooks.hook_errors()) == ["srefop.E101"]


@pytest.mark.parametrize(
    "function",
    [
        lambda request, territory, extra: [],  # a parameter the callers do not give
        lambda territory: [],  # the request is missing
        lambda territory, request: [],  # in another order
        "not a function",
    ],
)
def test_the_check_fails_for_a_malformed_hook(monkeypatch, function):
    from offer import panels

    monkeypatch.setattr(panels, "territory_panels", function)
    errors = hooks.hook_errors()
    assert _ids(errors) == ["srefop.E102"]
    assert "offer" in errors[0].msg


def test_keyword_only_parameters_and_defaults_are_accepted(monkeypatch):
    from offer import calendar

    monkeypatch.setattr(calendar, "personal_events", lambda user, *, base_url="", limit=10: [])
    assert hooks.hook_errors() == []
    monkeypatch.setattr(calendar, "personal_events", lambda user: [])
    assert _ids(hooks.hook_errors()) == ["srefop.E102"]


def test_the_check_fails_for_a_hook_defined_but_not_declared(monkeypatch):
    offer = apps.get_app_config("offer")
    monkeypatch.setattr(offer, "hooks", tuple(name for name in offer.hooks if name != "staff.staff_tiles"))
    errors = hooks.hook_errors()
    assert _ids(errors) == ["srefop.E103"]
    assert "Ajoutez « staff.staff_tiles » à OfferConfig.hooks" in errors[0].hint


def test_implementations_follow_installed_apps_and_declarations():
    labels = [config.label for config, _function in hooks.implementations("panels.territory_panels")]
    assert labels == ["clefop", "offer", "roadmaps", "reperes", "veille"]
    assert [config.label for config, _module in hooks.implementations("jobs")] == [
        "territories",
        "clefop",
        "offer",
        "roadmaps",
        "reperes",
    ]
    with pytest.raises(hooks.HookError):
        list(hooks.implementations("panels.unknown"))


def test_architecture_doc_shows_the_registry():
    doc = (Path(settings.BASE_DIR) / "docs" / "architecture.md").read_text()
    shown = doc.split("<!-- hooks:start -->\n", 1)[1].split("\n<!-- hooks:end -->", 1)[0]
    assert shown == hooks.markdown_table(), (
        "docs/architecture.md : remplacer le tableau entre <!-- hooks:start --> et <!-- hooks:end --> par "
        "hooks.markdown_table()"
    )
    for name in hooks.HOOKS:
        assert f"`<app>/{hooks.HOOKS[name].module}.py`" in shown


def test_the_check_fails_for_an_undeclared_jobs_module(monkeypatch):
    offer = apps.get_app_config("offer")
    monkeypatch.setattr(offer, "hooks", tuple(h for h in offer.hooks if h != "jobs"))  # offer/jobs.py exists
    errors = hooks.hook_errors()
    assert _ids(errors) == ["srefop.E103"]
    assert "offer a un module jobs.py sans le déclarer" in errors[0].msg
