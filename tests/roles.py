"""The roles of the permission matrix, and how to make a user holding each.

Apps extend ROLE_BUILDERS (e.g. clefop adds member, animateur, co-chair, Cdefop, Crefop...) by
registering a builder in their tests package: ``tests/<app>/roles.py`` imported here.
"""

import importlib
import pkgutil

from tests.accounts.factories import StaffFactory, UserFactory

ROLE_BUILDERS = {
    "user": lambda **kw: UserFactory(**kw),
    "staff": lambda **kw: StaffFactory(**kw),
    # A staff account whose session has not passed the second factor (tests/second_factor.py: UNVERIFIED_ROLES):
    # it has enrolled a TOTP device / it has none yet. Either must behave as "user" or go to the second-factor step.
    "staff_password_only": lambda **kw: StaffFactory(**kw),
    "staff_no_factor": lambda **kw: StaffFactory(totp=False, **kw),
}


def register_role(name: str):
    def decorator(builder):
        ROLE_BUILDERS[name] = builder
        return builder

    return decorator


def _load_app_roles():
    import tests

    for module in pkgutil.iter_modules(tests.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"tests.{module.name}.roles")
            except ModuleNotFoundError as exc:
                if exc.name != f"tests.{module.name}.roles":
                    raise


_load_app_roles()
# The unverified staff roles are tested against every matrix by tests/security/test_second_factor.py.
ROLES = ["anonymous", *(role for role in ROLE_BUILDERS if not role.startswith("staff_"))]


def make_role_user(role: str, **kwargs):
    return ROLE_BUILDERS[role](**kwargs)
