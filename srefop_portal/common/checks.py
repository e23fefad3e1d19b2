"""System checks of the portal's runtime (``manage.py check``, run by every management command and at start-up)."""

import ctypes
import ctypes.util
from functools import lru_cache

from django.core import checks

# WeasyPrint uses HarfBuzz's subsetter from version 4.1 (weasyprint/pdf/fonts.py); below, fontTools (pure Python).
_HARFBUZZ_MIN = (4, 1, 0)
_SUBSET_LIBRARIES = ("libharfbuzz-subset.so.0", "libharfbuzz-subset-0.dll", "libharfbuzz-subset.0.dylib")


@lru_cache(maxsize=1)
def pdf_font_subsetter() -> str:
    """Which font subsetter WeasyPrint will use: "harfbuzz" (libharfbuzz-subset0, fast) or "fonttools" (pure
    Python: 1.6 times slower for the largest territory report here, up to 4 times for other content). Found the way
    WeasyPrint loads it, without importing WeasyPrint (a quarter of a second at every command)."""
    names = [ctypes.util.find_library("harfbuzz-subset"), *_SUBSET_LIBRARIES]
    for name in filter(None, names):
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        library.hb_version_atleast.restype = ctypes.c_int
        if library.hb_version_atleast(*_HARFBUZZ_MIN):
            return "harfbuzz"
    return "fonttools"


@checks.register(checks.Tags.compatibility)
def check_pdf_font_subsetter(app_configs=None, **kwargs):
    if pdf_font_subsetter() == "harfbuzz":
        return []
    return [
        checks.Warning(
            "WeasyPrint ne trouve pas le sous-ensembleur de polices de HarfBuzz : les PDF (rapports d’avancement, "
            "fiches repères) seront produits avec fontTools, 1,6 à 4 fois plus lentement.",
            hint="Installez le paquet Debian libharfbuzz-subset0 (HarfBuzz 4.1 ou plus récent).",
            id="srefop.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=False)
def check_site_url(app_configs=None, **kwargs):
    """Production: SITE_URL must be set (every absolute link in e-mails, iCal and open data is built from it)."""
    from django.conf import settings

    if not getattr(settings, "SREFOP_REQUIRE_SITE_URL", False) or getattr(settings, "SITE_URL_FROM_ENVIRONMENT", True):
        return []
    return [
        checks.Error(
            f"SITE_URL n’est pas défini : les liens des courriels, de l’iCal et des données ouvertes pointeraient "
            f"vers {settings.SITE_URL}.",
            hint="Définissez la variable d’environnement SITE_URL (adresse publique du portail, ex. "
            "https://srefop.example.fr).",
            id="srefop.E011",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxy_count(app_configs=None, **kwargs):
    """Sign-in rate limits count failures per client address: behind a reverse proxy, that address is read from
    X-Forwarded-For for exactly the number of proxies in front (``SREFOP_TRUSTED_PROXY_COUNT``). Unset, every client
    seems to come from the proxy, and one client's failures would refuse everyone's sign-in."""
    import os

    from django.conf import settings

    value = os.environ.get("SREFOP_TRUSTED_PROXY_COUNT")
    if value is None or value.strip() == "":
        return [
            checks.Warning(
                "SREFOP_TRUSTED_PROXY_COUNT n’est pas défini : les limites de connexion par adresse ne savent pas "
                "combien de mandataires inverses (reverse proxies) précèdent le portail.",
                hint="Définissez SREFOP_TRUSTED_PROXY_COUNT : 0 si le portail reçoit directement les clients, "
                "1 derrière un nginx ou un répartiteur, 2 derrière deux… (voir docs/deploiement.md).",
                id="srefop.W010",
            )
        ]
    if not value.strip().isdigit() or getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", None) != int(value):
        return [
            checks.Error(
                f"SREFOP_TRUSTED_PROXY_COUNT doit être un entier positif ou nul (reçu : {value!r}).",
                id="srefop.E010",
            )
        ]
    return []
