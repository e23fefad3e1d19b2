"""French wording helpers, the one place for them (messages, notices, e-mails, templates): counted nouns, « 1er »,
typographic apostrophes, text shortened at a word boundary, sorting names as a French reader does.

Plurals follow French usage (0 and 1 take the singular: « 0 valeur importée », « 1 dispositif »). ``plural`` goes
through ``ngettext`` (so a catalogue may translate the wording) with the number brought to 1 for 0 and 1: Django's
``ngettext`` without a French catalogue would otherwise apply the English rule (« 0 valeurs »).
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.utils import dateformat, timezone
from django.utils.formats import number_format
from django.utils.translation import ngettext


def number(n: int) -> str:
    """« 12 345 » (French grouping with non-breaking spaces, as everywhere in the portal)."""
    return number_format(int(n), force_grouping=True, use_l10n=True)


def plural(n: int, singular: str, plural_form: str) -> str:
    """The wording for n things, French rule: « dispositif » for 0 or 1, « dispositifs » from 2.

    ``%(count)s`` in the wording is replaced by the number: ``plural(2, "%(count)s article", "%(count)s articles")``
    → « 2 articles »; without it, only the word (or agreeing verb) is chosen."""
    n = int(n)
    form = ngettext(singular, plural_form, 1 if abs(n) < 2 else abs(n))
    return form % {"count": number(n)} if "%(count)" in form else form


def count(n: int, singular: str, plural_form: str) -> str:
    """« 1 dispositif », « 12 345 valeurs » (French grouping, non-breaking spaces)."""
    return f"{number(n)}\u00a0{plural(n, singular, plural_form)}"


def agree(n: int, singular: str, plural_form: str) -> str:
    """A verb or adjective agreeing with n: « n’a pas été revu » / « n’ont pas été revus »."""
    return plural(n, singular, plural_form)


_FIRST_OF_MONTH = re.compile(
    r"(?<![\d])1 (?=janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre"
    r"|novembre|décembre)"
)


def first_of_month(text: str) -> str:
    """« 1 janvier » → « 1er janvier » (in a text already formatted)."""
    return _FIRST_OF_MONTH.sub("1er ", text)


def long_date(value: datetime.date | datetime.datetime, fmt: str = "j F Y") -> str:
    """« 1er janvier 2026 », « 3 décembre 2026 » (Django date format, French month names; an aware date and time
    is shown in the portal's time zone)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return first_of_month(dateformat.format(value, fmt))


def french_date(value: datetime.date | datetime.datetime, year: bool = True) -> str:
    """« 1er janvier 2026 » (« 1er janvier » without the year)."""
    return long_date(value, "j F Y" if year else "j F")


_APOSTROPHE = re.compile(r"(?<=[A-Za-zÀ-ÖØ-öø-ÿ])'(?=[A-Za-zÀ-ÖØ-öø-ÿ])")


def typographic(text: str) -> str:
    """French typography for apostrophes: « l'action » → « l’action » (quotes around HTML attributes untouched)."""
    return _APOSTROPHE.sub("’", text or "")


def shorten(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, cut at a word boundary (never mid-word), an open « closed."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    cut = cut.rstrip(" ,;:—-–")
    if cut.count("«") > cut.count("»"):
        cut = cut.rstrip() + " »"
    return f"{cut}…"


def collation_key(text: str) -> str:
    """A key sorting names as a French reader expects: « Éducation nationale » with the E, case ignored,
    accents counting only to separate otherwise equal names. Works the same on SQLite and PostgreSQL (in Python)."""
    text = text or ""
    folded = unicodedata.normalize("NFKD", text.casefold())
    base = "".join(c for c in folded if not unicodedata.combining(c))
    base = base.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return f"{base}\x00{text.casefold()}"


def sort_names(items, key=lambda item: str(item)):
    return sorted(items, key=lambda item: collation_key(key(item)))
