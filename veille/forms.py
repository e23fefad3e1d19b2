import datetime as dt

from django import forms
from dsfr.forms import DsfrBaseForm

from srefop_portal.common import outbound
from territories.models import Territory

from .listing import territory_choices
from .models import NewsItem, Source, Subscription, TagCorrection, Theme
from .services import CORRECTION_SCOPES


class FilterForm(DsfrBaseForm):
    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    # A territory code, read from the cached list of territories (no query); cleaned to the territory's pk.
    territoire = forms.ChoiceField(label="Territoire", required=False)
    theme = forms.ModelChoiceField(
        label="Thème", required=False, queryset=Theme.objects.all(), to_field_name="slug", empty_label="Tous les thèmes"
    )
    source = forms.ModelChoiceField(
        label="Source", required=False, queryset=Source.objects.all(), empty_label="Toutes les sources"
    )
    du = forms.DateField(label="Publié depuis le", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Publié jusqu’au", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, territory=None, territories=None, **kwargs):
        """``territory``: the territory of the page (no territory filter then); ``territories``:
        ``listing.territory_choices()`` if the caller has it already."""
        super().__init__(*args, **kwargs)
        if territory is not None:
            del self.fields["territoire"]
        else:
            codes = {code: pk for pk, code, _name, _url, _rank in territories or territory_choices()}
            self.territory_pks = codes
            self.fields["territoire"].choices = [("", "Toute la région"), *((code, code) for code in codes)]
        for name in ("territoire", "theme", "source"):
            if name in self.fields:
                self.fields[name].error_messages["invalid_choice"] = "Ce choix n’existe pas : le filtre est ignoré."
        for name in ("du", "au"):
            self.fields[name].error_messages["invalid"] = "Date invalide (jj/mm/aaaa) : le filtre est ignoré."

    def clean_territoire(self):
        code = self.cleaned_data.get("territoire")
        return self.territory_pks.get(code) if code else None

    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end and start > end:
            self.add_error("au", "La date de fin précède la date de début : le filtre est ignoré.")
            data.pop("au", None)
        return data

    def values(self) -> dict:
        """The valid filters (an invalid one is ignored, with its message shown)."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "")}


class SourceForm(DsfrBaseForm, forms.ModelForm):
    feed_url = forms.URLField(
        label="Adresse du flux",
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text="RSS ou Atom, commençant par https:// ou http:// (vide pour une saisie manuelle).",
    )
    website_url = forms.URLField(label="Site", required=False, max_length=1000, assume_scheme="https")

    def clean_feed_url(self):
        url = self.cleaned_data.get("feed_url") or ""
        if url:
            try:
                outbound.check_url(url)
            except outbound.UnknownHost:
                pass  # not resolvable now: accepted, the collection will say so on the source
            except outbound.FetchRefused as exc:
                raise forms.ValidationError(str(exc)) from exc
        return url

    class Meta:
        model = Source
        fields = ["name", "kind", "feed_url", "website_url", "is_active", "default_territories", "default_themes"]
        widgets = {
            "default_territories": forms.CheckboxSelectMultiple,
            "default_themes": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "default_territories": "Ajoutés à chaque article de la source (ex. : le site d’une mission locale).",
            "is_active": "Une source inactive n’est plus collectée.",
        }


class ItemForm(DsfrBaseForm, forms.ModelForm):
    link = forms.URLField(label="Lien vers l’article", required=False, max_length=1000, assume_scheme="https")
    territories_field = forms.ModelMultipleChoiceField(
        label="Territoires",
        required=False,
        queryset=Territory.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Les territoires retirés ne seront plus ajoutés automatiquement ; ceux cochés sont conservés.",
    )

    class Meta:
        model = NewsItem
        fields = ["source", "title", "summary", "link", "published_at", "status", "featured", "themes"]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "published_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "summary": forms.Textarea(attrs={"rows": 5}),
        }

    correction_scope = forms.ChoiceField(
        label="Un territoire retiré vaut pour",
        choices=list(CORRECTION_SCOPES.items()),
        initial="source",
        required=False,  # not sent: this item only
        widget=forms.RadioSelect,
        help_text=(
            "Au-delà de cet article, les termes qui avaient fait reconnaître le territoire retiré ne l’ajoutent plus "
            "(liste des corrections d’étiquetage, modifiable)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_at"].input_formats = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y"]
        if self.instance.pk:
            self.fields["territories_field"].initial = list(self.instance.territories.all())
        else:
            del self.fields["correction_scope"]
            self.fields["territories_field"].help_text = (
                "Les territoires sont reconnus automatiquement dans le titre et le résumé ; "
                "cochez-en d’autres au besoin."
            )
            self.fields["published_at"].initial = dt.datetime.now().strftime("%Y-%m-%dT%H:%M")


class TagCorrectionForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = TagCorrection
        fields = ["term", "territory", "kind", "source", "note"]
        widgets = {"kind": forms.RadioSelect}
        labels = {"source": "Source concernée"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].empty_label = "Toutes les sources"
        self.fields["territory"].empty_label = "Choisir un territoire"


class ThemeForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["name", "slug", "keywords", "position"]
        widgets = {"keywords": forms.Textarea(attrs={"rows": 10})}


class SubscriptionForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["frequency", "territories", "themes"]
        widgets = {
            "frequency": forms.RadioSelect,
            "territories": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "territories": "Aucun coché : toute la région.",
            "themes": "Aucun coché : tous les thèmes.",
        }
