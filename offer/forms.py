"""Forms of the offre de services (catalogue filters, dispositif, session, support requests)."""

from django import forms
from django.db.models import Q
from dsfr.forms import DsfrBaseForm

from clefop.forms import DateTimeInput
from clefop.models import Body, Organisation, OrganisationKind, perimeter_of
from srefop_portal.common.documents import DocumentFileField
from srefop_portal.common.imports import TabularFileField
from territories.models import Territory

from .models import (
    Dispositif,
    DispositifLevel,
    Public,
    SessionKind,
    SupportKind,
    SupportStatus,
    Theme,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CatalogueFilterForm(DsfrBaseForm):
    q = forms.CharField(label="Rechercher", required=False, max_length=100)
    territoire = forms.ModelChoiceField(
        label="Territoire", queryset=Territory.objects.order_by("name"), required=False, to_field_name="code"
    )
    public = forms.ChoiceField(label="Public", choices=[("", "Tous les publics"), *Public.choices], required=False)
    thematique = forms.ChoiceField(
        label="Thématique", choices=[("", "Toutes les thématiques"), *Theme.choices], required=False
    )
    type_structure = forms.ChoiceField(
        label="Type de structure porteuse",
        choices=[("", "Tous les types"), *OrganisationKind.choices],
        required=False,
    )
    structure = forms.ModelChoiceField(
        label="Structure porteuse",
        queryset=Organisation.objects.filter(dispositifs__isnull=False).distinct().order_by("name"),
        required=False,
    )
    echelon = forms.ChoiceField(
        label="Échelon", choices=[("", "Tous les échelons"), *DispositifLevel.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territoire"].empty_label = "Tous les territoires"
        self.fields["structure"].empty_label = "Toutes les structures"


class DispositifForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Dispositif
        fields = [
            "name",
            "carrier",
            "level",
            "territories",
            "publics",
            "themes",
            "description",
            "eligibility",
            "how_to",
            "contact",
            "url",
            "valid_from",
            "valid_until",
        ]
        widgets = {
            "territories": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 5}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
            "how_to": forms.Textarea(attrs={"rows": 3}),
            "valid_from": DATE_WIDGET,
            "valid_until": DATE_WIDGET,
        }

    publics = forms.MultipleChoiceField(
        label="Publics cibles", choices=Public.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    themes = forms.MultipleChoiceField(
        label="Thématiques", choices=Theme.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    url = forms.URLField(label="Lien", max_length=500, required=False, assume_scheme="https")

    def __init__(self, *args, carriers=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = Organisation.objects.order_by("name")
        if carriers is not None:
            queryset = queryset.filter(pk__in=carriers)
        self.fields["carrier"].queryset = queryset
        self.fields["territories"].queryset = Territory.objects.order_by("name")
        self.fields["territories"].help_text = "Aucun territoire coché : disponible sur toute la région."
        for name in ("valid_from", "valid_until"):
            self.fields[name].help_text = "Format : jj/mm/aaaa"

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", "La fin de validité doit être postérieure à son début.")
        return data


class ImportFileForm(DsfrBaseForm):
    file = TabularFileField(
        label="Fichier CSV ou XLSX",
        help_text="Encodage UTF-8 ou Windows-1252 ; « ; » ou « , ».",
        max_mb=5,
    )


class SessionForm(DsfrBaseForm):
    title = forms.CharField(label="Titre", max_length=255)
    kind = forms.ChoiceField(label="Format", choices=SessionKind.choices)
    territory = forms.ModelChoiceField(
        label="Territoire", queryset=Territory.objects.order_by("name"), required=False, help_text="Vide : régionale."
    )
    start = forms.DateTimeField(label="Début", widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"])
    end = forms.DateTimeField(label="Fin", widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"])
    place = forms.CharField(label="Lieu", max_length=255, required=False)
    video_url = forms.URLField(label="Lien de visioconférence", required=False, assume_scheme="https")
    capacity = forms.IntegerField(label="Nombre de places", min_value=1, max_value=2000)
    audience = forms.CharField(label="Public visé", max_length=500, required=False)
    programme = forms.CharField(label="Programme", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    speakers = forms.CharField(label="Intervenant·es", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].empty_label = "Session régionale"


class AttendanceForm(DsfrBaseForm):
    """Built from the registrations: one field per registered person."""

    CHOICES = [("", "Non renseigné"), ("1", "Présent·e"), ("0", "Absent·e")]

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.registrations = registrations
        for registration in registrations:
            value = "" if registration.attended is None else ("1" if registration.attended else "0")
            self.fields[f"r{registration.pk}"] = forms.ChoiceField(
                label=registration.user.get_full_name() or registration.user.email,
                choices=self.CHOICES,
                required=False,
                initial=value,
            )

    def attended(self) -> dict[int, bool | None]:
        values = {"": None, "1": True, "0": False}
        return {r.pk: values[self.cleaned_data.get(f"r{r.pk}", "")] for r in self.registrations}


class SessionDocumentForm(DsfrBaseForm):
    title = forms.CharField(label="Titre", max_length=255, required=False)
    file = DocumentFileField(label="Fichier")


class SupportRequestForm(DsfrBaseForm):
    kind = forms.ChoiceField(label="Type d'appui", choices=SupportKind.choices)
    need = forms.CharField(
        label="Votre besoin",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Contexte, objectif, personnes concernées.",
    )
    wished_date = forms.DateField(label="Date souhaitée", required=False, widget=DATE_WIDGET)


class SupportUpdateForm(DsfrBaseForm):
    status = forms.ChoiceField(label="Statut", choices=SupportStatus.choices)
    assignee = forms.ModelChoiceField(label="Confier à", queryset=None, required=False)
    message = forms.CharField(
        label="Message à la personne",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text="Obligatoire pour un refus.",
    )

    def __init__(self, *args, **kwargs):
        from accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            Q(is_cariforef_staff=True) | Q(is_superuser=True), is_active=True
        ).order_by("last_name", "first_name")
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.email
        self.fields["assignee"].empty_label = "Personne"


def animated_bodies(user):
    """Bodies a person may ask support for (those they animate; staff: all standing bodies)."""
    perimeter = perimeter_of(user)
    if perimeter.is_staff:
        return Body.objects.all()
    return Body.objects.filter(pk__in=[pk for pk, pos in perimeter.positions.items() if pos == "animateur"])
