"""Offre de services: the public catalogue of dispositifs (with editing by staff and the carrying
organisation's members, review flags, import/export), the professionalisation sessions (registrations,
waiting list, attendance, documents) and support requests to the Cariforef (requester side and staff queue)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.core.paginator import Page
from django.db.models import Count, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from clefop.models import perimeter_of
from clefop.services import ClefopError
from clefop.views.base import BodyMixin
from srefop_portal.common import versions
from srefop_portal.common.forms import ServiceFormMixin
from srefop_portal.common.imports import ImportCheckView, ImportConfirmView, ImportMixin, ImportTemplateView
from srefop_portal.common.permissions import PermissionRequiredMixin, PublicMixin, StaffViewMixin
from srefop_portal.common.querystring import page_links, read_parameters
from srefop_portal.common.second_factor import has_staff_powers
from srefop_portal.common.tabular import export_response
from srefop_portal.common.wording import count

from . import services
from .forms import (
    AttendanceForm,
    CatalogueFilterForm,
    DispositifForm,
    ImportFileForm,
    SessionDocumentForm,
    SessionForm,
    SupportRequestForm,
    SupportUpdateForm,
    animated_bodies,
)
from .fragments import dispositif_cards, field_groups, session_tables, with_registrations
from .importers import COLUMNS, TEMPLATE_ROWS, export_rows, validate_dispositifs_file
from .jobs import apply_dispositif_import
from .models import (
    Dispositif,
    Registration,
    RegistrationStatus,
    Session,
    SessionDocument,
    SupportRequest,
    SupportStatus,
    carrier_ids_of,
    json_has,
)

# ---------------------------------------------------------------------------------------------- catalogue


def catalogue_queryset(form: CatalogueFilterForm | None, user=None):
    """The dispositifs of the catalogue matching the filters of ``form`` (None: no filter)."""
    queryset = Dispositif.objects.for_user(user)
    data = form.cleaned_data if form is not None and form.is_valid() else {}
    if data.get("territoire"):
        queryset = queryset.available_in(data["territoire"])
    if data.get("public"):
        queryset = queryset.filter(json_has("publics", data["public"]))
    if data.get("thematique"):
        queryset = queryset.filter(json_has("themes", data["thematique"]))
    if data.get("type_structure"):
        queryset = queryset.filter(carrier__kind=data["type_structure"])
    if data.get("structure"):
        queryset = queryset.filter(carrier=data["structure"])
    if data.get("echelon"):
        queryset = queryset.filter(level=data["echelon"])
    if data.get("q"):
        queryset = queryset.search(data["q"])
    return queryset.order_by("name", "pk")


@dataclass(frozen=True)
class ListedDispositif:
    """A dispositif of a page of the catalogue as the page needs it (its card comes from the cache)."""

    pk: int
    name: str
    carrier_id: int
    needs_review: bool  # its card differs for those who may edit it (« À revoir »)


# What a page of the catalogue shows: dispositifs, carriers (offer, clefop), territories (the territory filter).
CATALOGUE_APPS = ("offer", "clefop", "territories")
# A search typed once is kept a quarter of an hour at most (any write to what it shows supersedes it before).
CATALOGUE_SECONDS = 15 * 60
# Longer than any valid value (100 characters of words, a code, a primary key): a longer one is invalid anyway.
MAX_PARAMETER_LENGTH = 200


class DispositifListView(PublicMixin, ListView):
    """The catalogue, the same for every reader but for the « À revoir » badge on the cards of the dispositifs they
    may edit. The page's dispositifs and their number, then its filters, cards and pagination are cached per filters
    and page number (and per day: validity and review badges), the latter per variant of the cards too (which of the
    page's dispositifs to review the reader may edit: none for most readers); the cards and the filter fields are
    fragments of their own (offer/fragments.py). What is read at each request is the reader's own carriers (cached
    too, see ``carrier_ids_of``) and their rights to add and import."""

    template_name = "offer/dispositif_list.html"
    catalogue_template = "offer/_catalogue.html"
    context_object_name = "dispositifs"
    paginate_by = 20

    @cached_property
    def form(self) -> CatalogueFilterForm | None:
        # Without filters, no form is made (its fields are cached as they render unbound).
        return CatalogueFilterForm(self.params) if self.params else None

    def get_queryset(self):
        return catalogue_queryset(self.form, self.request.user).only("pk", "name", "carrier_id", "last_reviewed_on")

    @cached_property
    def params(self) -> QueryDict:
        """The parameters the page reads (its filters and the page number), the last value of each: what it shows
        depends on nothing else (any other parameter is ignored, and left out of its links)."""
        names = (*CatalogueFilterForm.base_fields, self.page_kwarg)
        return read_parameters(self.request.GET, names, max_length=MAX_PARAMETER_LENGTH)

    @cached_property
    def today(self) -> str:
        return timezone.localdate().isoformat()

    def paginate_queryset(self, queryset, page_size):
        """The page's dispositifs and their number, from the cache; read (and the page number checked: a 404 for a
        page that does not exist) when not cached."""

        def build():
            paginator, page, rows, _paginated = super(DispositifListView, self).paginate_queryset(
                self.get_queryset(), page_size
            )
            listed = [ListedDispositif(d.pk, d.name, d.carrier_id, d.needs_review) for d in rows]
            return {"count": paginator.count, "number": page.number, "rows": listed}

        found = versions.cached(
            "offer:catalogue-page",
            apps=CATALOGUE_APPS,
            vary=(self.params.urlencode(), self.today),
            build=build,
            timeout=CATALOGUE_SECONDS,
        )
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=self.get_allow_empty())
        paginator.__dict__["count"] = found["count"]  # known: not counted again
        page = Page(found["rows"], found["number"], paginator)
        return paginator, page, page.object_list, page.has_other_pages()

    def get(self, request, *args, **kwargs):
        # The dispositifs are read (and the filters validated) only when the page's list is not cached: see
        # paginate_queryset. (ListView.get would make the queryset at each request.)
        self.object_list = None
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        editable = set(carrier_ids_of(user))
        is_staff = has_staff_powers(user)
        # The dispositifs of the page whose card the reader sees with « À revoir »: the variant of the page.
        to_review = tuple(
            listed.pk
            for listed in context["dispositifs"]
            if listed.needs_review and (is_staff or listed.carrier_id in editable)
        )
        context.update(
            catalogue=versions.cached_html(
                "offer:catalogue",
                apps=CATALOGUE_APPS,
                vary=(self.params.urlencode(), self.today, to_review),
                build=lambda: self.catalogue_html(context, editable, is_staff),
                timeout=CATALOGUE_SECONDS,
                compact=True,
            ),
            can_add=user.is_authenticated and user.has_perm("offer.add_dispositif"),
            can_import=user.has_perm("offer.import_dispositifs"),
            offer_tab="dispositifs",
        )
        return context

    def catalogue_html(self, context, editable: set[int], is_staff: bool) -> str:
        """The filters, the cards and the pagination (no request nor user in them)."""
        query = self.params.copy()
        query.pop(self.page_kwarg, None)  # the filters
        rows = [(listed.pk, listed.carrier_id) for listed in context["dispositifs"]]
        page = context["page_obj"]
        return render_to_string(
            self.catalogue_template,
            {
                "paginator": context["paginator"],
                "page_obj": page,
                "is_paginated": context["is_paginated"],
                "page_links": page_links(query, page),
                "filter_fields": field_groups(CatalogueFilterForm, self.form, live=("q",)),
                "query": query.urlencode(),
                "cards": dispositif_cards(rows, editable, is_staff=is_staff),
            },
        )


def _actions_using(dispositif, user) -> list[tuple]:
    """Roadmap actions naming the dispositif (reverse relation from roadmaps, when installed): public
    ones (adopted roadmap, not restricted) and those the person may read; (action, url) pairs."""
    manager = getattr(dispositif, "actions", None)
    if manager is None:
        return []
    actions = manager.all()
    readable = set(actions.model.objects.for_user(user).filter(dispositifs=dispositif).values_list("pk", flat=True))
    visible = actions.filter(Q(pk__in=actions.public().values("pk")) | Q(pk__in=readable))
    rows = []
    for action in visible.select_related("roadmap", "roadmap__body", "roadmap__body__territory").order_by(
        "roadmap__body__name", "title"
    ):
        url = action.get_absolute_url() if action.pk in readable else action.roadmap.get_public_url()
        rows.append((action, url))
    return rows


class DispositifDetailView(PublicMixin, TemplateView):
    template_name = "offer/dispositif_detail.html"

    @cached_property
    def dispositif(self) -> Dispositif:
        queryset = Dispositif.objects.for_user(self.request.user).select_related("carrier", "updated_by")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            dispositif=self.dispositif,
            territories=list(self.dispositif.territories.order_by("name")),
            actions=_actions_using(self.dispositif, user),
            can_edit=user.is_authenticated and user.has_perm("offer.change_dispositif", self.dispositif),
            offer_tab="dispositifs",
        )
        return context


class EditableDispositifMixin(PermissionRequiredMixin):
    permission_required = "offer.change_dispositif"

    @cached_property
    def dispositif(self) -> Dispositif:
        queryset = Dispositif.objects.editable_by(self.request.user).select_related("carrier")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_permission_object(self):
        return self.dispositif


class DispositifFormMixin(ServiceFormMixin):
    template_name = "offer/dispositif_form.html"

    def carriers(self):
        return None if perimeter_of(self.request.user).is_staff else carrier_ids_of(self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.make_form()))

    def perform(self, form):
        return services.save_dispositif(
            dispositif=form.save(commit=False), territories=form.cleaned_data["territories"], by=self.request.user
        )

    def get_success_message(self, dispositif):
        return f"Dispositif « {dispositif.name} » enregistré."

    def get_success_url(self, dispositif):
        return dispositif.get_absolute_url()


class DispositifCreateView(DispositifFormMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "offer.add_dispositif"

    def make_form(self, data=None, files=None):
        return DispositifForm(data, carriers=self.carriers())

    def get_context_data(self, **kwargs):
        kwargs.setdefault("dispositif", None)
        return super().get_context_data(**kwargs)


class DispositifUpdateView(DispositifFormMixin, EditableDispositifMixin, TemplateView):
    def make_form(self, data=None, files=None):
        carriers = self.carriers()
        if carriers is not None:
            carriers = [*carriers, self.dispositif.carrier_id]
        return DispositifForm(data, instance=self.dispositif, carriers=carriers)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("dispositif", self.dispositif)
        return super().get_context_data(**kwargs)


class DispositifReviewView(EditableDispositifMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        services.mark_reviewed(dispositif=self.dispositif, by=request.user)
        messages.success(request, f"« {self.dispositif.name} » est confirmé à jour.")
        target = request.POST.get("next", "")
        return redirect(target if target == reverse("offer:my_dispositifs") else self.dispositif.get_absolute_url())


class MyDispositifsView(PermissionRequiredMixin, ListView):
    """The dispositifs a person may edit, those to review first."""

    permission_required = "offer.view_my_dispositifs"
    template_name = "offer/my_dispositifs.html"
    context_object_name = "dispositifs"
    paginate_by = 50

    def get_queryset(self):
        return (
            Dispositif.objects.editable_by(self.request.user)
            .select_related("carrier")
            .order_by("last_reviewed_on", "name")
        )

    def get_context_data(self, **kwargs):
        kwargs["to_review"] = Dispositif.objects.editable_by(self.request.user).needing_review().count()
        kwargs["can_add"] = self.request.user.has_perm("offer.add_dispositif")
        kwargs["offer_tab"] = "dispositifs"
        return super().get_context_data(**kwargs)


class DispositifExportView(PublicMixin, View):
    def get(self, request, *args, **kwargs):
        form = CatalogueFilterForm(request.GET or None)
        dispositifs = catalogue_queryset(form, request.user).select_related("carrier").prefetch_related("territories")
        stamp = timezone.localdate().isoformat()
        rows = export_rows(dispositifs)
        fmt = request.GET.get("format", "xlsx")
        return export_response(fmt, f"offre-de-services-{stamp}", COLUMNS, rows, sheet_title="Dispositifs")


class DispositifImportTemplateView(ImportTemplateView):
    permission_required = "offer.import_dispositifs"
    filename = "modele-import-dispositifs"
    columns = COLUMNS
    rows = TEMPLATE_ROWS
    sheet_title = "Dispositifs"


class DispositifImport(StaffViewMixin, ImportMixin):
    """The dispositifs file: checked first (nothing written), then applied in one transaction."""

    permission_required = "offer.import_dispositifs"
    checker = staticmethod(validate_dispositifs_file)
    check_url_name = "offer:dispositif_import"
    confirm_url_name = "offer:dispositif_import_confirm"


class DispositifImportView(DispositifImport, ImportCheckView):
    template_name = "offer/dispositif_import.html"
    form_class = ImportFileForm
    extra_context = {"columns": COLUMNS}


class DispositifImportConfirmView(DispositifImport, ImportConfirmView):
    success_url = reverse_lazy("offer:dispositif_list")
    apply_errors = (ClefopError,)
    job_kind = "offer.import_dispositifs"

    def row_count(self, result) -> int:
        return len(result.rows)

    def apply(self, result, *, data, filename, token):
        return apply_dispositif_import(result, by=self.request.user)


# ---------------------------------------------------------------------------------------------- sessions


def _session_queryset():
    registered = Count("registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED))
    waiting = Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITING))
    return Session.objects.select_related("territory").annotate(registered_total=registered, waiting_total=waiting)


class SessionListView(PublicMixin, TemplateView):
    """The session tables come from fragments (offer/fragments.py); the reader's registrations are read at each
    request and shown in them."""

    template_name = "offer/session_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        mine = {}
        if user.is_authenticated:
            mine = dict(
                Registration.objects.filter(user=user)
                .exclude(status=RegistrationStatus.CANCELLED)
                .values_list("session_id", "status")
            )
        tables = session_tables()
        context.update(
            upcoming=with_registrations(tables["upcoming"], mine),
            past=with_registrations(tables["past"], mine),
            can_manage=user.has_perm("offer.manage_sessions"),
            offer_tab="sessions",
        )
        return context


class SessionMixin:
    @cached_property
    def session(self) -> Session:
        return get_object_or_404(_session_queryset().for_user(self.request.user), pk=self.kwargs["pk"])

    def get_permission_object(self):
        return self.session


class SessionDetailView(SessionMixin, PublicMixin, TemplateView):
    template_name = "offer/session_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, session = self.request.user, self.session
        registration = None
        if user.is_authenticated:
            registration = (
                Registration.objects.filter(session=session, user=user)
                .exclude(status=RegistrationStatus.CANCELLED)
                .first()
            )
        waiting_rank = 0
        if registration and registration.status == RegistrationStatus.WAITING:
            waiting_rank = session.registrations.filter(
                status=RegistrationStatus.WAITING, requested_at__lte=registration.requested_at
            ).count()
        can_manage = user.has_perm("offer.manage_sessions")
        is_registered = bool(registration and registration.status == RegistrationStatus.REGISTERED)
        context.update(
            session=session,
            registration=registration,
            waiting_rank=waiting_rank,
            free_places=max(session.capacity - session.registered_total, 0),
            can_manage=can_manage,
            sees_private=can_manage or is_registered,
            documents=list(session.documents.all()) if (can_manage or is_registered) else [],
            offer_tab="sessions",
        )
        return context


class SessionRegisterView(SessionMixin, PermissionRequiredMixin, View):
    permission_required = "offer.register_session"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            registration = services.register(session=self.session, user=request.user)
        except ClefopError as exc:
            messages.error(request, str(exc))
        else:
            if registration.status == RegistrationStatus.WAITING:
                messages.warning(
                    request,
                    "La session est complète : vous êtes sur la liste d’attente. Un courriel vous "
                    "préviendra si une place se libère.",
                )
            else:
                messages.success(request, "Votre inscription est confirmée. Elle figure dans votre calendrier.")
        return redirect(self.session.get_absolute_url())


class SessionCancelView(SessionMixin, PermissionRequiredMixin, View):
    permission_required = "offer.register_session"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.cancel_registration(session=self.session, user=request.user)
        except ClefopError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Votre inscription est annulée.")
        return redirect(self.session.get_absolute_url())


class SessionDocumentDownloadView(SessionMixin, PermissionRequiredMixin, View):
    permission_required = "offer.download_session_document"

    def get(self, request, *args, **kwargs):
        document = get_object_or_404(SessionDocument, session=self.session, pk=self.kwargs["doc_pk"])
        return document.download_response()


class MyRegistrationsView(PermissionRequiredMixin, TemplateView):
    permission_required = "offer.register_session"
    template_name = "offer/my_registrations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registrations = (
            Registration.objects.filter(user=self.request.user)
            .exclude(status=RegistrationStatus.CANCELLED)
            .select_related("session", "session__territory")
            .order_by("session__start")
        )
        now = timezone.now()
        context.update(
            upcoming=[r for r in registrations if r.session.end >= now],
            past=[r for r in registrations if r.session.end < now],
            offer_tab="sessions",
        )
        return context


class SessionCreateView(ServiceFormMixin, StaffViewMixin, FormView):
    permission_required = "offer.manage_sessions"
    template_name = "offer/session_form.html"
    form_class = SessionForm

    def get_context_data(self, **kwargs):
        kwargs.setdefault("session", None)
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.save_session(by=self.request.user, **form.cleaned_data)

    def get_success_message(self, session):
        return f"Session « {session.title} » enregistrée."

    def get_success_url(self, session):
        return session.get_absolute_url()


class SessionUpdateView(SessionMixin, SessionCreateView):
    def get_initial(self):
        session = self.session
        initial = {name: getattr(session, name) for name in services.SESSION_FIELDS}
        initial["start"] = timezone.localtime(session.start)
        initial["end"] = timezone.localtime(session.end)
        return initial

    def get_context_data(self, **kwargs):
        kwargs["session"] = self.session
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.save_session(session=self.session, by=self.request.user, **form.cleaned_data)


class SessionRegistrationsView(SessionMixin, StaffViewMixin, TemplateView):
    """The organiser's page: registrations and waiting list, attendance, documents."""

    permission_required = "offer.manage_sessions"
    template_name = "offer/session_registrations.html"

    def registered(self):
        return [r for r in self.rows if r.status == RegistrationStatus.REGISTERED]

    @cached_property
    def rows(self):
        return list(
            self.session.registrations.exclude(status=RegistrationStatus.CANCELLED)
            .select_related("user")
            .order_by("status", "requested_at", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kwargs_form = kwargs.get("attendance_form") or AttendanceForm(registrations=self.registered())
        context.update(
            session=self.session,
            registered=self.registered(),
            waiting=[r for r in self.rows if r.status == RegistrationStatus.WAITING],
            attendance_form=kwargs_form,
            attendance_rows=[(r, kwargs_form[f"r{r.pk}"]) for r in kwargs_form.registrations],
            attendance_open=self.session.start <= timezone.now(),
            document_form=kwargs.get("document_form") or SessionDocumentForm(),
            documents=list(self.session.documents.all()),
            offer_tab="sessions",
        )
        return context

    def post(self, request, *args, **kwargs):
        form = AttendanceForm(request.POST, registrations=self.registered())
        if form.is_valid():
            try:
                changed = services.record_attendance(session=self.session, attended=form.attended())
            except ClefopError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, f"Présences enregistrées ({count(changed, 'modification', 'modifications')})."
                )
                return redirect("offer:session_registrations", pk=self.session.pk)
        return self.render_to_response(self.get_context_data(attendance_form=form), status=400)


class SessionRegistrationsExportView(SessionMixin, StaffViewMixin, View):
    permission_required = "offer.manage_sessions"

    HEADERS = ["Nom", "Prénom", "Adresse électronique", "Statut", "Demandée le", "Présence"]

    def get(self, request, *args, **kwargs):
        registrations = (
            self.session.registrations.exclude(status=RegistrationStatus.CANCELLED)
            .select_related("user")
            .order_by("status", "requested_at", "pk")
        )
        presence = {True: "présent·e", False: "absent·e", None: ""}
        rows = (
            [
                r.user.last_name,
                r.user.first_name,
                r.user.email,
                r.get_status_display(),
                r.requested_at,
                presence[r.attended],
            ]
            for r in registrations
        )
        name = f"inscriptions-session-{self.session.pk}"
        fmt = request.GET.get("format", "xlsx")
        return export_response(fmt, name, self.HEADERS, rows, sheet_title="Inscriptions")


class SessionDocumentUploadView(SessionMixin, StaffViewMixin, View):
    permission_required = "offer.manage_sessions"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = SessionDocumentForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                document = services.add_session_document(
                    session=self.session,
                    title=form.cleaned_data["title"],
                    data=upload.read(),
                    filename=upload.name,
                    by=request.user,
                )
            except ClefopError as exc:
                messages.error(request, f"Document refusé : {exc}")
            else:
                messages.success(request, f"Document « {document.title} » partagé avec les inscrit·es.")
        else:
            messages.error(request, "Choisissez un fichier à partager.")
        return redirect("offer:session_registrations", pk=self.session.pk)


# ---------------------------------------------------------------------------------------------- support requests


class SupportRequestCreateView(ServiceFormMixin, BodyMixin, FormView):
    permission_required = "offer.request_support"
    template_name = "offer/support_form.html"
    form_class = SupportRequestForm
    page_label = "Demande d’appui"

    success_message = "Votre demande d’appui est envoyée à l’équipe du Carif-Oref."

    def perform(self, form):
        return services.create_support_request(
            body=self.body,
            requester=self.request.user,
            kind=form.cleaned_data["kind"],
            need=form.cleaned_data["need"],
            wished_date=form.cleaned_data["wished_date"],
        )

    def get_success_url(self, support):
        return support.get_absolute_url()


class MySupportRequestsView(PermissionRequiredMixin, TemplateView):
    permission_required = "offer.view_support_requests"
    template_name = "offer/support_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            requests=list(
                SupportRequest.objects.for_user(user)
                .select_related("body", "requester", "assignee")
                .order_by("-created_at")
            ),
            bodies=[] if perimeter_of(user).is_staff else list(animated_bodies(user).order_by("name")),
            offer_tab="appuis",
        )
        return context


class SupportRequestMixin:
    def queryset(self):
        return SupportRequest.objects.for_user(self.request.user)

    @cached_property
    def support(self) -> SupportRequest:
        queryset = self.queryset().select_related("body", "requester", "assignee")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            support=self.support,
            events=list(self.support.events.select_related("by", "assignee")),
            offer_tab="appuis",
        )
        return context


class SupportRequestDetailView(SupportRequestMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "offer.view_support_requests"
    template_name = "offer/support_detail.html"


class SupportQueueView(StaffViewMixin, ListView):
    permission_required = "offer.manage_support"
    template_name = "offer/support_queue.html"
    context_object_name = "requests"
    paginate_by = 50

    def get_queryset(self):
        self.status = self.request.GET.get("statut", "ouvertes")
        queryset = SupportRequest.objects.select_related("body", "requester", "assignee")
        if self.status in SupportStatus.values:
            queryset = queryset.filter(status=self.status)
        elif self.status == "ouvertes":
            queryset = queryset.open()
        elif self.status == "miennes":
            queryset = queryset.filter(assignee=self.request.user).open()
        return queryset.order_by("created_at", "pk")

    def get_context_data(self, **kwargs):
        counts = dict(SupportRequest.objects.values_list("status").annotate(n=Count("pk")).order_by())
        kwargs["filters"] = [
            ("ouvertes", "Ouvertes", counts.get("nouvelle", 0) + counts.get("en_cours", 0)),
            ("miennes", "Qui me sont confiées", None),
            *[(value, label, counts.get(value, 0)) for value, label in SupportStatus.choices],
            ("toutes", "Toutes", sum(counts.values())),
        ]
        kwargs["status"] = self.status
        return super().get_context_data(**kwargs)


class SupportManageView(ServiceFormMixin, SupportRequestMixin, StaffViewMixin, FormView):
    permission_required = "offer.manage_support"
    template_name = "offer/support_manage.html"
    form_class = SupportUpdateForm

    def get_initial(self):
        return {"status": self.support.status, "assignee": self.support.assignee_id}

    success_message = "Demande mise à jour ; la personne est prévenue."

    def perform(self, form):
        return services.update_support_request(
            request=self.support,
            by=self.request.user,
            status=form.cleaned_data["status"],
            assignee=form.cleaned_data["assignee"],
            message=form.cleaned_data["message"],
        )

    def get_success_url(self, result):
        return reverse("offer:support_manage", args=[self.support.pk])
