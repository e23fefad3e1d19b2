"""French wording helpers for messages and notices: counted nouns, « 1er », sorting names as a French reader does.

Plurals follow French usage (0 and 1 take the singular: « 0 valeur importée », « 1 dispositif »), which is also what
``ngettext`` gives for French with a catalogue (``Plural-Forms: nplurals=2; plural=(n > 1)``); without one, Django's
``ngettext`` would apply the English rule (« 0 valeurs »), hence this module.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.utils import dateformat
from django.utils.formats import number_format


def plural(n: int, singular: str, plural_form: str) -> str:
    """The word for n things: « dispositif » for 0 or 1, « dispositifs » from 2."""
    return singular if abs(int(n)) < 2 else plural_form


def count(n: int, singular: str, plural_form: str) -> str:
    """« 1 dispositif », « 12 345 valeurs » (French grouping, non-breaking spaces)."""
    return f"{number_format(int(n), force_grouping=True, use_l10n=True)}\u00a0{plural(n, singular, plural_form)}"


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
    """« 1er janvier 2026 », « 3 décembre 2026 » (Django date format, French month names)."""
    return first_of_month(dateformat.format(value, fmt))


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
