"""Tagging news items with territories (gazetteer) and themes (staff-editable keyword rules).

Staff corrections survive re-tagging: manual tags (``is_manual``) are kept, and territories staff removed
(``excluded_territories``) are never added back automatically. Corrections the tagging learns from
(``TagCorrection``: a term that must no longer, or must always, tag a territory, for one source or all) apply to
every item tagged afterwards, at ingestion and at re-tagging.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from territories.models import Territory

from .gazetteer import get_gazetteer
from .models import NewsItem, TagCorrection, TerritoryTag, Theme
from .places import name_key
from .search import vector_update
from .text import fold_text

DEFAULT_THEMES = [
    (
        "Emploi",
        "emploi",
        "emploi*\nrecrut*\nembauche*\nchomage\ndemandeurs d emploi\nfrance travail\noffres d emploi\n"
        "job dating\nforum de l emploi\nsalon de l emploi\ncdi\nintérim*\ninterim*\nplan social\nlicenciement*",
    ),
    (
        "Formation",
        "formation",
        "formation*\nformer\nstagiaire*\nqualification*\ncompetences\ncertification*\n"
        "organisme de formation\ncpf\nreconversion\nvae\nvalidation des acquis",
    ),
    (
        "Orientation",
        "orientation",
        "orientation\norienter\nmetiers\ndecouverte des metiers\nparcoursup\ncollegiens\n"
        "lyceens\ncio\nsalon des metiers\nforum des metiers",
    ),
    (
        "Économie",
        "economie",
        "economie\neconomique*\nentreprise*\nindustrie*\nusine*\ninvestissement*\nzone d activites\n"
        "chambre de commerce\ncci\nredressement judiciaire\nimplantation",
    ),
    ("Apprentissage", "apprentissage", "apprenti*\nalternance\nalternant*\ncfa\ncontrat de professionnalisation"),
    (
        "Insertion",
        "insertion",
        "insertion\nmission locale\nmissions locales\ncontrat d engagement jeune\ncej\n"
        "chantier d insertion\nrsa\nbeneficiaires du rsa\ndecrochage\ndecrocheurs\nepide\ne2c\n"
        "ecole de la deuxieme chance",
    ),
    ("Handicap", "handicap", "handicap*\ncap emploi\nesat\nentreprise adaptee\nrqth\nagefiph"),
    (
        "Transition écologique",
        "transition-ecologique",
        "transition ecologique\ntransition energetique\nrenovation "
        "energetique\nmetiers verts\neolien*\nphotovoltaique\nclimat\ndecarbonation\nrecyclage\neconomie circulaire",
    ),
]


def ensure_default_themes() -> int:
    created = 0
    for position, (name, slug, keywords) in enumerate(DEFAULT_THEMES):
        _, was_created = Theme.objects.get_or_create(
            slug=slug, defaults={"name": name, "keywords": keywords, "position": position}
        )
        created += was_created
    return created


class ThemeMatcher:
    """One compiled pattern per theme, applied to the folded text (no accents, lower case)."""

    def __init__(self, themes):
        self.rules = []
        for theme in themes:
            parts = []
            for keyword in theme.keyword_list:
                wildcard = keyword.endswith("*")
                folded = fold_text(keyword.rstrip("*"))
                if not folded:
                    continue
                parts.append(re.escape(folded) + (r"\w*" if wildcard else r"\b"))
            if parts:
                self.rules.append((theme.pk, re.compile(r"\b(?:" + "|".join(parts) + ")")))

    def match(self, text: str) -> set[int]:
        folded = fold_text(text)
        return {pk for pk, pattern in self.rules if pattern.search(folded)}


def item_text(title: str, summary: str) -> str:
    return f"{title}.\n{summary}"


class Corrections:
    """Staff corrections, read once per batch: exclusions drop a territory found through a term, inclusions add
    a territory when the term is in the text. Per source (``source_id``) or for all sources (``None``)."""

    def __init__(self, rows):
        self.exclude: dict[tuple, set[int]] = {}  # (source_id or None, term tokens) → territory ids
        self.include: dict[str, list[tuple]] = {}  # first token → [(source_id or None, tokens, territory id, term)]
        for term, term_key, territory_id, source_id, kind in rows:
            tokens = tuple(term_key.split())
            if not tokens:
                continue
            if kind == TagCorrection.Kind.EXCLUDE:
                self.exclude.setdefault((source_id, tokens), set()).add(territory_id)
            else:
                self.include.setdefault(tokens[0], []).append((source_id, tokens, territory_id, term))

    @classmethod
    def load(cls):
        return cls(TagCorrection.objects.values_list("term", "term_key", "territory_id", "source_id", "kind"))

    def __bool__(self):
        return bool(self.exclude or self.include)

    def _excluded(self, source_id, term: str) -> set[int]:
        tokens = name_key(term)
        return self.exclude.get((None, tokens), set()) | self.exclude.get((source_id, tokens), set())

    def apply(self, territories: dict, text: str, source_id) -> dict:
        if self.exclude:
            for territory_id in list(territories):
                value = territories[territory_id]
                kept = [term for term in value["terms"] if territory_id not in self._excluded(source_id, term)]
                if not kept:
                    del territories[territory_id]
                elif len(kept) < len(value["terms"]):
                    territories[territory_id] = {**value, "terms": kept}
        if self.include:
            tokens = name_key(text)
            for index, token in enumerate(tokens):
                for source, wanted, territory_id, term in self.include.get(token, ()):
                    if source in (None, source_id) and tokens[index : index + len(wanted)] == wanted:
                        entry = territories.setdefault(territory_id, {"confidence": 1.0, "terms": []})
                        entry["confidence"] = 1.0
                        if term not in entry["terms"]:
                            entry["terms"] = [*entry["terms"], term]
        return territories


def compute_tags(items, *, gazetteer=None, matcher=None, territory_ids=None, corrections=None):
    """For each item: ({territory_pk: {"confidence", "terms"}}, {theme_pk}) without touching the database (but to
    read the gazetteer, themes, territories and staff corrections once)."""
    gazetteer = gazetteer or get_gazetteer()
    matcher = matcher or ThemeMatcher(Theme.objects.all())
    territory_ids = territory_ids or dict(Territory.objects.values_list("code", "pk"))
    corrections = Corrections.load() if corrections is None else corrections
    results = []
    for item in items:
        text = item_text(item.title, item.summary)
        found = gazetteer.tag(text).territories
        territories = {territory_ids[code]: value for code, value in found.items() if code in territory_ids}
        if corrections:
            territories = corrections.apply(territories, text, getattr(item, "source_id", None))
        results.append((territories, matcher.match(text)))
    return results


@transaction.atomic
def tag_items(items: list[NewsItem], *, default_territories=(), default_themes=(), new: bool = False) -> None:
    """(Re)tag items: automatic tags replaced, manual tags and staff removals kept; themes recomputed; search
    vectors refreshed. ``new``: items just created (ingestion), which have no tag, theme nor staff choice yet."""
    if not items:
        return
    ids = [item.pk for item in items]
    ThemeLink = NewsItem.themes.through
    manual, excluded = set(), set()
    if not new:
        manual = set(
            TerritoryTag.objects.filter(item_id__in=ids, is_manual=True).values_list("item_id", "territory_id")
        )
        excluded = set(
            NewsItem.excluded_territories.through.objects.filter(newsitem_id__in=ids).values_list(
                "newsitem_id", "territory_id"
            )
        )
        TerritoryTag.objects.filter(item_id__in=ids, is_manual=False).delete()
        ThemeLink.objects.filter(newsitem_id__in=ids).delete()
    default_territory_ids = [t.pk if hasattr(t, "pk") else t for t in default_territories]
    default_theme_ids = [t.pk if hasattr(t, "pk") else t for t in default_themes]
    tags, links = [], []
    for item, (territories, themes) in zip(items, compute_tags(items), strict=True):
        for territory_id in default_territory_ids:
            territories.setdefault(territory_id, {"confidence": 1.0, "terms": ["source"]})
        for territory_id, value in territories.items():
            key = (item.pk, territory_id)
            if key in manual or key in excluded:
                continue
            tags.append(
                TerritoryTag(
                    item_id=item.pk,
                    territory_id=territory_id,
                    matched_terms=value["terms"][:10],
                    confidence=value["confidence"],
                )
            )
        for theme_id in themes | set(default_theme_ids):
            links.append(ThemeLink(newsitem_id=item.pk, theme_id=theme_id))
    TerritoryTag.objects.bulk_create(tags, batch_size=1000)
    ThemeLink.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
    # The territory and theme lexemes of the search vector follow the tags (see search.py): same UPDATE.
    NewsItem.objects.filter(pk__in=ids).update(tagged_at=timezone.now(), **vector_update())


def retag_items(queryset) -> int:
    """Tag again (after a change of gazetteer or keywords), by source so that its defaults apply."""
    count = 0
    items = list(
        queryset.select_related("source").prefetch_related("source__default_territories", "source__default_themes")
    )
    by_source: dict[int, list] = {}
    for item in items:
        by_source.setdefault(item.source_id, []).append(item)
    for source_items in by_source.values():
        source = source_items[0].source
        for start in range(0, len(source_items), 1000):
            chunk = source_items[start : start + 1000]
            tag_items(
                chunk,
                default_territories=list(source.default_territories.all()),
                default_themes=list(source.default_themes.all()),
            )
            count += len(chunk)
    return count
