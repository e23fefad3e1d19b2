from django import forms
from dsfr.forms import DsfrBaseForm

from srefop_portal.common.imports import TabularFileField

from .models import ImportBatch, Indicator, Level


class ImportForm(DsfrBaseForm):
    file = TabularFileField(
        label="Fichier de valeurs",
        help_text="CSV (UTF-8 ou Windows-1252, séparateur « ; » ou « , », virgule décimale acceptée) ou XLSX.",
        max_mb=50,
    )
    format = forms.ChoiceField(label="Disposition du fichier", choices=ImportBatch.Format.choices)
    level = forms.ChoiceField(
        label="Niveau géographique (format large sans colonne « niveau »)",
        choices=[("", "— lu dans le fichier —"), *Level.choices],
        required=False,
    )
    period = forms.CharField(
        label="Période (format large par indicateur sans colonne « periode »)",
        help_text="AAAA ou AAAA-MM.",
        required=False,
        max_length=10,
    )
    indicator = forms.ModelChoiceField(
        label="Indicateur (format large par période)",
        queryset=Indicator.objects.order_by("label"),
        to_field_name="code",
        required=False,
    )
    geo_column = forms.CharField(
        label="Colonne du code géographique",
        help_text="Par défaut : code_geo, codgeo, code_insee…",
        required=False,
        max_length=60,
    )
    columns = forms.CharField(
        label="Correspondance des colonnes (format large par indicateur, facultatif)",
        help_text="Une ligne par colonne : « nom de colonne = code de l’indicateur », ou « = - » pour l’ignorer.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def options(self) -> dict:
        data = self.cleaned_data
        return {
            "level": data.get("level") or "",
            "period": (data.get("period") or "").strip(),
            "indicator": data["indicator"].code if data.get("indicator") else "",
            "geo_column": (data.get("geo_column") or "").strip(),
            "columns": data.get("columns") or "",
        }


class IndicatorForm(DsfrBaseForm, forms.ModelForm):
    source_url = forms.URLField(label="Lien vers la source", required=False, assume_scheme="https")

    class Meta:
        model = Indicator
        fields = [
            "code",
            "label",
            "short_label",
            "theme",
            "unit",
            "decimals",
            "source_producer",
            "source_dataset",
            "source_licence",
            "source_vintage",
            "source_url",
            "method",
            "rule",
            "numerator",
            "denominator",
            "factor",
            "weight",
            "is_public",
            "is_demo",
            "is_key",
            "chart",
            "chart_group",
            "order",
        ]
        widgets = {"method": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        rule = data.get("rule")
        if rule == "ratio" and not (data.get("numerator") and data.get("denominator")):
            self.add_error("numerator", "Un rapport demande un numérateur et un dénominateur.")
        if rule == "weighted_mean" and not data.get("weight"):
            self.add_error("weight", "Une moyenne pondérée demande un indicateur de pondération.")
        for name in ("numerator", "denominator", "weight"):
            if self.instance.pk and data.get(name) and data[name].pk == self.instance.pk:
                self.add_error(name, "Un indicateur ne peut pas être calculé à partir de lui-même.")
        return data


class CompareForm(forms.Form):
    indicateur = forms.ChoiceField(label="Indicateur", required=False)
