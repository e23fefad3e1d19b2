"""Django's model permissions, for the accounts that can use them: staff accounts (the admin). Both backends that
sign people in (Django's and allauth's, which is a ``ModelBackend`` too) answer permissions this way.

Everyone else's powers are the portal's rules (``rules.permissions.ObjectPermissionBackend``, positions in bodies),
so asking ``ModelBackend`` for them could only cost its two queries (user and group permissions) on every
``has_perm`` that the rules refuse, and never grant anything a page relies on. A model permission given by mistake to
a member's account does nothing either: the admin and the staff pages need a staff account with a second factor.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

from srefop_portal.common.second_factor import is_staff_account


class StaffModelPermissions:
    """For a ``ModelBackend``: no model permission for an account that is not staff, without asking the database."""

    def _grants_model_permissions(self, user_obj) -> bool:
        return user_obj.is_active and is_staff_account(user_obj)

    def get_user_permissions(self, user_obj, obj=None):
        return super().get_user_permissions(user_obj, obj) if self._grants_model_permissions(user_obj) else set()

    def get_group_permissions(self, user_obj, obj=None):
        return super().get_group_permissions(user_obj, obj) if self._grants_model_permissions(user_obj) else set()

    def get_all_permissions(self, user_obj, obj=None):
        return super().get_all_permissions(user_obj, obj) if self._grants_model_permissions(user_obj) else set()


class StaffModelBackend(StaffModelPermissions, ModelBackend):
    pass


class StaffAllauthBackend(StaffModelPermissions, AuthenticationBackend):
    pass
