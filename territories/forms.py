from django import forms
from dsfr.forms import DsfrBaseForm

from .models import Commune, Epci, Territory


class MoveEpciForm(DsfrBaseForm):
    epci = forms.ModelChoiceField(label="EPCI à déplacer", queryset=Epci.objects.all())
    territory = forms.ModelChoiceField(label="Territoire de destination", queryset=Territory.objects.all())
    reason = forms.CharField(label="Motif (facultatif)", required=False, max_length=500)


class MoveCommuneForm(DsfrBaseForm):
    commune = forms.ModelChoiceField(
        label="Commune à déplacer", queryset=Commune.objects.select_related("departement").order_by("name")
    )
    territory = forms.ModelChoiceField(label="Territoire de destination", queryset=Territory.objects.all())
    reason = forms.CharField(label="Motif (facultatif)", required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].label_from_instance = lambda c: f"{c.name} ({c.code})"


class CompositionFileForm(DsfrBaseForm):
    file = forms.FileField(
        label="Fichier « Territoires EFOP par communes »",
        help_text="CSV (UTF-8 ou Windows-1252, séparateur « ; » ou « , ») ou XLSX, "
        "avec les colonnes code_commune, code_territoire et nom_territoire.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError("Le fichier dépasse 5 Mo.")
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError("Formats acceptés : CSV ou XLSX.")
        return upload
