"""Public reading of the news watch (list, territory page, item, RSS feeds) and subscriptions."""

import re

from django.contrib.syndication.views import Feed
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, FormView, ListView

from srefop_portal.common import versions
from srefop_portal.common.forms import ServiceFormMixin
from srefop_portal.common.permissions import PermissionRequiredMixin, PublicMixin
from srefop_portal.common.querystring import read_parameters
from territories.models import Territory

from .forms import FilterForm, SubscriptionForm
from .listing import (
    Cursor,
    listed_rows,
    offset_rows,
    options_html,
    page_lookups,
    public_items,
    rows_html,
    territory_choices,
)
from .models import NewsItem, Subscription, TerritoryTag, Theme
from .search import estimated_count
from .services import VeilleError, save_subscription, subscription_from_token, unsubscribe

PAGE_SIZE = 20
COUNT_CAP = 1000
# A planner estimate this many times above the cap is trusted: « plus de 1 000 » without counting.
ESTIMATE_MARGIN = 3

# « récapitulatif » is masculine; the frequency labels (« Quotidienne ») agree with « fréquence ».
DIGEST_ADJECTIVE = {Subscription.Frequency.DAILY: "quotidien", Subscription.Frequency.WEEKLY: "hebdomadaire"}


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP results (« plus de 1 000 ») so that a broad search stays fast on 200,000 items.

    When PostgreSQL's estimate is far above the cap (a broad search, a whole territory), the count is not even run;
    otherwise the exact count, stopping at COUNT_CAP + 1 rows, is read with the rows of the page shown, in the same
    query (``rows``). Either way a page costs the same number of queries whatever the number of items: the estimate
    (on PostgreSQL), then the rows. Pages are bounded by the cap (50 pages of 20)."""

    capped = False
    estimated = False

    @cached_property
    def estimate(self) -> int | None:
        return estimated_count(self.object_list)

    @property
    def trusts_estimate(self) -> bool:
        return self.estimate is not None and self.estimate >= ESTIMATE_MARGIN * COUNT_CAP

    @cached_property
    def count(self):
        if self.trusts_estimate:
            self.capped = self.estimated = True
            return COUNT_CAP
        return self.exact_count()

    def exact_count(self) -> int:
        found = self.object_list.order_by().values("pk")[: COUNT_CAP + 1].count()
        return self._counted(found)

    def _counted(self, found: int) -> int:
        self.capped, self.estimated = found > COUNT_CAP, False
        self.__dict__["count"] = min(found, COUNT_CAP)
        self.__dict__.pop("num_pages", None)
        return self.__dict__["count"]

    def capped_total(self) -> RawSQL:
        """The number of results, stopping at COUNT_CAP + 1, as an expression to read beside a page's rows."""
        sql, params = self.object_list.order_by().values("pk")[: COUNT_CAP + 1].query.sql_with_params()
        return RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS capped", params)  # noqa: S608, S611 — SQL of the ORM

    def rows(self, queryset, limit: int | None = None) -> list:
        """The rows of ``queryset`` (the first ``limit``: a page of the results); while the count is unknown and must
        be exact, it is read in the same query. An empty page leaves it unknown (counted when asked for)."""
        if "count" not in self.__dict__ and not self.trusts_estimate:
            queryset = queryset.annotate(**{TOTAL_COLUMN: self.capped_total()})
        rows = list(queryset[:limit] if limit is not None else queryset)
        if rows and hasattr(rows[0], TOTAL_COLUMN):
            self._counted(getattr(rows[0], TOTAL_COLUMN))
        return rows

    def first_page(self) -> Page:
        rows = self.rows(self.object_list, self.per_page)
        if "count" not in self.__dict__ and len(rows) < self.per_page:
            # Not full: the page holds the whole result (the estimate was wrong; nothing to count).
            self._counted(len(rows))
        return Page(rows, 1, self)

    def page(self, number):
        number = self.validate_number(number)
        if number == 1:
            return self.first_page()
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        return Page(self.rows(offset_rows(self.object_list, bottom, top)), number, self)

    def recount(self) -> None:
        """The estimate was wrong (an empty page within it): count for real."""
        self.exact_count()


# The capped number of results, read beside the rows of a page (CappedPaginator.rows).
TOTAL_COLUMN = "srefop_capped_total"


def with_listing_relations(queryset):
    """What the item page and the staff list show of each item: its source, territories (``tag_list``) and themes
    (``theme_list``), in three queries whatever the page size; the search vector is not read. (The public list reads
    less: see listing.py.)"""
    return (
        queryset.defer("search_vector")
        .select_related("source")
        .prefetch_related(
            Prefetch(
                "territory_tags",
                queryset=TerritoryTag.objects.select_related("territory").order_by("territory__name"),
                to_attr="tag_list",
            ),
            Prefetch("themes", queryset=Theme.objects.all(), to_attr="theme_list"),
        )
    )


# Query parameters of the pagination (not filters): the page number and the cursor of the link followed.
PAGING_PARAMETERS = ("page", "apres", "avant")


def list_page(paginator: CappedPaginator, params) -> tuple[Page, str]:
    """The page asked for by ``params`` (the query string): ``page``, and the cursor of the « page suivante »
    (``apres``) or « page précédente » (``avant``) link followed, if any (see listing.Cursor). Returns the page, its
    items read (a list), and a notice when the page number is not one (first page) or is beyond the last page (last
    page).

    The rows are read before the page number is checked, the exact count (when needed) coming with them: a page
    within the results costs the estimate and one query whatever their number; a page beyond them costs more."""
    raw = (params.get("page") or "1").strip()
    notice = ""
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        notice = f"« {raw[:20]} » n’est pas un numéro de page : voici la première page."
        number = 1
    requested = number
    # Beyond the estimate's pages, or beyond any page of the cap: the last page, without reading the rows asked for.
    beyond_cap = number > -(-COUNT_CAP // paginator.per_page)
    if number > 1 and (beyond_cap or paginator.trusts_estimate) and number > paginator.num_pages:
        number, notice = paginator.num_pages, _beyond_notice(requested, paginator)
    page = _read_page(paginator, number, params)
    if number > 1:
        if not page.object_list and ("count" not in paginator.__dict__ or paginator.estimated):
            # Beyond the results, or the planner's estimate was far too high (an empty page within it): count.
            paginator.recount()
        if number > paginator.num_pages:
            number, notice = paginator.num_pages, _beyond_notice(requested, paginator)
            page = _read_page(paginator, number, params)
    return page, notice


def _read_page(paginator: CappedPaginator, number: int, params) -> Page:
    """Page ``number`` (not checked against the count): from the cursor of the link followed, else by offset."""
    if number == 1:
        return paginator.first_page()
    page = _cursor_page(paginator, number, params)
    if page is None:
        bottom = (number - 1) * paginator.per_page
        rows = paginator.rows(offset_rows(paginator.object_list, bottom, bottom + paginator.per_page))
        if "count" in paginator.__dict__:
            rows = rows[: max(0, paginator.count - bottom)]  # only the first COUNT_CAP results are browsable
        page = Page(rows, number, paginator)
    return page


def _beyond_notice(number: int, paginator: CappedPaginator) -> str:
    if paginator.num_pages <= 1:
        return f"La page {number} n’existe pas : voici la première page."
    return f"La page {number} n’existe pas : il y a {paginator.num_pages} pages de résultats, voici la dernière."


def _cursor_page(paginator: CappedPaginator, number: int, params) -> Page | None:
    """Page ``number`` read from the cursor of the link followed; None without a usable cursor (read by offset)."""
    after, before = Cursor.parse(params.get("apres")), Cursor.parse(params.get("avant"))
    if after is not None:
        rows = paginator.rows(after.after(paginator.object_list), paginator.per_page)
        return Page(rows, number, paginator) if rows else None
    if before is not None:
        rows = paginator.rows(before.before(paginator.object_list), paginator.per_page)
        # Fewer rows: the page before holds items « à la une » (or the data changed): read by offset.
        return Page(rows[::-1], number, paginator) if len(rows) == paginator.per_page else None
    return None


def _token(item) -> str:
    cursor = Cursor.of(item)
    return cursor.token() if cursor else ""


def page_links(params, page: Page) -> dict[str, str]:
    """The hrefs of the pagination (includes/pagination.html): the filters kept, the page number set, and on
    « page suivante » / « page précédente » the cursor of the last / first item shown (read from there, not by
    offset); the cursor of the link followed is never carried on."""
    base = params.copy()
    for name in PAGING_PARAMETERS:
        base.pop(name, None)

    def href(number: int, **cursor: str) -> str:
        query = base.copy()
        query["page"] = str(number)
        for name, token in cursor.items():
            if token:
                query[name] = token
        return "?" + query.urlencode()

    rows = page.object_list
    links = {"first": href(1), "last": href(page.paginator.num_pages)}
    if page.has_previous():
        links["previous"] = href(page.previous_page_number(), avant=_token(rows[0]) if page.number > 2 else "")
    if page.has_next():
        links["next"] = href(page.next_page_number(), apres=_token(rows[-1]) if rows else "")
    return links


def _options(choices, form, name) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of a select of the filter form: the value sent is selected (if it is a choice)."""
    if name not in form.fields:
        return []
    selected = form[name].value() if form.is_bound else None
    selected = "" if selected is None else str(selected)
    return [(str(value), label, str(value) == selected) for value, label in choices]


# The query parameters the list reads (its filters and its paging); any other is ignored, and left out of its links
# and of the key of its cached results.
LIST_PARAMETERS = (*FilterForm.base_fields, *PAGING_PARAMETERS)
# What the cached results of the list show: the items, their tags and sources (news), the themes, the territories.
LIST_APPS = ("news", "themes", "territories")
# A search typed once is kept a quarter of an hour at most (any write to the veille supersedes it before).
LIST_SECONDS = 15 * 60


# Longer than any valid value (200 characters of words, a cursor, a date): a longer one is invalid anyway.
MAX_PARAMETER_LENGTH = 400


def list_parameters(query) -> QueryDict:
    """The list's own parameters of ``query`` (the request's query string): what the page shows depends on nothing
    else, so its results are cached under these."""
    return read_parameters(query, LIST_PARAMETERS, max_length=MAX_PARAMETER_LENGTH)


class ItemListView(PublicMixin, ListView):
    """The public list of the veille. What it shows (filters and results) is the same for every reader: it is built
    once per query and data version (``LIST_APPS``) and kept in the cache (``listing_html``), so that the searches
    and territories read most often cost the page frame only; the territory of a territory page is checked first."""

    template_name = "veille/item_list.html"
    listing_template = "veille/_listing.html"
    paginate_by = PAGE_SIZE
    paginator_class = CappedPaginator
    context_object_name = "items"
    territory = None
    page_notice = ""

    @cached_property
    def params(self) -> QueryDict:
        return list_parameters(self.request.GET)

    @cached_property
    def territories(self):
        return territory_choices()

    def get(self, request, *args, **kwargs):
        listing = versions.cached_html(
            "veille:list",
            apps=LIST_APPS,
            vary=(request.path, self.territory.pk if self.territory else None, self.params.urlencode()),
            build=self.listing_html,
            timeout=LIST_SECONDS,
        )
        return TemplateResponse(
            request,
            self.template_name,
            {
                "view": self,
                "territory": self.territory,
                "listing": listing,
                "feed_url": reverse("veille:feed_territory", args=[self.territory.code])
                if self.territory
                else reverse("veille:feed_region"),
            },
        )

    def listing_html(self) -> str:
        """The filters and the results of the page (no request nor user in them)."""
        self.object_list = self.get_queryset()
        context = self.get_context_data()
        context["request_path"] = self.request.path
        return render_to_string(self.listing_template, context)

    def get_filter_form(self):
        if not hasattr(self, "_filter_form"):
            self._filter_form = FilterForm(self.params or None, territory=self.territory, territories=self.territories)
        return self._filter_form

    def get_queryset(self):
        filters = self.get_filter_form().values() if self.params else {}
        return public_items(filters, self.territory)

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page, self.page_notice = list_page(paginator, self.params)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.get_filter_form()
        territories = self.territories
        page = context["page_obj"]
        rows = page.object_list
        lookups = page_lookups([item.pk for item in rows])
        items = listed_rows(rows, lookups, territories)
        context.update(
            items=items,
            items_html=rows_html(items),
            page_notice=self.page_notice,
            page_links=page_links(self.params, page),
            filter_form=form,
            territory_options=options_html(
                _options([(code, name) for _pk, code, name, _url, _rank in territories], form, "territoire")
            ),
            theme_options=options_html(_options([(slug, name) for _pk, slug, name in lookups.themes], form, "theme")),
            source_options=options_html(_options(lookups.sources, form, "source")),
            territory=self.territory,
            has_filters=any(v for k, v in self.params.items() if k not in PAGING_PARAMETERS),
            filter_errors=[f"{form.fields[name].label} : {' '.join(errors)}" for name, errors in form.errors.items()]
            if form.is_bound
            else [],
        )
        return context


class TerritoryItemListView(ItemListView):
    def get(self, request, *args, **kwargs):
        self.territory = get_object_or_404(Territory.objects.for_user(request.user), code=kwargs["code"])
        return super().get(request, *args, **kwargs)


class ItemDetailView(PublicMixin, DetailView):
    template_name = "veille/item_detail.html"
    context_object_name = "item"

    def get_queryset(self):
        return with_listing_relations(NewsItem.objects.for_user(self.request.user))


class RegionFeed(Feed):
    title = "Veille EFOP — Pays de la Loire"
    description = "Actualités de l’emploi, de la formation et de l’orientation en Pays de la Loire (Portail Srefop)."

    def link(self):
        return reverse("veille:list")

    def items_queryset(self, obj):
        return NewsItem.objects.published()

    def items(self, obj=None):
        return (
            self.items_queryset(obj)
            .select_related("source")
            .prefetch_related("themes")
            .order_by("-published_at", "-pk")[:50]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.link or item.get_absolute_url()

    def item_guid(self, item):
        return f"srefop-veille-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.source.name

    def item_categories(self, item):
        return [theme.name for theme in item.themes.all()]


class TerritoryFeed(RegionFeed):
    def get_object(self, request, code):
        return get_object_or_404(Territory, code=code)

    def title(self, obj):
        return f"Veille EFOP — {obj.name}"

    def description(self, obj):
        return f"Actualités de l’emploi, de la formation et de l’orientation : territoire {obj.name}."

    def link(self, obj):
        return reverse("veille:territory", args=[obj.code])

    def items_queryset(self, obj):
        return NewsItem.objects.published().in_territory(obj)


def blank_subscription_form() -> str:
    """The subscription form with nothing chosen, as HTML without the CSRF token: the same for every reader, cached
    until the territories or the themes (its options) change. :func:`subscription_form_html` ticks the reader's
    choices in it."""

    def build():
        return render_to_string(
            "veille/_subscription_form.html", {"form": SubscriptionForm(instance=Subscription(frequency=""))}
        )

    return versions.cached_html("veille:subscription-form", apps=("territories", "themes"), build=build)


def tick(html: str, name: str, values) -> str:
    """``html`` with the radio buttons or checkboxes ``name`` of ``values`` checked (values: primary keys or
    choice values, never text typed by someone)."""
    for value in values:
        html = re.sub(
            rf'(<input type="(?:checkbox|radio)" name="{re.escape(name)}" value="{re.escape(str(value))}"[^>]*?)>',
            r"\1 checked>",
            html,
            count=1,
        )
    return html


def subscription_form_html(user) -> str:
    """The subscription form of ``user``, their current choices ticked: one query (frequency, territories and
    themes read together), the rest from the cached blank form."""
    rows = list(Subscription.objects.filter(user=user).values_list("frequency", "territories", "themes"))
    frequency = rows[0][0] if rows else Subscription._meta.get_field("frequency").default
    html = tick(blank_subscription_form(), "frequency", [frequency])
    html = tick(html, "territories", sorted({row[1] for row in rows if row[1] is not None}))
    html = tick(html, "themes", sorted({row[2] for row in rows if row[2] is not None}))
    return mark_safe(html)  # the cached form (autoescaped) with attributes added


class SubscriptionView(ServiceFormMixin, PermissionRequiredMixin, FormView):
    """The reader's subscription. Shown (GET), the form is a cached fragment with the reader's choices ticked in
    it (``subscription_form_html``); after a refused POST it is the bound form, rendered as usual."""

    permission_required = "veille.subscribe"
    template_name = "veille/subscription.html"
    form_class = SubscriptionForm

    def get(self, request, *args, **kwargs):
        return self.render_to_response({"view": self, "form_html": subscription_form_html(request.user)})

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Subscription.objects.filter(user=self.request.user).first() or Subscription(
            user=self.request.user
        )
        return kwargs

    def perform(self, form):
        data = form.cleaned_data
        return save_subscription(
            user=self.request.user, territories=data["territories"], themes=data["themes"], frequency=data["frequency"]
        )

    def get_success_message(self, subscription):
        if subscription.frequency == Subscription.Frequency.NONE:
            return "Abonnement suspendu : vous ne recevrez plus de récapitulatif."
        return (
            f"Abonnement enregistré : récapitulatif {DIGEST_ADJECTIVE[subscription.frequency]} "
            f"envoyé à {self.request.user.email} quand il y a du nouveau."
        )

    def get_success_url(self, subscription):
        return reverse("veille:subscription")


@method_decorator(csrf_exempt, name="dispatch")  # RFC 8058 one-click POST from mail clients; the token is the proof
class UnsubscribeView(PublicMixin, View):
    template_name = "veille/unsubscribe.html"

    def get(self, request, token):
        try:
            subscription = subscription_from_token(token)
        except VeilleError as exc:
            return render(request, self.template_name, {"error": str(exc), "done": False}, status=400)
        return render(request, self.template_name, {"subscription": subscription, "done": False, "error": ""})

    def post(self, request, token):
        try:
            subscription = unsubscribe(token=token)
        except VeilleError as exc:
            return render(request, self.template_name, {"error": str(exc), "done": False}, status=400)
        return render(request, self.template_name, {"subscription": subscription, "done": True, "error": ""})
