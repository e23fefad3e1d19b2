"""System check: every app that links to the user model declares what it holds about a person.

The ``personal_data.export`` / ``personal_data.erase`` hooks (declared in ``srefop_portal/common/hooks.py``, whose own
check verifies their signatures) must be declared by every app holding a foreign key or a many-to-many to the user
model: otherwise its data would be missing from the export and from account closure.
"""

from django.apps import apps
from django.conf import settings
from django.core import checks

from srefop_portal.common.hooks import declared

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
    for label in sorted(apps_linking_to_users()):
        provided = declared(apps.get_app_config(label))
        for name in ("personal_data.export", "personal_data.erase"):
            if name not in provided:
                errors.append(
                    checks.Error(
                        f"L’application « {label} » garde des données liées aux personnes sans déclarer « {name} ».",
                        hint=f"Ajoutez {label}/personal_data.py (export(user) -> dict, erase(user) -> None) et "
                        f"déclarez « {name} » dans son AppConfig.hooks.",
                        id="accounts.E001",
                    )
                )
    return errors
