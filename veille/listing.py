"""The public list of news items: its query, the rows it shows and the cursors of its « page suivante » links.

The list is the busiest public page (200,000 items, any words, territory, theme, source or dates), so its Python
work is kept proportional to what it shows:
- the items are read with the columns the list shows only, without joins; the themes, the sources and the page's
  territory tags and themes come in one query (``page_lookups``), named from small tables (territories cached until
  their data change, see ``srefop_portal.common.versions``), not model objects built for every tag;
- each row is a plain dict of ready-to-print labels (date, URLs, summary excerpt, DSFR tags), escaped once, printed
  by one template without a per-item include, ``{% url %}`` or date filter;
- « Page suivante » and « Page précédente » carry a cursor (the last or first item of the page shown) so that the
  next page is read from the index where the previous one stopped instead of skipping all the items before it
  (``OFFSET``): deep pages reached by those links cost what the first page costs. A page number typed or followed
  without a cursor still works (``offset_rows``: the page's keys first, counted off in the order index alone when
  there are no words), and a cursor that no longer fits the data falls back to it.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, F, Func, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from srefop_portal.common import versions
from territories.models import Territory

from .models import NewsItem, Source, TerritoryTag, Theme

LIST_ORDER = ("-featured", "-published_at", "-pk")
# What a row shows (the search vector, the canonical URL, the normalised title... are not read).
LIST_FIELDS = ("id", "source_id", "title", "summary", "published_at", "featured", "is_demo")
SUMMARY_WORDS = 45


def filtered_items(queryset, filters: dict, territory=None):
    """The items matching the filters of the public list (words, territory and theme in one index lookup on
    PostgreSQL, see search.py; source and dates on indexed columns)."""
    queryset = queryset.filtered(
        text=filters.get("q", ""),
        territory=territory or filters.get("territoire"),
        theme=filters.get("theme"),
    )
    if filters.get("source"):
        queryset = queryset.filter(source=filters["source"])
    tz = timezone.get_current_timezone()
    if filters.get("du"):
        queryset = queryset.filter(published_at__gte=dt.datetime.combine(filters["du"], dt.time.min, tzinfo=tz))
    if filters.get("au"):
        end = dt.datetime.combine(filters["au"], dt.time.min, tzinfo=tz) + dt.timedelta(days=1)
        queryset = queryset.filter(published_at__lt=end)
    return queryset


def offset_rows(queryset, start: int, stop: int):
    """Items ``[start:stop]`` of the list (a page reached by its number): their primary keys first, a narrow query
    that the order index answers alone when there are no words (see search.py: ``filter_lexemes``), then their rows.
    """
    if start == 0:
        return queryset[start:stop]
    keys = queryset.values("pk")[start:stop]
    return NewsItem.objects.filter(pk__in=keys).only(*LIST_FIELDS).order_by(*LIST_ORDER)


def public_items(filters: dict, territory=None):
    """The published items of the public list, filtered, in the list's order, with the columns a row shows."""
    return filtered_items(NewsItem.objects.published(), filters, territory).only(*LIST_FIELDS).order_by(*LIST_ORDER)


# --------------------------------------------------------------------------------------------------------------------
# Cursors of the « page suivante / précédente » links.

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CURSOR_RE = re.compile(r"^(\d{1,18})\.(\d{1,18})$")


class RowCompare(Func):
    """``(a, b) < (x, y)``: rows compared column by column (PostgreSQL, SQLite ≥ 3.15), which an index on ``(a, b)``
    answers as a range. Written out because Django has no public expression for it."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, fields, values, operator):
        if operator not in ("<", ">") or len(fields) != len(values):
            raise ValueError("Comparaison de lignes invalide")
        self.operator = operator
        super().__init__(*(F(field) for field in fields), *(Value(value) for value in values))

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        half = len(parts) // 2
        return f"({', '.join(parts[:half])}) {self.operator} ({', '.join(parts[half:])})", params


@dataclass(frozen=True)
class Cursor:
    """The position of an item that is not « à la une » in the list's order (newest first): its publication date and
    primary key. Items « à la une » come first and are few (the first page): no cursor is given for them, their
    neighbours are read by offset."""

    published_at: dt.datetime
    pk: int

    @classmethod
    def of(cls, item) -> Cursor | None:
        return None if item.featured else cls(item.published_at, item.pk)

    def token(self) -> str:
        microseconds = (self.published_at - _EPOCH) // dt.timedelta(microseconds=1)
        return f"{microseconds}.{self.pk}"

    @classmethod
    def parse(cls, token) -> Cursor | None:
        """None for anything that is not a cursor this list wrote (ignored: the page number is used instead)."""
        match = _CURSOR_RE.match(token or "")
        if not match:
            return None
        try:
            published_at = _EPOCH + dt.timedelta(microseconds=int(match.group(1)))
        except OverflowError:
            return None
        pk = int(match.group(2))
        return cls(published_at, pk) if 0 < pk < 2**63 else None

    def after(self, queryset):
        """The items after this one in the list's order (all of them not « à la une »)."""
        return queryset.filter(RowCompare(("published_at", "pk"), (self.published_at, self.pk), "<"), featured=False)

    def before(self, queryset):
        """The items not « à la une » before this one, nearest first (the caller reverses them)."""
        return queryset.filter(
            RowCompare(("published_at", "pk"), (self.published_at, self.pk), ">"), featured=False
        ).order_by("featured", "published_at", "pk")


# --------------------------------------------------------------------------------------------------------------------
# Rows.


def territory_choices() -> list[tuple[int, str, str, str, int]]:
    """Every territory as (pk, code, name, URL of its veille page, rank by name), in the usual order (département,
    name); cached until the territories' data change."""

    def build():
        by_name = {pk: rank for rank, pk in enumerate(Territory.objects.order_by("name").values_list("pk", flat=True))}
        return [
            (pk, code, name, reverse("veille:territory", args=[code]), by_name.get(pk, 0))
            for pk, code, name in Territory.objects.values_list("pk", "code", "name")
        ]

    return versions.cached("veille:territories", apps=("territories",), build=build)


@dataclass
class PageLookups:
    """What a page of the list shows besides the items' own columns."""

    themes: list[tuple[int, str, str]]  # (pk, slug, name), in their order: the filter's choices and the tags' names
    sources: list[tuple[int, str]]  # (pk, name), by name: the filter's choices and the items' sources
    tags: dict[int, list[int]]  # item pk -> territory pks
    item_themes: dict[int, list[int]]  # item pk -> theme pks


def page_lookups(item_ids) -> PageLookups:
    """The themes, the sources, and the territory tags and themes of these items, in ONE query.

    Written in SQL: building four ORM queries cost more Python time than running them (about 0.3 ms each), and the
    page is the portal's busiest. The tables are the models' (names from ``_meta``); the ranks keep the models'
    orders (theme: position, name; source: name) in the database's collation."""
    theme_table = Theme._meta.db_table
    source_table = Source._meta.db_table
    tag_table = TerritoryTag._meta.db_table
    through = NewsItem.themes.through._meta
    item_column = through.get_field("newsitem").column
    theme_column = through.get_field("theme").column
    ids = [int(pk) for pk in item_ids]
    placeholders = ", ".join(["%s"] * len(ids)) or "NULL"
    # Only table and column names from the models are formatted in; the item pks are parameters.
    sql = f"""
        SELECT 0, id, CAST(NULL AS BIGINT), name, slug, ROW_NUMBER() OVER (ORDER BY position, name)
        FROM {theme_table}
        UNION ALL
        SELECT 1, id, CAST(NULL AS BIGINT), name, CAST(NULL AS VARCHAR(60)), ROW_NUMBER() OVER (ORDER BY name)
        FROM {source_table}
        UNION ALL
        SELECT 2, item_id, territory_id, CAST(NULL AS VARCHAR(200)), CAST(NULL AS VARCHAR(60)), CAST(NULL AS BIGINT)
        FROM {tag_table} WHERE item_id IN ({placeholders})
        UNION ALL
        SELECT 3, {item_column}, {theme_column}, CAST(NULL AS VARCHAR(200)), CAST(NULL AS VARCHAR(60)),
            CAST(NULL AS BIGINT)
        FROM {through.db_table} WHERE {item_column} IN ({placeholders})
    """  # noqa: S608
    themes, sources = [], []
    lookups = PageLookups(themes=[], sources=[], tags=defaultdict(list), item_themes=defaultdict(list))
    with connection.cursor() as cursor:
        cursor.execute(sql, ids + ids)
        for kind, first, second, name, slug, rank in cursor.fetchall():
            if kind == 0:
                themes.append((rank, first, slug, name))
            elif kind == 1:
                sources.append((rank, first, name))
            elif kind == 2:
                lookups.tags[first].append(second)
            else:
                lookups.item_themes[first].append(second)
    lookups.themes = [(pk, slug, name) for _rank, pk, slug, name in sorted(themes)]
    lookups.sources = [(pk, name) for _rank, pk, name in sorted(sources)]
    return lookups


def _detail_url_format() -> str:
    """``reverse("veille:detail", args=[pk])`` as a format string: one reverse per page rather than one per item."""
    marker = 987654321
    return reverse("veille:detail", args=[marker]).replace(str(marker), "{}")


def _date_label(value: dt.datetime, months: dict) -> str:
    """« 5 janvier 2026 », in the current time zone (what ``{{ value|date:"j F Y" }}`` prints)."""
    local = timezone.localtime(value)
    month = months.get(local.month)
    if month is None:
        month = months[local.month] = str(MONTHS[local.month])
    return f"{local.day} {month} {local.year}"


# The DSFR tags of a row: its territories (links to their veille page), then its themes. About a hundred per page,
# so they are written here (values escaped) rather than by a template loop, which cost a third of the list's rendering.
TERRITORY_TAG = '<li><a class="fr-tag fr-tag--sm fr-icon-map-pin-2-line fr-tag--icon-left" href="{url}">{name}</a></li>'
THEME_TAG = '<li><p class="fr-tag fr-tag--sm">{name}</p></li>'


def _escaped(text: str) -> SafeString:
    """``text`` escaped for HTML, as the template would (``django.utils.html.escape``), once: the template's own
    escaping of each printed value (through ``keep_lazy``) was a tenth of the list's rendering."""
    return SafeString(html.escape(text))


def listed_rows(items, lookups: PageLookups | None = None, territories=None) -> list[dict]:
    """The rows printed by ``veille/_results.html`` for these items: plain dicts of labels and URLs, already escaped
    for HTML (``SafeString``: the template prints them as they are).

    ``lookups``: ``page_lookups()`` of these items (read here if not given); ``territories``: ``territory_choices()``.
    """
    items = list(items)
    if not items:
        return []
    if lookups is None:
        lookups = page_lookups([item.pk for item in items])
    territories = {
        pk: (rank, _escaped(name), _escaped(url)) for pk, _code, name, url, rank in territories or territory_choices()
    }
    themes = {pk: (rank, _escaped(name)) for rank, (pk, _slug, name) in enumerate(lookups.themes)}
    sources = {pk: _escaped(name) for pk, name in lookups.sources}
    detail_url = _detail_url_format()
    months = {}
    rows = []
    for item in items:
        summary = Truncator(item.summary).words(SUMMARY_WORDS, truncate=" …") if item.summary else ""
        rows.append(
            {
                "pk": item.pk,
                "url": _escaped(detail_url.format(item.pk)),
                "title": _escaped(item.title),
                "summary": _escaped(summary),
                "date": _escaped(_date_label(item.published_at, months)),
                "source": sources.get(item.source_id, ""),
                "featured": item.featured,
                "is_demo": item.is_demo,
                "tags": SafeString(
                    "".join(
                        [
                            TERRITORY_TAG.format(url=url, name=name)
                            for _rank, name, url in sorted(
                                territories[pk] for pk in lookups.tags.get(item.pk, ()) if pk in territories
                            )
                        ]
                        + [
                            THEME_TAG.format(name=name)
                            for _rank, name in sorted(
                                themes[pk] for pk in lookups.item_themes.get(item.pk, ()) if pk in themes
                            )
                        ]
                    )
                ),
            }
        )
    return rows


# One row of the list (what veille/_results.html prints for each item), written here from the row's labels, already
# escaped: the template's loop over twenty items and their conditions was a third of the page's own rendering.
ROW = (
    '<li><article class="srefop-veille-item{featured_class}"><p class="fr-mb-1v">{badges}'
    '<span class="fr-text--xs fr-mb-0">{date} — {source}</span></p>'
    '<h3 class="fr-h6 fr-mb-1v"><a href="{url}">{title}</a></h3>{summary}{tags}</article></li>'
)
FEATURED_BADGE = '<span class="fr-badge fr-badge--sm fr-badge--new">À la une</span> '
DEMO_BADGE = '<span class="fr-badge fr-badge--sm fr-badge--info">Démonstration</span> '


def rows_html(rows: list[dict]) -> SafeString:
    """The ``<li>`` of these rows (``listed_rows``), their values escaped there."""
    return SafeString(
        "".join(
            ROW.format(
                featured_class=" srefop-veille-item--featured" if row["featured"] else "",
                badges=(FEATURED_BADGE if row["featured"] else "") + (DEMO_BADGE if row["is_demo"] else ""),
                date=row["date"],
                source=row["source"],
                url=row["url"],
                title=row["title"],
                summary=f'<p class="fr-text--sm fr-mb-1v">{row["summary"]}</p>' if row["summary"] else "",
                tags=f'<ul class="fr-tags-group fr-tags-group--sm">{row["tags"]}</ul>' if row["tags"] else "",
            )
            for row in rows
        )
    )


def options_html(options: list[tuple[str, str, bool]]) -> SafeString:
    """The ``<option>`` of a select of the filters, from (value, label, selected)."""
    return SafeString(
        "".join(
            f'<option value="{_escaped(value)}"{" selected" if selected else ""}>{_escaped(label)}</option>'
            for value, label, selected in options
        )
    )
