"""System check: every app that links to the user model declares what it holds about a person.

The ``personal_data`` hook (``<app>/personal_data.py``) has ``export(user) -> dict`` and ``erase(user) -> None``;
an app holding a foreign key or a many-to-many to the user model without it would be missing from the export and
from account closure.
"""

from django.apps import apps
from django.conf import settings
from django.core import checks

from srefop_portal.common.plugins import app_modules

PROJECT_APPS = ("territories", "clefop", "roadmaps", "reperes", "veille", "offer")
HANDLED_BY_ACCOUNTS = {"accounts", "common"}  # the account itself, notices and jobs: accounts.services


def apps_linking_to_users() -> set[str]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    labels = set()
    for model in apps.get_models():
        app_name = model._meta.app_config.name
        if not (app_name in PROJECT_APPS or app_name.startswith("srefop_portal")):
            continue
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.get_fields():
            if field.is_relation and not field.auto_created and field.related_model is user_model:
                labels.add(model._meta.app_label)
    return labels - HANDLED_BY_ACCOUNTS


@checks.register()
def personal_data_hooks(app_configs=None, **kwargs):
    errors = []
    declared = {config.label: module for config, module in app_modules("personal_data")}
    for label in sorted(apps_linking_to_users()):
        module = declared.get(label)
        if module is None:
            errors.append(
                checks.Error(
                    f"L’application « {label} » garde des données liées aux personnes sans module personal_data.",
                    hint="Ajoutez <app>/personal_data.py avec export(user) -> dict et erase(user) -> None.",
                    id="accounts.E001",
                )
            )
            continue
        for name in ("export", "erase"):
            if not callable(getattr(module, name, None)):
                errors.append(
                    checks.Error(
                        f"{module.__name__} doit définir {name}(user).",
                        id="accounts.E002",
                    )
                )
    return errors
