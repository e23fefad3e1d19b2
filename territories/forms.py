from django import forms
from dsfr.forms import DsfrBaseForm

from srefop_portal.common.imports import TabularFileField

from .models import Commune, Epci, Territory


class MoveEpciForm(DsfrBaseForm):
    epci = forms.ModelChoiceField(label="EPCI à déplacer", queryset=Epci.objects.all())
    territory = forms.ModelChoiceField(label="Territoire de destination", queryset=Territory.objects.all())
    reason = forms.CharField(label="Motif", required=False, max_length=500)


class MoveCommuneForm(DsfrBaseForm):
    commune = forms.ModelChoiceField(
        label="Commune à déplacer", queryset=Commune.objects.select_related("departement").order_by("name")
    )
    territory = forms.ModelChoiceField(label="Territoire de destination", queryset=Territory.objects.all())
    reason = forms.CharField(label="Motif", required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].label_from_instance = lambda c: f"{c.name} ({c.code})"


class CompositionFileForm(DsfrBaseForm):
    file = TabularFileField(
        label="Fichier « Territoires EFOP par communes »",
        help_text="CSV (UTF-8 ou Windows-1252, séparateur « ; » ou « , ») ou XLSX, "
        "avec les colonnes code_commune, code_territoire et nom_territoire.",
        max_mb=5,
    )
