"""Staff pages (gestion/srefop/...): the referential and the import of préconisations."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from srefop_portal.common.jobs import start_job
from srefop_portal.common.permissions import StaffViewMixin
from srefop_portal.common.tabular import csv_response, xlsx_response
from srefop_portal.common.uploads import drop_stash, load_stash, stash_upload

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


class ImportTemplateView(StaffViewMixin, TemplateView):
    permission_required = "roadmaps.manage_referential"

    def get(self, request, *args, **kwargs):
        if self.kwargs["fmt"] == "xlsx":
            return xlsx_response("modele-preconisations.xlsx", HEADERS, template_rows(), sheet_title="Préconisations")
        return csv_response("modele-preconisations.csv", HEADERS, template_rows())


class RecommendationImportView(StaffViewMixin, FormView):
    """Step 1: upload and check everything (nothing is written)."""

    permission_required = "roadmaps.manage_referential"
    template_name = "roadmaps/staff/import.html"
    form_class = RecommendationFileForm

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        data = upload.read()
        result = validate_recommendations(data, upload.name)
        token = stash_upload(self.request, data, upload.name) if result.is_valid else ""
        return self.render_to_response(
            self.get_context_data(form=form, result=result, token=token), status=200 if result.is_valid else 400
        )

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("result", None)
        kwargs.setdefault("token", "")
        kwargs["columns"] = COLUMNS
        return super().get_context_data(**kwargs)


class RecommendationImportConfirmView(StaffViewMixin, TemplateView):
    """Step 2: apply the checked file in one transaction (a background job for large files)."""

    permission_required = "roadmaps.manage_referential"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        token = request.POST.get("token", "")
        stashed = load_stash(request, token)
        if stashed is None:
            messages.error(request, "Le fichier vérifié n'est plus disponible : déposez-le à nouveau.")
            return redirect("roadmaps:recommendation_import")
        data, filename = stashed
        result = validate_recommendations(data, filename)
        if not result.is_valid:
            messages.error(request, "Le fichier contient des erreurs : aucune modification n'a été faite.")
            return redirect("roadmaps:recommendation_import")
        if result.is_large:
            job = start_job(
                kind="roadmaps.import_recommendations",
                params={"token": token, "filename": filename},
                requester=request.user,
            )
            return redirect(job.get_absolute_url())
        counts = apply_recommendations(result)
        drop_stash(request, token)
        messages.success(
            request,
            f"Import appliqué : {counts['created']} préconisation(s) créée(s), {counts['updated']} mise(s) à jour, "
            f"{counts['unchanged']} inchangée(s).",
        )
        return redirect(reverse("roadmaps:referential"))
