"""Extension points: the one declared registry of what an app may contribute to the others.

Each hook is a function (or, for ``jobs``, a module) that an app defines in a module named after the hook and
declares in its ``AppConfig.hooks`` (``hooks = ("panels.territory_panels", "demo.load_demo", ...)``). Those that
call a hook go through :func:`implementations` (apps in INSTALLED_APPS order, dependencies first), never through a
module name. The system check :func:`check_hooks` (``manage.py check``, run at start-up and by the tests) fails when
an app declares a hook that does not exist, that its module does not define or defines with other parameters, or
when a module defines a hook function that its app does not declare. ``docs/architecture.md`` carries the table of
:func:`markdown_table` (a test compares them).

Nothing here imports an app: the apps are read from the app registry.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import AppConfig, apps
from django.core import checks


@dataclass(frozen=True)
class Hook:
    module: str  # the module of an app that provides it: <app>/<module>.py
    function: str  # "" for a module whose import is the contribution (jobs)
    signature: str  # as documented, e.g. "(request, territory) -> list[dict]"
    purpose: str  # in French, for docs/architecture.md

    @property
    def name(self) -> str:
        return f"{self.module}.{self.function}" if self.function else self.module

    @property
    def parameters(self) -> list[str]:
        """The parameter names of the signature, in order (``*`` marks the keyword-only ones)."""
        inside = self.signature[self.signature.index("(") + 1 : self.signature.index(")")]
        return [part.strip().split(":")[0].split("=")[0].strip() for part in inside.split(",") if part.strip()]


HOOKS: dict[str, Hook] = {
    hook.name: hook
    for hook in (
        Hook(
            "reference",
            "load_reference",
            "() -> str",
            "données de référence (idempotent), `manage.py load_reference_data` ; renvoie un compte rendu",
        ),
        Hook(
            "demo",
            "load_demo",
            '() -> {"message": str, "accounts": [(rôle, email)]}',
            "données de démonstration étiquetées démo (idempotent), `manage.py load_demo_data`",
        ),
        Hook(
            "panels",
            "territory_panels",
            '(request, territory) -> [{"template", "context", "order"} | {"html", "order"}]',
            "sections de la page d’un territoire (le gabarit reçoit `panel` = le contexte ; `html` : section déjà "
            "rendue, en général un fragment en cache)",
        ),
        Hook(
            "panels",
            "body_panels",
            '(request, body) -> [{"template", "context", "order"}]',
            "sections de la page d’accueil d’une instance (espace de travail)",
        ),
        Hook(
            "staff",
            "staff_tiles",
            '(request) -> [{"title", "url", "detail"}]',
            "tuiles de la page « Gestion » de l’équipe Cariforef",
        ),
        Hook(
            "jobs",
            "",
            "module importé",
            "types de tâches de fond enregistrés à l’import par `srefop_portal.common.jobs.register_job_kind`",
        ),
        Hook(
            "calendar",
            "personal_events",
            "(user, *, base_url) -> [icalendar.Event]",
            "événements ajoutés au flux iCal personnel d’une personne (avec ses réunions d’instances)",
        ),
        Hook(
            "identity",
            "has_pending_invitation",
            "(*, email) -> bool",
            "une invitation attend cette adresse vérifiée par ProConnect : l’inscription est permise même fermée",
        ),
        Hook(
            "identity",
            "organisation_name_for_siret",
            "(*, siret) -> str | None",
            "structure proposée à une personne connectée par ProConnect, d’après le SIRET transmis",
        ),
        Hook(
            "identity",
            "accept_pending_invitations",
            "(*, user, email) -> [str]",
            "accepter les invitations de l’adresse vérifiée à la connexion ProConnect (messages en français)",
        ),
        Hook(
            "personal_data",
            "export",
            "(user) -> dict",
            "ce que l’app garde sur une personne, pour l’export de ses données (RGPD, droit d’accès)",
        ),
        Hook(
            "personal_data",
            "erase",
            "(user) -> None",
            "effacer ou anonymiser ce que l’app garde sur une personne, à la fermeture de son compte "
            "(le compte reste, anonymisé)",
        ),
    )
}


class HookError(Exception):
    pass


def declared(config: AppConfig) -> tuple[str, ...]:
    return tuple(getattr(config, "hooks", ()))


def _module(config: AppConfig, module: str):
    dotted = f"{config.name}.{module}"
    if importlib.util.find_spec(dotted) is None:
        return None
    return importlib.import_module(dotted)


def implementations(name: str) -> Iterator[tuple[AppConfig, Callable | object]]:
    """``(app config, function)`` for each app declaring the hook (``(config, module)`` for a module hook), in
    INSTALLED_APPS order."""
    hook = HOOKS.get(name)
    if hook is None:
        raise HookError(f"Point d’extension inconnu : {name}")
    for config in apps.get_app_configs():
        if name not in declared(config):
            continue
        module = importlib.import_module(f"{config.name}.{hook.module}")
        yield config, getattr(module, hook.function) if hook.function else module


def call_all(name: str, *args, **kwargs) -> list:
    """The result of each app's implementation of ``name``, in INSTALLED_APPS order."""
    return [function(*args, **kwargs) for _config, function in implementations(name)]


# --------------------------------------------------------------------------------------------------------------------
# System check.


def _signature_problem(hook: Hook, function) -> str:
    """Why ``function`` cannot be called as the hook's callers call it ("" if it can)."""
    if not callable(function):
        return "n’est pas une fonction"
    parameters = list(inspect.signature(function).parameters.values())
    expected = hook.parameters
    star = expected.index("*") if "*" in expected else len(expected)
    positional, keywords = expected[:star], expected[star + 1 :]
    given = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    by_keyword = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    required = {p.name for p in parameters if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    any_keyword = any(p.kind == p.VAR_KEYWORD for p in parameters)
    if given[: len(positional)] != positional or not (any_keyword or set(keywords) <= by_keyword - set(positional)):
        return f"a pour paramètres ({', '.join(str(p) for p in parameters)}), attendu {hook.signature}"
    if required - set(expected):
        return f"exige des paramètres que l’appelant ne donne pas ({', '.join(sorted(required - set(expected)))})"
    return ""


def hook_errors(app_configs=None) -> list[checks.CheckMessage]:
    errors = []
    configs = app_configs or apps.get_app_configs()
    for config in configs:
        if "site-packages" in str(config.path):  # the project's apps only
            continue
        for name in declared(config):
            hook = HOOKS.get(name)
            if hook is None:
                errors.append(
                    checks.Error(
                        f"{config.name} déclare le point d’extension inconnu « {name} ».",
                        hint=f"Points d’extension déclarés : {', '.join(HOOKS)} (srefop_portal/common/hooks.py).",
                        obj=config,
                        id="srefop.E101",
                    )
                )
                continue
            try:
                module = _module(config, hook.module)
            except Exception as exc:  # noqa: BLE001 — reported as a check error
                module = None
                problem = f"ne s’importe pas ({exc.__class__.__name__} : {exc})"
            else:
                problem = "" if module is not None else f"n’existe pas ({config.name}/{hook.module}.py)"
            if module is not None and hook.function:
                function = getattr(module, hook.function, None)
                if function is None:
                    problem = f"ne définit pas {hook.function}{hook.signature}"
                else:
                    problem = _signature_problem(hook, function)
            if problem:
                errors.append(
                    checks.Error(
                        f"{config.name} déclare le point d’extension « {name} », mais {config.name}.{hook.module} "
                        f"{problem}.",
                        hint=f"{hook.name}{hook.signature} : {hook.purpose}.",
                        obj=config,
                        id="srefop.E102",
                    )
                )
        for hook in HOOKS.values():
            if hook.name in declared(config):
                continue
            if not hook.function:  # a module hook (jobs.py): its mere presence is the contribution
                if config.name != __package__ and importlib.util.find_spec(f"{config.name}.{hook.module}"):
                    errors.append(
                        checks.Error(
                            f"{config.name} a un module {hook.module}.py sans le déclarer : le point d’extension "
                            f"« {hook.name} » ne l’importera pas.",
                            hint=f"Ajoutez « {hook.name} » à {config.__class__.__name__}.hooks "
                            f"({config.name}/apps.py).",
                            obj=config,
                            id="srefop.E103",
                        )
                    )
                continue
            try:
                module = _module(config, hook.module)
            except Exception:  # noqa: BLE001, S112 — only declared hooks must import
                continue
            if module is not None and callable(getattr(module, hook.function, None)):
                errors.append(
                    checks.Error(
                        f"{config.name}.{hook.module} définit {hook.function} sans que l’app le déclare : le point "
                        f"d’extension « {hook.name} » ne l’appellera pas.",
                        hint=f"Ajoutez « {hook.name} » à {config.__class__.__name__}.hooks ({config.name}/apps.py).",
                        obj=config,
                        id="srefop.E103",
                    )
                )
    return errors


@checks.register()
def check_hooks(app_configs=None, **kwargs):
    return hook_errors(app_configs)


# --------------------------------------------------------------------------------------------------------------------
# Documentation.


def markdown_table() -> str:
    """The table of docs/architecture.md (« Points d’extension »): every hook and the apps that provide it."""
    lines = ["| point d’extension | signature | rôle | fourni par |", "|---|---|---|---|"]
    for hook in HOOKS.values():
        providers = [config.label for config in apps.get_app_configs() if hook.name in declared(config)]
        where = f"`<app>/{hook.module}.py`" + (f" : `{hook.function}`" if hook.function else "")
        lines.append(
            f"| {where} | `{hook.signature.replace('|', '/')}` | {hook.purpose} | {', '.join(providers) or '—'} |"
        )
    return "\n".join(lines)
