"""Public reading of the news watch (list, territory page, item, RSS feeds) and subscriptions."""

import datetime as dt

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import DetailView, FormView, ListView

from srefop_portal.common.permissions import PermissionRequiredMixin, PublicMixin
from territories.models import Territory

from .forms import FilterForm, SubscriptionForm
from .models import NewsItem, Subscription, TerritoryTag, Theme
from .search import estimated_count
from .services import VeilleError, save_subscription, subscription_from_token, unsubscribe

PAGE_SIZE = 20
COUNT_CAP = 1000
# A planner estimate this many times above the cap is trusted: « plus de 1 000 » without counting.
ESTIMATE_MARGIN = 3


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP results (« plus de 1 000 ») so that a broad search stays fast on 200,000 items.

    When PostgreSQL's estimate is far above the cap (a broad search, a whole territory), the count is not even run;
    otherwise the exact count stops at COUNT_CAP + 1 rows. Pages are bounded by the cap (50 pages of 20)."""

    capped = False
    estimated = False

    @cached_property
    def count(self):
        estimate = estimated_count(self.object_list)
        if estimate is not None and estimate >= ESTIMATE_MARGIN * COUNT_CAP:
            self.capped = self.estimated = True
            return COUNT_CAP
        return self.exact_count()

    def exact_count(self) -> int:
        found = self.object_list.order_by().values("pk")[: COUNT_CAP + 1].count()
        self.capped, self.estimated = found > COUNT_CAP, False
        return min(found, COUNT_CAP)

    def page(self, number):
        if "count" not in self.__dict__ and str(number).strip() == "1":
            # First page read before any count: when it is not full, it holds the whole result (nothing to count).
            rows = list(self.object_list[: self.per_page])
            if len(rows) < self.per_page:
                self.__dict__["count"] = len(rows)
            return self._get_page(rows, 1, self)
        return super().page(number)

    def recount(self) -> None:
        """The estimate was wrong (an empty page within it): count for real."""
        self.__dict__["count"] = self.exact_count()
        self.__dict__.pop("num_pages", None)


def with_listing_relations(queryset):
    """What a list shows of each item: its source, territories (``tag_list``) and themes (``theme_list``), in three
    queries whatever the page size; the search vector is not read."""
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


class ItemListView(PublicMixin, ListView):
    template_name = "veille/item_list.html"
    paginate_by = PAGE_SIZE
    paginator_class = CappedPaginator
    context_object_name = "items"
    territory = None

    def get_filter_form(self):
        if not hasattr(self, "_filter_form"):
            self._filter_form = FilterForm(self.request.GET or None, territory=self.territory)
        return self._filter_form

    def get_queryset(self):
        filters = self.get_filter_form().values() if self.request.GET else {}
        queryset = filtered_items(NewsItem.objects.published(), filters, self.territory)
        return with_listing_relations(queryset.order_by("-featured", "-published_at", "-pk"))

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        if paginator.estimated and page.number > 1 and not page.object_list:
            paginator.recount()
            page = paginator.get_page(page.number)
            object_list, is_paginated = page.object_list, page.has_other_pages()
        return paginator, page, object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.get_filter_form()
        has_filters = any(v for k, v in self.request.GET.items() if k != "page")
        context.update(
            filter_form=form,
            territory=self.territory,
            has_filters=has_filters,
            feed_url=reverse("veille:feed_territory", args=[self.territory.code])
            if self.territory
            else reverse("veille:feed_region"),
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
    description = "Actualités de l'emploi, de la formation et de l'orientation en Pays de la Loire (Portail Srefop)."

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
        return f"Actualités de l'emploi, de la formation et de l'orientation : territoire {obj.name}."

    def link(self, obj):
        return reverse("veille:territory", args=[obj.code])

    def items_queryset(self, obj):
        return NewsItem.objects.published().in_territory(obj)


class SubscriptionView(PermissionRequiredMixin, FormView):
    permission_required = "veille.subscribe"
    template_name = "veille/subscription.html"
    form_class = SubscriptionForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Subscription.objects.filter(user=self.request.user).first() or Subscription(
            user=self.request.user
        )
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            subscription = save_subscription(
                user=self.request.user,
                territories=data["territories"],
                themes=data["themes"],
                frequency=data["frequency"],
            )
        except VeilleError as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        if subscription.frequency == Subscription.Frequency.NONE:
            messages.success(self.request, "Abonnement suspendu : vous ne recevrez plus de récapitulatif.")
        else:
            messages.success(
                self.request,
                f"Abonnement enregistré : récapitulatif {subscription.get_frequency_display().lower()} "
                f"envoyé à {self.request.user.email} quand il y a du nouveau.",
            )
        return redirect("veille:subscription")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


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
