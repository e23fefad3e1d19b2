from typing import NamedTuple

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from srefop_portal.common import versions
from srefop_portal.common.second_factor import has_staff_powers

# Sections of the portal, shown in the navigation only once the app provides them.
# (label, url name, who sees it: "all", "user" or "staff", active path prefix)
NAV_SECTIONS = [
    ("Territoires", "territories:list", "all", "/territoires/"),
    ("Mes instances", "clefop:my_bodies", "user", "/instances/"),
    ("Feuilles de route", "roadmaps:public_list", "all", "/feuilles-de-route/"),
    ("Préconisations", "roadmaps:recommendation_list", "all", "/preconisations/"),
    ("Repères", "reperes:index", "all", "/reperes/"),
    ("Veille", "veille:list", "all", "/veille/"),
    ("Offre de services", "offer:dispositif_list", "all", "/offre-de-services/"),
    ("Gestion", "staff_home", "staff", "/gestion/"),
]


class NavItem(NamedTuple):
    """An entry of the main navigation (hashable: the header is cached per navigation, see common/chrome.py)."""

    label: str
    url: str
    active: bool


_resolved: dict[str, str | None] = {}


def _url(name: str) -> str | None:
    if name not in _resolved:
        try:
            _resolved[name] = reverse(name)
        except NoReverseMatch:
            _resolved[name] = None
    return _resolved[name]


def portal(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    is_staff = signed_in and has_staff_powers(user)
    nav = []
    for label, name, audience, prefix in NAV_SECTIONS:
        url = _url(name)
        if url is None:
            continue
        if audience == "user" and not signed_in:
            continue
        if audience == "staff" and not is_staff:
            continue
        nav.append(NavItem(label, url, request.path.startswith(prefix)))

    def unread_notices():
        from srefop_portal.common.models import Notice

        if not signed_in:
            return 0

        # Cached until a notice is written (its own data version), read only for this person.
        def count():
            return Notice.objects.filter(user=user, read_at__isnull=True).count()

        return versions.cached("common:unread-notices", apps=("notices",), vary=(user.pk,), build=count)

    return {
        "unread_notices": SimpleLazyObject(unread_notices),
        "portal_nav": tuple(nav),
        "portal_home_active": request.path == "/",
        "DEMO_MODE": settings.DEMO_MODE,
        "is_cariforef_staff": is_staff,
        "SITE_NAME": "Portail Srefop",
        # The « Créer un compte » link is shown only where sign-up is open (accounts/adapters.py).
        "SIGNUP_OPEN": bool(getattr(settings, "SREFOP_OPEN_SIGNUP", False)),
    }
