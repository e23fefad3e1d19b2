import rules
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.views.generic import DetailView, ListView, TemplateView

from srefop_portal.common import versions
from srefop_portal.common.imports import ImportCheckView, ImportConfirmView, ImportMixin, ImportRefused
from srefop_portal.common.permissions import PublicMixin, StaffViewMixin

from .forms import CompositionFileForm, MoveCommuneForm, MoveEpciForm
from .fragments import departements_with_territories, region_overview, territory_composition
from .importers import apply_composition_import, validate_composition_file
from .models import Commune, CompositionChange, CompositionStatus, Territory
from .panels import collect_territory_panels
from .services import CompositionError, move_commune, move_epci


class HomeView(PublicMixin, TemplateView):
    template_name = "territories/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(region_overview())  # cached until the geography or the composition changes
        return context


class TerritoryListView(HomeView):
    template_name = "territories/territory_list.html"


class DepartementDetailView(PublicMixin, DetailView):
    template_name = "territories/departement_detail.html"
    slug_field = "code"
    slug_url_kwarg = "code"
    context_object_name = "departement"

    def get_queryset(self):
        return departements_with_territories()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["composition"] = CompositionStatus.current()
        context["epci_count"] = (
            Commune.objects.filter(departement=self.object, epci__isnull=False).values("epci").distinct().count()
        )
        return context


class TerritoryDetailView(PublicMixin, DetailView):
    template_name = "territories/territory_detail.html"
    slug_field = "code"
    slug_url_kwarg = "code"
    context_object_name = "territory"

    def get_queryset(self):
        return Territory.objects.for_user(self.request.user).select_related("departement")

    def get_object(self, queryset=None):
        """The territory and its département, read from the cache until the territories change. Territories are
        public reference data (``for_user`` keeps them all for every reader): the entry does not depend on who
        reads."""
        code = self.kwargs[self.slug_url_kwarg]

        def build():
            return super(TerritoryDetailView, self).get_object(queryset)

        return versions.cached("territories:detail-object", apps=("territories",), vary=(code,), build=build)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        territory = self.object
        context.update(
            **territory_composition(territory),  # figures, composition and map, cached with the composition
            panels=collect_territory_panels(self.request, territory),
            # The rules permission only: asking the user (ModelBackend) would cost two queries for a non-staff user.
            can_edit_composition=rules.has_perm("territories.change_composition", self.request.user),
        )
        return context


class CompositionEditView(StaffViewMixin, TemplateView):
    permission_required = "territories.change_composition"
    template_name = "territories/composition_edit.html"

    def dispatch(self, request, *args, **kwargs):
        self.territory = get_object_or_404(Territory.objects.select_related("departement"), code=kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("epci_form", MoveEpciForm(prefix="epci", initial={"territory": self.territory}))
        context.setdefault("commune_form", MoveCommuneForm(prefix="commune", initial={"territory": self.territory}))
        context["territory"] = self.territory
        context["recent_changes"] = (
            CompositionChange.objects.filter(to_territory=self.territory)
            .select_related("commune", "from_territory", "to_territory", "changed_by", "epci")
            .order_by("-changed_at")[:20]
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "epci":
            form = MoveEpciForm(request.POST, prefix="epci")
            context_key = "epci_form"
        else:
            form = MoveCommuneForm(request.POST, prefix="commune")
            context_key = "commune_form"
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "epci":
                    moved = move_epci(
                        epci=data["epci"], territory=data["territory"], user=request.user, reason=data["reason"]
                    )
                    messages.success(
                        request, f"{data['epci'].name} : {moved} commune(s) rattachée(s) à {data['territory'].name}."
                    )
                else:
                    move_commune(
                        commune=data["commune"], territory=data["territory"], user=request.user, reason=data["reason"]
                    )
                    messages.success(request, f"{data['commune'].name} rattachée à {data['territory'].name}.")
                return redirect(data["territory"].get_absolute_url())
            except CompositionError as exc:
                form.add_error(None, str(exc))
        return self.render_to_response(self.get_context_data(**{context_key: form}), status=400)


class CompositionHistoryView(StaffViewMixin, ListView):
    permission_required = "territories.view_composition_history"
    template_name = "territories/composition_history.html"
    paginate_by = 50
    context_object_name = "changes"

    def get_queryset(self):
        queryset = CompositionChange.objects.select_related(
            "commune", "epci", "from_territory", "to_territory", "changed_by"
        ).exclude(kind=CompositionChange.Kind.INITIAL)
        territory = self.request.GET.get("territoire")
        if territory:
            queryset = queryset.filter(to_territory__code=territory) | queryset.filter(from_territory__code=territory)
        return queryset.order_by("-changed_at", "commune__name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["territories"] = Territory.objects.order_by("name")
        context["selected"] = self.request.GET.get("territoire", "")
        context["composition"] = CompositionStatus.current()
        return context


class CompositionImport(StaffViewMixin, ImportMixin):
    """The official composition file: checked first (nothing written), then applied in one transaction."""

    permission_required = "territories.change_composition"
    checker = staticmethod(validate_composition_file)
    check_url_name = "territories:composition_import"
    confirm_url_name = "territories:composition_import_confirm"


class CompositionImportView(CompositionImport, ImportCheckView):
    template_name = "territories/composition_import.html"
    form_class = CompositionFileForm

    def get_context_data(self, **kwargs):
        kwargs["composition"] = CompositionStatus.current()
        return super().get_context_data(**kwargs)


class CompositionImportConfirmView(CompositionImport, ImportConfirmView):
    """Territories the file creates are shown « à créer » in the preview and created only if the box is ticked."""

    success_url = reverse_lazy("territories:composition_history")
    apply_errors = (CompositionError,)
    job_kind = "territories.import_composition"

    def row_count(self, result) -> int:
        return len(result.assignments)

    def job_options(self) -> dict:
        return {"create_territories": self.create_territories}

    def before_apply(self, result) -> None:
        self.create_territories = self.request.POST.get("create_territories") == "1"
        if result.new_territories and not self.create_territories:
            count = len(result.new_territories)
            raise ImportRefused(
                f"Le fichier crée {count} territoire{'s' if count > 1 else ''} : cochez la case de confirmation "
                "de la création pour l’appliquer. Aucune modification n’a été faite."
            )

    def apply(self, result, *, data, filename, token):
        return apply_composition_import(
            result, user=self.request.user, source=filename, create_territories=self.create_territories
        )
