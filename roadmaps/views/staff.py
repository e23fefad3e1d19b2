"""Staff pages (gestion/srefop/...): the referential and the import of préconisations."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.views.generic import TemplateView

from srefop_portal.common.imports import ImportCheckView, ImportConfirmView, ImportMixin, ImportTemplateView
from srefop_portal.common.jobs import start_job
from srefop_portal.common.permissions import StaffViewMixin
from srefop_portal.common.wording import count

from ..forms import AmbitionForm, AmbitionSheetForm, ChallengeForm, RecommendationFileForm
from ..importers import COLUMNS, HEADERS, apply_recommendations, template_rows, validate_recommendations
from ..models import Ambition, AmbitionSheet, Challenge, Recommendation

REFERENTIAL_KINDS = {
    "enjeux": (Challenge, ChallengeForm, "enjeu"),
    "ambitions": (Ambition, AmbitionForm, "ambition"),
    "fiches": (AmbitionSheet, AmbitionSheetForm, "fiche-ambition"),
}


class ReferentialView(StaffViewMixin, TemplateView):
    permission_required = "roadmaps.manage_referential"
    template_name = "roadmaps/staff/referential.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            challenges=Challenge.objects.all(),
            ambitions=Ambition.objects.prefetch_related("sheets"),
            recommendation_total=Recommendation.objects.count(),
            example_total=Recommendation.objects.filter(is_example=True).count(),
        )
        return context


class ReferentialEditView(StaffViewMixin, TemplateView):
    permission_required = "roadmaps.manage_referential"
    template_name = "roadmaps/staff/referential_form.html"

    def setup_kind(self):
        if self.kwargs["kind"] not in REFERENTIAL_KINDS:
            raise Http404
        model, form_class, label = REFERENTIAL_KINDS[self.kwargs["kind"]]
        instance = get_object_or_404(model, pk=self.kwargs["item_pk"]) if self.kwargs.get("item_pk") else None
        return instance, form_class, label

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instance, form_class, label = self.setup_kind()
        context.setdefault("form", form_class(instance=instance))
        context.update(instance=instance, kind_label=label)
        return context

    def post(self, request, *args, **kwargs):
        instance, form_class, label = self.setup_kind()
        form = form_class(request.POST, instance=instance)
        if form.is_valid():
            form.save()
            messages.success(request, f"{label[:1].upper()}{label[1:]} enregistré(e).")
            return redirect("roadmaps:referential")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RecommendationImportTemplateView(ImportTemplateView):
    permission_required = "roadmaps.manage_referential"
    filename = "modele-preconisations"
    columns = HEADERS
    sheet_title = "Préconisations"
    formats = ("xlsx", "csv")

    def get_rows(self):
        return template_rows()


class RecommendationImport(StaffViewMixin, ImportMixin):
    """The préconisations file: checked first (nothing written), then applied in one transaction."""

    permission_required = "roadmaps.manage_referential"
    checker = staticmethod(validate_recommendations)
    check_url_name = "roadmaps:recommendation_import"
    confirm_url_name = "roadmaps:recommendation_import_confirm"


class RecommendationImportView(RecommendationImport, ImportCheckView):
    template_name = "roadmaps/staff/import.html"
    form_class = RecommendationFileForm
    extra_context = {"columns": COLUMNS}


class RecommendationImportConfirmView(RecommendationImport, ImportConfirmView):
    """A large file is applied by a background job (with a progress bar), which takes the stash over."""

    success_url = reverse_lazy("roadmaps:referential")

    def apply(self, result, *, data, filename, token):
        if result.is_large:
            job = start_job(
                kind="roadmaps.import_recommendations",
                params={"token": token, "filename": filename},
                requester=self.request.user,
            )
            return redirect(job.get_absolute_url())
        counts = apply_recommendations(result)
        return (
            f"Import appliqué : {count(counts['created'], 'préconisation créée', 'préconisations créées')}, "
            f"{count(counts['updated'], 'mise à jour', 'mises à jour')}, "
            f"{count(counts['unchanged'], 'inchangée', 'inchangées')}."
        )
