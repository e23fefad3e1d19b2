from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from srefop_portal.common.collation import french
from srefop_portal.common.documents import DocumentFileField
from srefop_portal.common.imports import TabularFileField
from territories.models import Departement, Territory

from .models import Attendance, Body, MeetingKind, MeetingMode, Organisation, OrganisationKind, Position


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class InvitationForm(DsfrBaseForm):
    email = forms.EmailField(label="Adresse électronique")
    first_name = forms.CharField(label="Prénom", required=False, max_length=150)
    last_name = forms.CharField(label="Nom", required=False, max_length=150)
    position = forms.ChoiceField(label="Fonction", choices=Position.choices, initial=Position.MEMBER)
    organisation = forms.ModelChoiceField(
        label="Structure représentée", queryset=Organisation.objects.order_by(french("name")), required=False
    )
    role_label = forms.CharField(
        label="Qualité", required=False, max_length=200, help_text="Par exemple : sous-préfet, directrice."
    )


class AcceptInvitationForm(DsfrBaseForm):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, pas uniquement des chiffres.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str = "", **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif p1:
            from accounts.models import User

            candidate = User(
                email=self.email, first_name=data.get("first_name", ""), last_name=data.get("last_name", "")
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class WorkingGroupForm(DsfrBaseForm):
    name = forms.CharField(label="Nom du groupe de travail", max_length=200)
    description = forms.CharField(label="Objet", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(DsfrBaseForm):
    title = forms.CharField(label="Titre", max_length=255)
    kind = forms.ChoiceField(label="Type de réunion", choices=MeetingKind.choices)
    mode = forms.ChoiceField(label="Modalité", choices=MeetingMode.choices)
    place = forms.CharField(label="Lieu", required=False, max_length=255)
    video_url = forms.URLField(label="Lien de visioconférence", required=False, assume_scheme="https")
    start = forms.DateTimeField(label="Début", widget=DateTimeInput())
    end = forms.DateTimeField(label="Fin", widget=DateTimeInput())
    agenda = forms.CharField(
        label="Ordre du jour",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Un point par ligne, dans l’ordre.",
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "La fin doit être postérieure au début.")
        return data


class MinutesForm(DsfrBaseForm):
    minutes_text = forms.CharField(label="Compte rendu", required=False, widget=forms.Textarea(attrs={"rows": 10}))
    file = DocumentFileField(label="Compte rendu en document", required=False)


class DocumentForm(DsfrBaseForm):
    title = forms.CharField(label="Titre", max_length=255, required=False, help_text="Par défaut : le nom du fichier.")
    file = DocumentFileField(label="Fichier", help_extra="Le type est vérifié d’après le contenu.")
    meeting = forms.ModelChoiceField(label="Réunion", queryset=None, required=False)

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = body.meetings.order_by("-start")
        self.fields["meeting"].label_from_instance = lambda m: f"{m.title} ({timezone.localtime(m.start):%d/%m/%Y})"


class VersionForm(DsfrBaseForm):
    file = DocumentFileField(label="Nouvelle version", help_extra="Les versions précédentes restent disponibles.")


class AttendanceForm(DsfrBaseForm):
    """One select per participant, named ``user_<id>``."""

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        for user, status in participants:
            self.fields[f"user_{user.pk}"] = forms.ChoiceField(
                label=str(user), choices=Attendance.choices, initial=status
            )

    def statuses(self) -> dict[int, str]:
        return {int(name.removeprefix("user_")): value for name, value in self.cleaned_data.items()}


class DirectoryFilterForm(DsfrBaseForm):
    territoire = forms.ModelChoiceField(
        label="Territoire", queryset=Territory.objects.order_by(french("name")), required=False, to_field_name="code"
    )
    instance = forms.ModelChoiceField(
        label="Instance",
        queryset=Body.objects.standing().order_by("kind", "name"),
        required=False,
        to_field_name="slug",
    )
    type_structure = forms.ChoiceField(
        label="Type de structure", choices=[("", "Tous")] + OrganisationKind.choices, required=False
    )
    fonction = forms.ChoiceField(label="Fonction", choices=[("", "Toutes")] + Position.choices, required=False)
    q = forms.CharField(label="Nom, adresse ou structure", required=False, max_length=100)
    anciens = forms.BooleanField(label="Inclure les appartenances terminées", required=False)


class ImportFileForm(DsfrBaseForm):
    file = TabularFileField(
        label="Fichier des membres",
        help_text="CSV (UTF-8 ou Windows-1252, « ; » ou « , ») ou XLSX, avec les colonnes email, prenom, nom, "
        "instance, fonction, structure, type_structure, departement, qualite.",
        max_mb=5,
    )


class OrganisationForm(DsfrBaseForm, forms.ModelForm):
    departement = forms.ModelChoiceField(
        label="Département", queryset=Departement.objects.order_by("code"), required=False
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "siren", "departement"]

    def clean_siren(self):
        siren = self.cleaned_data["siren"].replace(" ", "")
        if siren and (len(siren) != 9 or not siren.isdigit()):
            raise forms.ValidationError("Le SIREN compte 9 chiffres.")
        return siren
