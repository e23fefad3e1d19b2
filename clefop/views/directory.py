"""Staff pages: directory of every actor, its export, the member import, and organisations."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView

from srefop_portal.common.collation import french
from srefop_portal.common.forms import ServiceFormMixin
from srefop_portal.common.imports import ImportCheckView, ImportConfirmView, ImportMixin, ImportTemplateView
from srefop_portal.common.permissions import StaffViewMixin
from srefop_portal.common.tabular import export_response

from ..forms import DirectoryFilterForm, ImportFileForm, OrganisationForm
from ..importers import COLUMNS, TEMPLATE_ROWS, validate_members_file
from ..jobs import apply_member_import
from ..models import Membership, Organisation
from ..services import ClefopError
from ..services.directory import save_organisation

EXPORT_HEADERS = [
    "Nom",
    "Prénom",
    "Adresse électronique",
    "Instance",
    "Type d’instance",
    "Territoire",
    "Fonction",
    "Qualité",
    "Structure",
    "Type de structure",
    "Début",
    "Fin",
]


def _territory_name(body) -> str:
    territory = body.territory or (body.parent.territory if body.parent_id else None)
    return territory.name if territory else ""


def directory_queryset(form: DirectoryFilterForm):
    queryset = Membership.objects.select_related(
        "user", "body", "body__territory", "body__parent", "body__parent__territory", "organisation"
    )
    data = form.cleaned_data if form.is_valid() else {}
    if not data.get("anciens"):
        queryset = queryset.active()
    if data.get("territoire"):
        territory = data["territoire"]
        queryset = queryset.filter(Q(body__territory=territory) | Q(body__parent__territory=territory))
    if data.get("instance"):
        body = data["instance"]
        queryset = queryset.filter(Q(body=body) | Q(body__parent=body))
    if data.get("type_structure"):
        queryset = queryset.filter(organisation__kind=data["type_structure"])
    if data.get("fonction"):
        queryset = queryset.filter(position=data["fonction"])
    if data.get("q"):
        q = data["q"]
        queryset = queryset.filter(
            Q(user__last_name__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(user__email__icontains=q)
            | Q(organisation__name__icontains=q)
        )
    return queryset.order_by("user__last_name", "user__first_name", "body__name")


class DirectoryView(StaffViewMixin, ListView):
    permission_required = "clefop.manage_directory"
    template_name = "clefop/directory.html"
    paginate_by = 50
    context_object_name = "memberships"

    def get_queryset(self):
        self.form = DirectoryFilterForm(self.request.GET or None)
        return directory_queryset(self.form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(form=self.form, query=query.urlencode(), today=timezone.localdate())
        return context


class DirectoryExportView(StaffViewMixin, TemplateView):
    permission_required = "clefop.manage_directory"

    def get(self, request, *args, **kwargs):
        form = DirectoryFilterForm(request.GET or None)
        rows = (
            [
                m.user.last_name,
                m.user.first_name,
                m.user.email,
                m.body.name,
                m.body.get_kind_display(),
                _territory_name(m.body),
                m.get_position_display(),
                m.role_label,
                m.organisation.name if m.organisation else "",
                m.organisation.get_kind_display() if m.organisation else "",
                m.start_date,
                m.end_date,
            ]
            for m in directory_queryset(form).iterator(chunk_size=500)
        )
        stamp = timezone.localdate().isoformat()
        fmt = request.GET.get("format", "xlsx")
        return export_response(fmt, f"annuaire-srefop-{stamp}", EXPORT_HEADERS, rows, sheet_title="Annuaire")


class MemberImportTemplateView(ImportTemplateView):
    permission_required = "clefop.manage_directory"
    filename = "modele-import-membres"
    columns = COLUMNS
    rows = TEMPLATE_ROWS
    sheet_title = "Membres"


class MemberImport(StaffViewMixin, ImportMixin):
    """The member file: checked first (nothing written), then applied in one transaction."""

    permission_required = "clefop.manage_directory"
    checker = staticmethod(validate_members_file)
    check_url_name = "clefop:member_import"
    confirm_url_name = "clefop:member_import_confirm"


class MemberImportView(MemberImport, ImportCheckView):
    template_name = "clefop/member_import.html"
    form_class = ImportFileForm
    extra_context = {"columns": COLUMNS}


class MemberImportConfirmView(MemberImport, ImportConfirmView):
    success_url = reverse_lazy("clefop:directory")
    apply_errors = (ClefopError,)
    job_kind = "clefop.import_members"

    def row_count(self, result) -> int:
        return len(result.members)

    def apply(self, result, *, data, filename, token):
        return apply_member_import(result, by=self.request.user)


class OrganisationListView(StaffViewMixin, ListView):
    permission_required = "clefop.manage_organisations"
    template_name = "clefop/organisation_list.html"
    paginate_by = 50
    context_object_name = "organisations"

    def get_queryset(self):
        queryset = Organisation.objects.select_related("departement").annotate(
            member_count=Count("memberships", filter=Q(memberships__end_date__isnull=True))
        )
        self.q = self.request.GET.get("q", "").strip()[:100]
        if self.q:
            queryset = queryset.filter(name__icontains=self.q)
        return queryset.order_by(french("name"))

    def get_context_data(self, **kwargs):
        kwargs["q"] = self.q
        return super().get_context_data(**kwargs)


class OrganisationCreateView(ServiceFormMixin, StaffViewMixin, FormView):
    permission_required = "clefop.manage_organisations"
    template_name = "clefop/organisation_form.html"
    form_class = OrganisationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_object()
        return kwargs

    def get_object(self):
        return Organisation()

    def get_context_data(self, **kwargs):
        kwargs["organisation"] = self.get_object()
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return save_organisation(organisation=form.save(commit=False))

    def get_success_message(self, organisation):
        return f"Structure « {organisation.name} » enregistrée."

    def get_success_url(self, organisation):
        return reverse("clefop:organisation_list")


class OrganisationUpdateView(OrganisationCreateView):
    def get_object(self):
        if not hasattr(self, "_object"):
            self._object = get_object_or_404(Organisation, pk=self.kwargs["pk"])
        return self._object
