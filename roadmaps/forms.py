from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from accounts.models import User
from clefop.models import Body, BodyKind, Membership, Organisation
from offer.models import Dispositif
from srefop_portal.common.documents import DocumentFileField
from srefop_portal.common.imports import TabularFileField

from .models import (
    MAX_PRIORITIES,
    Action,
    ActionStatus,
    Ambition,
    AmbitionSheet,
    Assessment,
    Challenge,
    NafDivision,
    Recommendation,
    RomeCode,
    TargetPublic,
)


class RoadmapForm(DsfrBaseForm):
    title = forms.CharField(label="Intitulé", max_length=255)
    start_year = forms.IntegerField(label="Première année", min_value=2020, max_value=2040)
    end_year = forms.IntegerField(label="Dernière année", min_value=2020, max_value=2040)
    summary = forms.CharField(label="Présentation", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def clean(self):
        data = super().clean()
        if data.get("start_year") and data.get("end_year") and data["end_year"] < data["start_year"]:
            self.add_error("end_year", "La dernière année précède la première.")
        return data


class RoadmapEditForm(DsfrBaseForm):
    title = forms.CharField(label="Intitulé", max_length=255)
    summary = forms.CharField(label="Présentation", widget=forms.Textarea(attrs={"rows": 4}), required=False)


class TransitionForm(DsfrBaseForm):
    comment = forms.CharField(
        label="Commentaire", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, *args, needs_plenary=False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_plenary:
            self.fields["plenary_date"] = forms.DateField(
                label="Date de la plénière d'adoption",
                help_text="Format : jj/mm/aaaa",
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                initial=timezone.localdate,
            )


class PriorityForm(DsfrBaseForm):
    title = forms.CharField(label="Intitulé de la priorité", max_length=255)
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    order = forms.IntegerField(label="Ordre", min_value=1, max_value=MAX_PRIORITIES, required=False)
    challenges = forms.ModelMultipleChoiceField(
        label="Enjeux du Srefop", queryset=Challenge.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )
    sheets = forms.ModelMultipleChoiceField(
        label="Fiches-ambitions",
        queryset=AmbitionSheet.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, existing_count: int = 0, is_new: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if is_new:
            del self.fields["order"]
        self.is_new = is_new
        self.existing_count = existing_count

    def clean(self):
        data = super().clean()
        if self.is_new and self.existing_count >= MAX_PRIORITIES:
            raise forms.ValidationError(
                f"Une feuille de route compte au plus {MAX_PRIORITIES} priorités : celle-ci en a déjà "
                f"{self.existing_count}. Regroupez ou remplacez une priorité existante."
            )
        return data


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionForm(DsfrBaseForm):
    """The full fiche action. Carries the version read when the form was opened."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    priority = forms.ModelChoiceField(label="Priorité", queryset=None)
    title = forms.CharField(label="Intitulé", max_length=255)
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    objectives = forms.CharField(label="Objectifs", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    target_publics = forms.MultipleChoiceField(
        label="Publics cibles", choices=TargetPublic.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    naf_divisions = forms.ModelMultipleChoiceField(
        label="Secteurs (divisions NAF)",
        queryset=NafDivision.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    rome_codes = forms.CharField(
        label="Métiers (codes ROME)",
        required=False,
        help_text="Codes séparés par des virgules, par exemple F1603, H2913.",
    )
    recommendations = forms.ModelMultipleChoiceField(
        label="Préconisations du Srefop mises en œuvre",
        queryset=Recommendation.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    pilot_organisation = forms.ModelChoiceField(
        label="Structure pilote", queryset=Organisation.objects.all(), required=False
    )
    pilots = forms.ModelMultipleChoiceField(
        label="Pilotes", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    partners = forms.CharField(label="Partenaires", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    working_group = forms.ModelChoiceField(label="Groupe de travail", queryset=Body.objects.none(), required=False)
    dispositifs = forms.ModelMultipleChoiceField(
        label="Dispositifs mobilisés (offre de services)",
        queryset=Dispositif.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Les dispositifs disponibles sur le territoire du Clefop.",
    )
    start_date = forms.DateField(label="Début", required=False, widget=DATE_WIDGET, help_text="Format : jj/mm/aaaa")
    end_date = forms.DateField(label="Fin", required=False, widget=DATE_WIDGET, help_text="Format : jj/mm/aaaa")
    status = forms.ChoiceField(label="Statut", choices=ActionStatus.choices)
    progress = forms.IntegerField(label="Avancement (%)", min_value=0, max_value=100)
    restricted = forms.BooleanField(
        label="Diffusion restreinte aux membres du Clefop",
        required=False,
        help_text="L'action n'apparaît ni sur la page publique ni dans les données ouvertes.",
    )

    def __init__(self, *args, roadmap, **kwargs):
        super().__init__(*args, **kwargs)
        self.roadmap = roadmap
        self.fields["priority"].queryset = roadmap.priorities.all()
        self.fields["working_group"].queryset = Body.objects.filter(
            kind=BodyKind.WORKING_GROUP, parent_id=roadmap.body_id
        )
        member_ids = Membership.objects.active().filter(body_id=roadmap.body_id).values("user_id")
        self.fields["pilots"].queryset = User.objects.filter(pk__in=member_ids).order_by("last_name", "first_name")
        self.fields["pilots"].label_from_instance = lambda u: u.get_full_name() or u.email
        self.fields["recommendations"].queryset = Recommendation.objects.order_by("code")
        self.fields["recommendations"].label_from_instance = lambda r: f"{r.code} — {r.title[:90]}"
        territory = roadmap.body.territory
        dispositifs = Dispositif.objects.available_in(territory) if territory else Dispositif.objects.all()
        self.fields["dispositifs"].queryset = dispositifs.select_related("carrier").order_by("name")
        self.fields["dispositifs"].label_from_instance = lambda d: f"{d.name} ({d.carrier.name})"

    def clean_rome_codes(self):
        raw = [c.strip().upper() for c in self.cleaned_data["rome_codes"].replace(";", ",").split(",") if c.strip()]
        found = {r.code: r for r in RomeCode.objects.filter(code__in=raw)}
        unknown = [c for c in raw if c not in found]
        if unknown:
            raise forms.ValidationError("Code(s) ROME inconnu(s) : " + ", ".join(unknown))
        return list(found.values())

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "La date de fin précède la date de début.")
        return data

    @staticmethod
    def initial_for(action: Action) -> dict:
        return {
            "version": action.version,
            "priority": action.priority_id,
            "title": action.title,
            "description": action.description,
            "objectives": action.objectives,
            "target_publics": action.target_publics,
            "naf_divisions": list(action.naf_divisions.all()),
            "rome_codes": ", ".join(r.code for r in action.rome_codes.all()),
            "recommendations": list(action.recommendations.all()),
            "pilot_organisation": action.pilot_organisation_id,
            "pilots": list(action.pilots.all()),
            "partners": action.partners,
            "working_group": action.working_group_id,
            "dispositifs": list(action.dispositifs.all()),
            "start_date": action.start_date,
            "end_date": action.end_date,
            "status": action.status,
            "progress": action.progress,
            "restricted": action.restricted,
        }


class StatusForm(DsfrBaseForm):
    status = forms.ChoiceField(label="Statut", choices=ActionStatus.choices)
    progress = forms.IntegerField(label="Avancement (%)", min_value=0, max_value=100)
    comment = forms.CharField(label="Commentaire", required=False, max_length=2000)


class BudgetLineForm(DsfrBaseForm):
    year = forms.IntegerField(label="Année", min_value=2020, max_value=2040)
    planned = forms.DecimalField(label="Prévu (€)", min_value=0, max_digits=12, decimal_places=2, localize=True)
    spent = forms.DecimalField(
        label="Dépensé (€)", min_value=0, max_digits=12, decimal_places=2, localize=True, initial=0
    )
    funder = forms.CharField(label="Financeur", max_length=255, required=False)


class IndicatorForm(DsfrBaseForm):
    label = forms.CharField(label="Indicateur", max_length=255)
    unit = forms.CharField(label="Unité", max_length=50, required=False)
    target = forms.DecimalField(label="Cible", required=False, max_digits=12, decimal_places=2, localize=True)
    achieved = forms.DecimalField(label="Réalisé", required=False, max_digits=12, decimal_places=2, localize=True)


class SubActionForm(DsfrBaseForm):
    title = forms.CharField(label="Sous-action", max_length=255)


class DocumentForm(DsfrBaseForm):
    title = forms.CharField(label="Titre", max_length=255, required=False)
    file = DocumentFileField(label="Fichier")


class AnnualReviewForm(DsfrBaseForm):
    date = forms.DateField(label="Date du point d'étape", widget=DATE_WIDGET, help_text="Format : jj/mm/aaaa")
    attendance = forms.CharField(label="Participants", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    summary = forms.CharField(label="Synthèse", widget=forms.Textarea(attrs={"rows": 4}))
    decisions = forms.CharField(label="Décisions", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, priorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.priorities = list(priorities)
        for priority in self.priorities:
            self.fields[f"rating_{priority.pk}"] = forms.ChoiceField(
                label=f"Appréciation — priorité {priority.order} : {priority.title}", choices=Assessment.choices
            )
            self.fields[f"comment_{priority.pk}"] = forms.CharField(
                label=f"Commentaire — priorité {priority.order}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )


class RecommendationFileForm(DsfrBaseForm):
    file = TabularFileField(
        label="Fichier des préconisations",
        help_text="CSV (UTF-8 ou Windows-1252, séparateur « ; » ou « , ») ou XLSX, selon le modèle téléchargeable.",
        max_mb=10,
    )


class ChallengeForm(forms.ModelForm, DsfrBaseForm):
    class Meta:
        model = Challenge
        fields = ["code", "title", "description", "order"]


class AmbitionForm(forms.ModelForm, DsfrBaseForm):
    class Meta:
        model = Ambition
        fields = ["code", "title", "description", "order"]


class AmbitionSheetForm(forms.ModelForm, DsfrBaseForm):
    class Meta:
        model = AmbitionSheet
        fields = ["code", "ambition", "title", "description", "order"]
