"""The Clefop workspace (instances/<slug>/feuille-de-route/): roadmaps, priorities, actions, history."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from srefop_portal.common.forms import ServiceFormMixin
from srefop_portal.common.tabular import EXPORT_FORMATS, export_response

from .. import services
from ..exports import roadmap_rows
from ..forms import (
    ActionForm,
    AnnualReviewForm,
    BudgetLineForm,
    DocumentForm,
    IndicatorForm,
    PriorityForm,
    RoadmapEditForm,
    RoadmapForm,
    StatusForm,
    SubActionForm,
    TransitionForm,
)
from ..fragments import (
    action_body,
    my_actions,
    priority_page,
    priority_rows,
    reader_class,
    roadmap_history_page,
    roadmap_permissions,
    roadmap_priorities,
    roadmap_sections,
    with_csrf_token,
)
from ..history import entries_for
from ..models import (
    Action,
    ActionDocument,
    ActionStatus,
    AnnualReview,
    BudgetLine,
    Priority,
    PriorityAssessment,
    ResultIndicator,
    Roadmap,
    RoadmapStatus,
    SubAction,
)
from ..services import ActionConflict, RoadmapError
from .base import ActionMixin, BodyMixin, RoadmapMixin, require, safe_next


class BodyRoadmapsView(BodyMixin, TemplateView):
    template_name = "roadmaps/body_roadmaps.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        body = self.get_body()
        context["roadmaps"] = Roadmap.objects.filter(body=body).with_stats().order_by("-start_year", "-version")
        context["perms_roadmap"] = roadmap_permissions(self.request.user, body)
        return context


class RoadmapCreateView(ServiceFormMixin, BodyMixin, TemplateView):
    permission_required = "roadmaps.create_roadmap"
    template_name = "roadmaps/roadmap_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        body = self.get_body()
        context.setdefault(
            "form",
            RoadmapForm(initial={"title": f"Feuille de route du {body.name}", "start_year": 2024, "end_year": 2026}),
        )
        return context

    success_message = "Feuille de route créée en brouillon : ajoutez ses priorités."

    def make_form(self, data=None, files=None):
        return RoadmapForm(data)

    def perform(self, form):
        return services.create_roadmap(body=self.get_body(), user=self.request.user, **form.cleaned_data)

    def get_success_url(self, roadmap):
        return roadmap.get_absolute_url()


class RoadmapDetailView(RoadmapMixin, TemplateView):
    """The roadmap page: its priorities and actions are fragments shared by every reader of the same class
    (roadmaps/fragments.py); what is the reader's own (buttons of a draft, the actions they pilot) is not."""

    template_name = "roadmaps/roadmap_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roadmap, body, user = self.get_roadmap(), self.get_body(), self.request.user
        permissions = roadmap_permissions(user, body)
        reader = reader_class(user, body, permissions)
        context["sections"] = roadmap_sections(roadmap, reader)
        context["perms_roadmap"] = permissions
        context["my_actions"] = my_actions(roadmap, user, context["sections"])
        return context


class PriorityActionsView(RoadmapMixin, TemplateView):
    """The actions of one priority, page by page (the roadmap page shows the first ones). With HTMX and ``debut``,
    only the next rows, loaded in place on the roadmap page (« afficher la suite »)."""

    template_name = "roadmaps/priority_actions.html"

    def get_priority(self) -> Priority:
        for priority in roadmap_priorities(self.get_roadmap()):
            if priority.pk == self.kwargs["priority_pk"]:
                return priority
        raise Http404

    def reader(self):
        return reader_class(self.request.user, self.get_body())

    def get(self, request, *args, **kwargs):
        start = _non_negative(request.GET.get("debut"))
        if request.htmx and start is not None:
            rows = priority_rows(self.get_roadmap(), self.get_priority(), self.reader(), start=start, mode="more")
            response = HttpResponse(rows["html"])
        else:
            response = super().get(request, *args, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        priority, reader = self.get_priority(), self.reader()
        number = _non_negative(self.request.GET.get("page")) or 1
        rows, page_obj = priority_page(self.get_roadmap(), priority, reader, number)
        context.update(priority=priority, priority_label=f"Priorité {priority.order}", rows=rows, page_obj=page_obj)
        return context


def _non_negative(value) -> int | None:
    """A page number or an offset from the query string (None when absent or not a number)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return max(number, 0) if number < 10**6 else None


class RoadmapEditView(ServiceFormMixin, RoadmapMixin, TemplateView):
    permission_required = "roadmaps.edit_roadmap"
    template_name = "roadmaps/roadmap_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roadmap = self.get_roadmap()
        context.setdefault("form", RoadmapEditForm(initial={"title": roadmap.title, "summary": roadmap.summary}))
        return context

    success_message = "Feuille de route enregistrée."

    def make_form(self, data=None, files=None):
        return RoadmapEditForm(data)

    def perform(self, form):
        return services.update_roadmap(roadmap=self.get_roadmap(), user=self.request.user, **form.cleaned_data)

    def get_success_url(self, result):
        return self.get_roadmap().get_absolute_url()


TRANSITION_PAGES = {
    "submit": ("Soumettre la feuille de route", "La feuille de route sera proposée à l’adoption des co-présidents."),
    "return": ("Renvoyer en brouillon", "La feuille de route redevient modifiable par les membres."),
    "adopt": ("Adopter la feuille de route", "Elle sera publiée sur le portail (actions restreintes exceptées)."),
    "archive": ("Archiver la feuille de route", "Elle ne sera plus publiée ni modifiable."),
    "revise": (
        "Ouvrir une révision",
        "Une nouvelle version (brouillon) copie ses priorités et actions ; la version "
        "adoptée reste publiée jusqu’à l’adoption de la révision.",
    ),
}
# What the person is told once the step is done, in plain French.
TRANSITION_DONE = {
    "submit": "La feuille de route est soumise : les co-présidents peuvent maintenant l’adopter.",
    "return": "La feuille de route est revenue en brouillon : les membres peuvent de nouveau la modifier.",
    "adopt": "La feuille de route est adoptée et publiée sur le portail.",
    "archive": "La feuille de route est archivée.",
    "revise": "La révision est ouverte : modifiez ce brouillon, la version adoptée reste publiée d’ici là.",
}


class RoadmapTransitionView(ServiceFormMixin, RoadmapMixin, TemplateView):
    template_name = "roadmaps/roadmap_transition.html"

    def get_permission_required(self):
        name = self.kwargs["transition"]
        if name not in TRANSITION_PAGES:
            raise Http404
        return [f"roadmaps.{name}_roadmap"]

    def make_form(self, data=None, files=None):
        return TransitionForm(data, needs_plenary=self.kwargs["transition"] == "adopt")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        name = self.kwargs["transition"]
        context["transition"] = name
        context["transition_title"], context["transition_help"] = TRANSITION_PAGES[name]
        context.setdefault("form", self.make_form())
        return context

    def perform(self, form):
        name = self.kwargs["transition"]
        if name == "revise":
            return services.revise_roadmap(
                roadmap=self.get_roadmap(), user=self.request.user, comment=form.cleaned_data["comment"]
            )
        return services.transition_roadmap(
            roadmap=self.get_roadmap(),
            transition=name,
            user=self.request.user,
            comment=form.cleaned_data["comment"],
            plenary_date=form.cleaned_data.get("plenary_date"),
        )

    def get_success_message(self, roadmap):
        return TRANSITION_DONE[self.kwargs["transition"]]

    def get_success_url(self, roadmap):
        return roadmap.get_absolute_url()


class PriorityFormView(ServiceFormMixin, RoadmapMixin, TemplateView):
    permission_required = "roadmaps.edit_roadmap"
    template_name = "roadmaps/priority_form.html"

    def get_priority(self):
        if "priority_pk" not in self.kwargs:
            return None
        return get_object_or_404(Priority, roadmap=self.get_roadmap(), pk=self.kwargs["priority_pk"])

    def make_form(self, data=None, files=None):
        priority = self.get_priority()
        initial = {}
        if priority:
            initial = {
                "title": priority.title,
                "description": priority.description,
                "order": priority.order,
                "challenges": list(priority.challenges.all()),
                "sheets": list(priority.sheets.all()),
            }
        return PriorityForm(
            data, initial=initial, is_new=priority is None, existing_count=self.get_roadmap().priorities.count()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["priority"] = self.get_priority()
        context.setdefault("form", self.make_form())
        return context

    success_message = "Priorité enregistrée."

    def perform(self, form):
        priority, data = self.get_priority(), form.cleaned_data
        if priority is None:
            return services.add_priority(
                roadmap=self.get_roadmap(),
                user=self.request.user,
                title=data["title"],
                description=data["description"],
                challenges=data["challenges"],
                sheets=data["sheets"],
            )
        return services.update_priority(
            priority=priority,
            user=self.request.user,
            title=data["title"],
            description=data["description"],
            challenges=data["challenges"],
            sheets=data["sheets"],
            order=data.get("order"),
        )

    def get_success_url(self, result):
        return self.get_roadmap().get_absolute_url()


class PriorityDeleteView(RoadmapMixin, TemplateView):
    permission_required = "roadmaps.edit_roadmap"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        priority = get_object_or_404(Priority, roadmap=self.get_roadmap(), pk=self.kwargs["priority_pk"])
        try:
            services.delete_priority(priority=priority, user=request.user)
            messages.success(request, "Priorité supprimée.")
        except RoadmapError as exc:
            messages.error(request, str(exc))
        return redirect(self.get_roadmap().get_absolute_url())


def _action_data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    return data


class ActionCreateView(ServiceFormMixin, RoadmapMixin, TemplateView):
    permission_required = "roadmaps.edit_roadmap"
    template_name = "roadmaps/action_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roadmap = self.get_roadmap()
        initial = {"status": ActionStatus.PLANNED, "progress": 0, "priority": self.request.GET.get("priorite")}
        context.setdefault("form", ActionForm(initial=initial, roadmap=roadmap))
        return context

    success_message = "Action ajoutée."

    def make_form(self, data=None, files=None):
        return ActionForm(data, roadmap=self.get_roadmap())

    def perform(self, form):
        return services.create_action(roadmap=self.get_roadmap(), data=_action_data(form), user=self.request.user)

    def get_success_url(self, action):
        return action.get_absolute_url()


class ActionDetailView(ActionMixin, TemplateView):
    """An action's page: its body is a fragment shared by every reader of the same class (roadmaps/fragments.py),
    with the reader's own CSRF token put in its forms at each request."""

    template_name = "roadmaps/action_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action, body, user = self.get_action(), self.get_body(), self.request.user
        reader = reader_class(user, body, roadmap_permissions(user, body))
        context["action_body"] = with_csrf_token(self.request, action_body(action, reader))
        return context


class ActionEditView(ServiceFormMixin, ActionMixin, TemplateView):
    permission_required = "roadmaps.edit_roadmap"
    template_name = "roadmaps/action_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = self.get_action()
        context.setdefault("form", ActionForm(initial=ActionForm.initial_for(action), roadmap=action.roadmap))
        return context

    success_message = "Action enregistrée."

    def make_form(self, data=None, files=None):
        return ActionForm(data, roadmap=self.get_action().roadmap)

    def post(self, request, *args, **kwargs):
        require(self.get_action().roadmap.is_followable)
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        expected = form.cleaned_data.get("version")
        return services.update_action(
            action=self.get_action(), data=_action_data(form), expected_version=expected or 0, user=self.request.user
        )

    def domain_error_response(self, form, error):
        if isinstance(error, ActionConflict):
            return self.conflict(form, error.current)
        return super().domain_error_response(form, error)

    def get_success_url(self, result):
        return self.get_action().get_absolute_url()

    def conflict(self, form, current: Action):
        """Show both versions; the person's input is kept in a form carrying the saved version number."""
        saved = ActionForm.initial_for(current)
        rows = []
        for name, field in form.fields.items():
            if name == "version":
                continue
            mine, theirs = form.cleaned_data.get(name), saved.get(name)
            rows.append(
                {
                    "label": field.label,
                    "mine": _show(field, mine),
                    "theirs": _show(field, theirs),
                    "differs": _show(field, mine) != _show(field, theirs),
                }
            )
        data = request_data = self.request.POST.copy()
        request_data["version"] = current.version
        retry_form = ActionForm(data, roadmap=current.roadmap)
        retry_form.is_valid()
        return render(
            self.request,
            "roadmaps/action_conflict.html",
            self.get_context_data(form=retry_form, rows=rows, current=current),
            status=409,
        )


def _show(field, value) -> str:
    if hasattr(value, "__iter__") and not isinstance(value, str | bytes | dict):
        value = list(value)  # an empty multi-select is an empty QuerySet in cleaned_data, [] in the saved initial
    if value is None or value == "" or value == []:
        return "—"
    if hasattr(field, "choices") and not hasattr(field, "queryset"):
        labels = dict(field.choices)
        if isinstance(value, list | tuple):
            return ", ".join(str(labels.get(v, v)) for v in value)
        return str(labels.get(value, value))
    if isinstance(value, list | tuple) or hasattr(value, "__iter__") and not isinstance(value, str):
        return ", ".join(sorted(str(getattr(v, "code", v)) for v in value))
    if isinstance(value, int) and hasattr(field, "queryset"):
        return str(field.queryset.model.objects.filter(pk=value).first() or value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


class ActionStatusView(ServiceFormMixin, ActionMixin, TemplateView):
    """Status and progress of an action: in place with HTMX, or a plain form without JavaScript."""

    permission_required = "roadmaps.edit_roadmap"
    template_name = "roadmaps/action_status.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = self.get_action()
        context.setdefault("form", StatusForm(initial={"status": action.status, "progress": action.progress}))
        context["next"] = safe_next(self.request, action.get_absolute_url())
        return context

    def get(self, request, *args, **kwargs):
        if request.htmx:
            return render(request, "roadmaps/_action_status_form.html", self.get_context_data())
        return super().get(request, *args, **kwargs)

    success_message = "Statut et avancement enregistrés."

    def make_form(self, data=None, files=None):
        return StatusForm(data)

    def perform(self, form):
        return services.update_action_status(action=self.get_action(), user=self.request.user, **form.cleaned_data)

    def get_success_url(self, result):
        return safe_next(self.request, self.get_action().get_absolute_url())

    def form_success_response(self, result):
        if not self.request.htmx:
            return super().form_success_response(result)
        action = self.get_action()
        action.refresh_from_db()
        return render(
            self.request,
            "roadmaps/_action_status_cell.html",
            {
                "action": action,
                "body": self.get_body(),
                "can_edit": True,
                "saved": True,
                "next_path": safe_next(self.request, action.roadmap.get_absolute_url()),
            },
        )

    def form_error_response(self, form):
        if self.request.htmx:
            return render(
                self.request, "roadmaps/_action_status_form.html", self.get_context_data(form=form), status=400
            )
        return super().form_error_response(form)


DETAIL_KINDS = {
    "budget": (BudgetLine, BudgetLineForm, "Ligne budgétaire ajoutée."),
    "indicateur": (ResultIndicator, IndicatorForm, "Indicateur ajouté."),
    "sous-action": (SubAction, SubActionForm, "Sous-action ajoutée."),
    "document": (ActionDocument, DocumentForm, "Document ajouté."),
}
PREFIXES = {"budget": "budget", "indicateur": "indicator", "sous-action": "sub", "document": "doc"}


class ActionDetailAddView(ActionMixin, TemplateView):
    permission_required = "roadmaps.edit_roadmap"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        kind = self.kwargs["kind"]
        if kind not in DETAIL_KINDS:
            raise Http404
        action = self.get_action()
        _model, form_class, success = DETAIL_KINDS[kind]
        form = form_class(request.POST, request.FILES, prefix=PREFIXES[kind])
        if form.is_valid():
            data = form.cleaned_data
            try:
                if kind == "budget":
                    services.add_budget_line(action=action, user=request.user, **data)
                elif kind == "indicateur":
                    services.add_indicator(action=action, user=request.user, **data)
                elif kind == "sous-action":
                    services.add_sub_action(action=action, user=request.user, **data)
                else:
                    upload = data["file"]
                    services.add_action_document(
                        action=action, title=data["title"], data=upload.read(), filename=upload.name, user=request.user
                    )
            except RoadmapError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, success)
        else:
            errors = "; ".join(
                f"{form.fields[f].label if f in form.fields else ''} : {' '.join(e)}" for f, e in form.errors.items()
            )
            messages.error(request, f"Rien n’a été ajouté — {errors}")
        return redirect(action.get_absolute_url())


class ActionDetailDeleteView(ActionMixin, TemplateView):
    permission_required = "roadmaps.edit_roadmap"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        kind = self.kwargs["kind"]
        if kind not in DETAIL_KINDS:
            raise Http404
        action = self.get_action()
        model = DETAIL_KINDS[kind][0]
        item = get_object_or_404(model, action=action, pk=self.kwargs["item_pk"])
        try:
            if kind == "sous-action" and request.POST.get("toggle"):
                services.toggle_sub_action(sub_action=item, user=request.user)
                messages.success(request, "Sous-action mise à jour.")
            else:
                services.delete_detail(item=item, user=request.user)
                messages.success(request, "Élément supprimé.")
        except RoadmapError as exc:
            messages.error(request, str(exc))
        return redirect(action.get_absolute_url())


class ActionDeleteView(ActionMixin, TemplateView):
    permission_required = "roadmaps.edit_roadmap"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        action = self.get_action()
        roadmap = action.roadmap
        try:
            services.delete_action(action=action, user=request.user)
        except RoadmapError as exc:
            messages.error(request, str(exc))
            return redirect(action.get_absolute_url())
        messages.success(request, "Action supprimée.")
        return redirect(roadmap.get_absolute_url())


class ActionDocumentDownloadView(ActionMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        document = get_object_or_404(ActionDocument, action=self.get_action(), pk=self.kwargs["document_pk"])
        return document.download_response()


class ActionHistoryView(ActionMixin, TemplateView):
    template_name = "roadmaps/action_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        action = self.get_action()
        records = list(action.history.select_related("history_user").order_by("history_date", "history_id"))
        if not reader_class(self.request.user, self.get_body()).sees_restricted:
            # An action restricted once and public since: its versions of that time stay with the Clefop.
            records = [record for record in records if not record.restricted]
        context["entries"] = entries_for([(Action, records)])
        context["can_restore"] = self.request.user.has_perm("roadmaps.restore_version", self.get_body())
        context["latest_history_id"] = records[-1].history_id if records else None
        return context


class ActionRestoreView(ActionMixin, TemplateView):
    permission_required = "roadmaps.restore_version"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        action = self.get_action()
        try:
            restored = services.restore_action_version(
                action=action, history_id=self.kwargs["history_id"], user=request.user
            )
        except RoadmapError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "La version choisie a été restaurée (la restauration est elle-même historisée).")
            if restored.missing:
                messages.warning(
                    request,
                    "Ce qui a disparu depuis ou n’est plus proposé pour cette action n’a pas été remis : "
                    + " ; ".join(restored.missing)
                    + ".",
                )
        return redirect(reverse("roadmaps:action_history", args=[self.get_body().slug, action.pk]))


class RoadmapHistoryView(RoadmapMixin, TemplateView):
    """The history of a roadmap, page by page: the entries are fragments shared by every reader of the same class
    (those who may see the restricted actions or not), computed once until the data changes."""

    template_name = "roadmaps/roadmap_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, body = self.request.user, self.get_body()
        hides_restricted = not user.has_perm("roadmaps.edit_roadmap", body) and not (
            user.is_authenticated and body.pk in _positions(user)
        )
        number = _non_negative(self.request.GET.get("page")) or 1
        history = roadmap_history_page(self.get_roadmap(), hides_restricted=hides_restricted, number=number)
        context.update(history=history, page_obj=history["page_obj"])
        return context


def _positions(user):
    from clefop.models import perimeter_of

    return perimeter_of(user).positions


class AnnualReviewCreateView(ServiceFormMixin, RoadmapMixin, TemplateView):
    permission_required = "roadmaps.review_roadmap"
    template_name = "roadmaps/review_form.html"
    success_message = "Point d’étape enregistré."

    def make_form(self, data=None, files=None):
        return AnnualReviewForm(data, priorities=self.get_roadmap().priorities.order_by("order"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.make_form())
        return context

    def perform(self, form):
        data = form.cleaned_data
        assessments = [
            services.AssessmentInput(priority=p, rating=data[f"rating_{p.pk}"], comment=data[f"comment_{p.pk}"])
            for p in form.priorities
        ]
        return services.record_annual_review(
            roadmap=self.get_roadmap(),
            user=self.request.user,
            date=data["date"],
            summary=data["summary"],
            attendance=data["attendance"],
            decisions=data["decisions"],
            assessments=assessments,
        )

    def get_success_url(self, review):
        return reverse("roadmaps:review_detail", args=[self.get_body().slug, self.get_roadmap().pk, review.pk])


class AnnualReviewDetailView(RoadmapMixin, TemplateView):
    template_name = "roadmaps/review_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["review"] = get_object_or_404(
            AnnualReview.objects.select_related("created_by").prefetch_related(
                Prefetch("assessments", queryset=PriorityAssessment.objects.select_related("priority"))
            ),
            pk__in=AnnualReview.objects.of_history(self.get_roadmap()).values("pk"),
            pk=self.kwargs["review_pk"],
        )
        return context


class RoadmapExportView(RoadmapMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        if self.kwargs["fmt"] not in EXPORT_FORMATS:
            raise Http404("Format d’export inconnu.")
        roadmap = self.get_roadmap()
        actions = Action.objects.for_user(request.user).filter(roadmap=roadmap)
        headers, rows = roadmap_rows(roadmap, actions)
        name = f"feuille-de-route-{self.get_body().slug}-{roadmap.period_label}-v{roadmap.version}"
        return export_response(self.kwargs["fmt"], name, headers, rows, sheet_title="Feuille de route")


__all__ = ["RoadmapStatus"]
