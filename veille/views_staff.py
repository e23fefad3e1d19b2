"""Staff pages of the news watch: sources (collect now, status), items (add, edit, hide, publish, feature,
re-tag), themes with their keyword rules, and the tagging corrections the tagging learns from."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, ListView

from srefop_portal.common import outbound
from srefop_portal.common.forms import ServiceFormMixin
from srefop_portal.common.permissions import StaffViewMixin

from . import services, tasks
from .forms import ItemForm, SourceForm, TagCorrectionForm, ThemeForm
from .models import NewsItem, Source, TagCorrection, Theme
from .search import apply_search
from .views import with_listing_relations


class VeilleStaffMixin(StaffViewMixin):
    permission_required = "veille.manage"


class ServiceFormView(ServiceFormMixin, VeilleStaffMixin, FormView):
    """A form saved through a service (``save(form)``); a domain error is shown on the form and nothing changes."""

    instance = None
    success_message = "Enregistré."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.instance
        return kwargs

    def perform(self, form):
        return self.save(form)

    def get_success_url(self, obj):
        return self.get_success_url_for(obj)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.instance
        return context


# --- sources ------------------------------------------------------------------------------------------------
class SourceListView(VeilleStaffMixin, ListView):
    template_name = "veille/staff/source_list.html"
    context_object_name = "sources"

    def get_queryset(self):
        return Source.objects.for_user(self.request.user).annotate(item_count=Count("items")).order_by("name")


class SourceFormView(ServiceFormView):
    template_name = "veille/staff/source_form.html"
    form_class = SourceForm

    def dispatch(self, request, *args, **kwargs):
        self.instance = (
            get_object_or_404(Source.objects.for_user(request.user), pk=kwargs["pk"]) if "pk" in kwargs else Source()
        )
        return super().dispatch(request, *args, **kwargs)

    def save(self, form):
        data = form.cleaned_data
        self.success_message = f"Source « {form.instance.name} » enregistrée."
        return services.save_source(
            source=form.instance,
            default_territories=data["default_territories"],
            default_themes=data["default_themes"],
        )

    def get_success_url_for(self, obj):
        return reverse("veille_staff:source_update", args=[obj.pk])


class SourceFetchView(VeilleStaffMixin, View):
    """« Collecter maintenant »: queued after commit (runs inline in development)."""

    def post(self, request, pk):
        source = get_object_or_404(Source.objects.for_user(request.user), pk=pk)
        if not source.is_feed or not source.feed_url:
            messages.error(request, "Cette source n’a pas de flux à collecter (saisie manuelle).")
            return redirect("veille_staff:source_update", pk=source.pk)
        try:
            outbound.check_url(source.feed_url)
        except outbound.UnknownHost:
            pass  # the collection records it on the source
        except outbound.FetchRefused as exc:
            messages.error(request, f"Collecte refusée : {exc}")
            return redirect("veille_staff:source_update", pk=source.pk)
        transaction.on_commit(lambda: tasks.fetch_source.delay(source.pk))
        messages.info(
            request, f"Collecte de « {source.name} » lancée : le résultat s’affiche ci-dessous une fois terminée."
        )
        return redirect("veille_staff:source_update", pk=source.pk)


class SourceDeleteView(VeilleStaffMixin, View):
    def post(self, request, pk):
        source = get_object_or_404(Source.objects.for_user(request.user), pk=pk)
        try:
            services.delete_source(source=source)
        except services.VeilleError as exc:
            messages.error(request, str(exc))
            return redirect("veille_staff:source_update", pk=source.pk)
        messages.success(request, f"Source « {source.name} » supprimée.")
        return redirect("veille_staff:source_list")


# --- items --------------------------------------------------------------------------------------------------
class StaffItemListView(VeilleStaffMixin, ListView):
    template_name = "veille/staff/item_list.html"
    context_object_name = "items"
    paginate_by = 50

    def get_queryset(self):
        queryset = NewsItem.objects.for_user(self.request.user)
        status = self.request.GET.get("statut", "")
        if status in NewsItem.Status.values:
            queryset = queryset.filter(status=status)
        if self.request.GET.get("une") == "1":
            queryset = queryset.filter(featured=True)
        if self.request.GET.get("sans_territoire") == "1":
            queryset = queryset.filter(~Q(pk__in=NewsItem.objects.filter(territory_tags__isnull=False).values("pk")))
        queryset = apply_search(queryset, self.request.GET.get("q", ""))
        return with_listing_relations(queryset.order_by("-published_at", "-pk"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            statuses=NewsItem.Status.choices,
            selected_status=self.request.GET.get("statut", ""),
            q=self.request.GET.get("q", ""),
            only_featured=self.request.GET.get("une") == "1",
            untagged=self.request.GET.get("sans_territoire") == "1",
            status_counts=dict(
                NewsItem.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
            ),
        )
        return context


class ItemFormView(ServiceFormView):
    template_name = "veille/staff/item_form.html"
    form_class = ItemForm

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.instance = get_object_or_404(
                NewsItem.objects.for_user(request.user).select_related("source"), pk=kwargs["pk"]
            )
        else:
            self.instance = NewsItem()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = super().get_initial()
        if self.instance.pk is None:
            manual = Source.objects.filter(kind=Source.Kind.MANUAL).order_by("pk").first()
            if manual:
                initial["source"] = manual.pk
        return initial

    def save(self, form):
        data = form.cleaned_data
        self.success_message = f"Article « {form.instance.title} » enregistré."
        return services.save_item(
            item=form.instance,
            territories=data["territories_field"],
            themes=data["themes"],
            by=self.request.user,
            correction_scope=data.get("correction_scope") or "item",
        )

    def get_success_url_for(self, obj):
        return reverse("veille_staff:item_update", args=[obj.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tags"] = (
            list(self.instance.territory_tags.select_related("territory").order_by("territory__name"))
            if self.instance.pk
            else []
        )
        context["excluded"] = list(self.instance.excluded_territories.all()) if self.instance.pk else []
        return context


def _back(request, default):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


class ItemActionView(VeilleStaffMixin, View):
    ACTIONS = {
        "publish": ("Article publié.", lambda item: services.set_item_status(item=item, status="published")),
        "hide": ("Article masqué.", lambda item: services.set_item_status(item=item, status="hidden")),
        "draft": ("Article repassé en brouillon.", lambda item: services.set_item_status(item=item, status="draft")),
        "feature": ("Article mis à la une.", lambda item: services.set_item_featured(item=item, featured=True)),
        "unfeature": ("Article retiré de la une.", lambda item: services.set_item_featured(item=item, featured=False)),
        "retag": (
            "Territoires et thèmes recalculés (les corrections de l’équipe sont conservées).",
            lambda item: services.retag(queryset=NewsItem.objects.filter(pk=item.pk)),
        ),
    }

    def post(self, request, pk):
        item = get_object_or_404(NewsItem.objects.for_user(request.user), pk=pk)
        action = self.ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            messages.error(request, "Action inconnue : rien n’a été modifié.")
        else:
            try:
                action[1](item)
                messages.success(request, action[0])
            except services.VeilleError as exc:
                messages.error(request, str(exc))
        return _back(request, reverse("veille_staff:item_list"))


class RetagAllView(VeilleStaffMixin, View):
    def post(self, request):
        transaction.on_commit(lambda: tasks.retag_all.delay())
        messages.info(request, "Nouvel étiquetage de tous les articles lancé (corrections de l’équipe conservées).")
        return _back(request, reverse("veille_staff:theme_list"))


# --- themes -------------------------------------------------------------------------------------------------
class ThemeListView(VeilleStaffMixin, ListView):
    template_name = "veille/staff/theme_list.html"
    context_object_name = "themes"

    def get_queryset(self):
        return Theme.objects.annotate(item_count=Count("items")).order_by("position", "name")


class ThemeFormView(ServiceFormView):
    template_name = "veille/staff/theme_form.html"
    form_class = ThemeForm

    def dispatch(self, request, *args, **kwargs):
        self.instance = get_object_or_404(Theme, pk=kwargs["pk"]) if "pk" in kwargs else Theme()
        return super().dispatch(request, *args, **kwargs)

    def save(self, form):
        self.success_message = (
            f"Thème « {form.instance.name} » enregistré. Relancez l’étiquetage pour l’appliquer aux articles existants."
        )
        return services.save_theme(theme=form.instance)

    def get_success_url_for(self, obj):
        return reverse("veille_staff:theme_list")


# --- tagging corrections ------------------------------------------------------------------------------------
class TagCorrectionListView(VeilleStaffMixin, ListView):
    template_name = "veille/staff/correction_list.html"
    context_object_name = "corrections"
    paginate_by = 100

    def get_queryset(self):
        return (
            TagCorrection.objects.for_user(self.request.user)
            .select_related("territory", "source", "author")
            .order_by("-created_at", "-pk")
        )


class TagCorrectionFormView(ServiceFormView):
    template_name = "veille/staff/correction_form.html"
    form_class = TagCorrectionForm

    def dispatch(self, request, *args, **kwargs):
        self.instance = TagCorrection()
        return super().dispatch(request, *args, **kwargs)

    def save(self, form):
        data = form.cleaned_data
        self.success_message = (
            f"Correction « {data['term']} » enregistrée : elle s’applique aux prochains articles, et les articles "
            "déjà collectés qui citent ce terme sont réétiquetés."
        )
        return services.create_tag_correction(
            term=data["term"],
            territory=data["territory"],
            kind=data["kind"],
            source=data["source"],
            author=self.request.user,
            note=data["note"],
        )

    def get_success_url_for(self, obj):
        return reverse("veille_staff:correction_list")


class TagCorrectionDeleteView(VeilleStaffMixin, View):
    def post(self, request, pk):
        correction = get_object_or_404(TagCorrection.objects.for_user(request.user), pk=pk)
        services.delete_tag_correction(correction=correction)
        messages.success(
            request,
            f"Correction « {correction.term} » supprimée : les articles qui citent ce terme sont réétiquetés.",
        )
        return redirect("veille_staff:correction_list")
