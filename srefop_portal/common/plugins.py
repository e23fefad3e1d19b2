"""Apps contribute reference data and demonstration data by defining modules the
project-wide commands discover, in INSTALLED_APPS order (dependencies first)."""

import importlib
import importlib.util

from django.apps import apps


def app_modules(module_name: str):
    for config in apps.get_app_configs():
        dotted = f"{config.name}.{module_name}"
        if importlib.util.find_spec(dotted) is not None:
            yield config, importlib.import_module(dotted)
