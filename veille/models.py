"""The daily news watch: sources (feeds or manual), news items tagged to territories and themes, subscriptions."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from srefop_portal.common.second_factor import has_staff_powers
from territories.models import Territory

from .search import apply_filters, update_search_vectors


class Theme(models.Model):
    """A theme (emploi, formation...), recognised by keyword rules that staff can edit."""

    name = models.CharField("nom", max_length=100, unique=True)
    slug = models.SlugField("identifiant", max_length=60, unique=True)
    keywords = models.TextField(
        "mots-clés",
        blank=True,
        help_text="Un mot ou une expression par ligne ; « * » final pour toutes les terminaisons (ex. : apprenti*).",
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "thème"
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


class SourceQuerySet(models.QuerySet):
    def for_user(self, user):
        return self


class Source(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", "Flux RSS ou Atom"
        MANUAL = "manual", "Saisie manuelle"

    class FetchStatus(models.TextChoices):
        NEVER = "", "Jamais collectée"
        OK = "ok", "Collecte réussie"
        NOT_MODIFIED = "not_modified", "Flux inchangé"
        WARNING = "warning", "Collecte avec avertissement"
        ERROR = "error", "Échec"

    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=10, choices=Kind.choices, default=Kind.FEED)
    feed_url = models.URLField("adresse du flux", max_length=1000, blank=True)
    website_url = models.URLField("site", max_length=1000, blank=True)
    is_active = models.BooleanField("active", default=True)
    is_demo = models.BooleanField("démonstration", default=False)
    default_themes = models.ManyToManyField(Theme, blank=True, related_name="+", verbose_name="thèmes par défaut")
    default_territories = models.ManyToManyField(
        Territory, blank=True, related_name="+", verbose_name="territoires par défaut"
    )
    last_fetch_at = models.DateTimeField("dernière collecte", null=True, blank=True)
    last_success_at = models.DateTimeField("dernière collecte réussie", null=True, blank=True)
    last_fetch_status = models.CharField(
        "résultat", max_length=20, choices=FetchStatus.choices, default=FetchStatus.NEVER, blank=True
    )
    last_fetch_message = models.TextField("message", blank=True)
    last_fetch_new_items = models.PositiveIntegerField("articles ajoutés", default=0)
    etag = models.CharField("ETag", max_length=500, blank=True)
    last_modified = models.CharField("Last-Modified", max_length=100, blank=True)
    consecutive_failures = models.PositiveSmallIntegerField("échecs consécutifs", default=0)
    disabled_reason = models.CharField("motif de désactivation", max_length=500, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        verbose_name = "source"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("veille_staff:source_update", args=[self.pk])

    @property
    def is_feed(self) -> bool:
        return self.kind == self.Kind.FEED


# Near-duplicate titles are compared when their first TITLE_BLOCK normalised characters agree (see services.py).
TITLE_BLOCK = 20


class NewsItemQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=NewsItem.Status.PUBLISHED)

    def for_user(self, user):
        if user is not None and has_staff_powers(user):
            return self
        return self.published()

    def in_territory(self, territory):
        """Items tagged with this territory (on PostgreSQL through the GIN-indexed vector, see search.py)."""
        return apply_filters(self, territory=territory)

    def filtered(self, *, text: str = "", territory=None, theme=None):
        """Full-text words, territory and theme: one index lookup on PostgreSQL (see search.py)."""
        return apply_filters(self, text=text, territory=territory, theme=theme)


class NewsItem(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "Publiée"
        HIDDEN = "hidden", "Masquée"
        DRAFT = "draft", "Brouillon"

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="items", verbose_name="source")
    title = models.CharField("titre", max_length=500)
    title_key = models.CharField("titre normalisé", max_length=500, editable=False)
    summary = models.TextField("résumé", blank=True)
    link = models.URLField("lien", max_length=1000, blank=True)
    canonical_url = models.CharField("adresse canonique", max_length=1000, unique=True, null=True, blank=True)
    published_at = models.DateTimeField("date de publication", default=timezone.now, db_index=True)
    created_at = models.DateTimeField("collecté le", auto_now_add=True)
    listed_at = models.DateTimeField("publié sur le portail le", null=True, blank=True, db_index=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    featured = models.BooleanField("à la une", default=False)
    is_demo = models.BooleanField("démonstration", default=False)
    territories = models.ManyToManyField(
        Territory, through="TerritoryTag", related_name="news_items", verbose_name="territoires", blank=True
    )
    excluded_territories = models.ManyToManyField(
        Territory, related_name="+", blank=True, verbose_name="territoires retirés par l’équipe"
    )
    themes = models.ManyToManyField(Theme, related_name="items", blank=True, verbose_name="thèmes")
    tagged_at = models.DateTimeField("étiqueté le", null=True, blank=True)
    # PostgreSQL only: French text lexemes + one lexeme per territory tag and theme, kept up to date by every write
    # of the text or the tags (see search.py); GIN index created by migration 0002 on PostgreSQL. NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    # PostgreSQL only: the territory and theme lexemes alone (a few bytes), carried by the list's order index and
    # GIN-indexed (migration 0006): filters without words read the index only. Kept with search_vector.
    filter_lexemes = SearchVectorField(null=True, editable=False)

    objects = NewsItemQuerySet.as_manager()

    class Meta:
        verbose_name = "article"
        ordering = ["-featured", "-published_at", "-pk"]
        indexes = [
            # The public list's order (featured first, newest first), published items only: the first page and the
            # capped count read the index in order and stop early.
            # On PostgreSQL it also carries (INCLUDE) the filter lexemes and the source, migration 0006: a deep page
            # of a territory, a theme or a source is counted off in the index alone.
            models.Index(
                fields=["-featured", "-published_at", "-id"],
                name="veille_item_published_order",
                condition=models.Q(status="published"),
            ),
            # RSS feeds and digests (newest first, no featured first).
            models.Index(
                fields=["-published_at", "-id"],
                name="veille_item_published_date",
                condition=models.Q(status="published"),
            ),
            # Ingestion: the known titles starting like the new ones, on the same days (near-duplicate check).
            models.Index(Substr("title_key", 1, TITLE_BLOCK), "published_at", name="veille_item_title_block"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("veille:detail", args=[self.pk])

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"title", "summary"} & set(update_fields):
            update_search_vectors(NewsItem.objects.filter(pk=self.pk))


class TerritoryTag(models.Model):
    """A news item is about a territory: the terms found, a confidence, and whether staff set it by hand."""

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="territory_tags")
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="news_tags")
    matched_terms = models.JSONField("termes reconnus", default=list, blank=True)
    confidence = models.FloatField("confiance", default=1.0)
    is_manual = models.BooleanField("ajouté par l’équipe", default=False)

    class Meta:
        verbose_name = "étiquette territoriale"
        constraints = [models.UniqueConstraint(fields=["item", "territory"], name="veille_tag_unique")]
        indexes = [models.Index(fields=["territory", "item"], name="veille_tag_territory")]

    def __str__(self):
        return f"{self.item_id} → {self.territory_id} ({self.confidence:.2f})"

    @property
    def confidence_percent(self) -> float:
        return self.confidence * 100


class Subscription(models.Model):
    class Frequency(models.TextChoices):
        DAILY = "daily", "Quotidienne"
        WEEKLY = "weekly", "Hebdomadaire"
        NONE = "none", "Aucune (abonnement suspendu)"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="veille_subscription")
    territories = models.ManyToManyField(Territory, blank=True, related_name="+", verbose_name="territoires")
    themes = models.ManyToManyField(Theme, blank=True, related_name="+", verbose_name="thèmes")
    frequency = models.CharField("fréquence", max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_sent_at = models.DateTimeField("dernier envoi", null=True, blank=True)

    class Meta:
        verbose_name = "abonnement à la veille"

    def __str__(self):
        return f"{self.user} ({self.get_frequency_display()})"


class TagCorrectionQuerySet(models.QuerySet):
    def for_user(self, user):
        if user is not None and user.is_authenticated and (user.is_cariforef_staff or user.is_superuser):
            return self
        return self.none()

    def applicable_to(self, source_id):
        return self.filter(models.Q(source__isnull=True) | models.Q(source_id=source_id))


class TagCorrection(models.Model):
    """A staff correction the tagging learns from: a term that must no longer (or must always) tag a territory,
    for one source or for all. Applied at ingestion and at every re-tagging (see tagging.py)."""

    class Kind(models.TextChoices):
        EXCLUDE = "exclude", "Ne plus étiqueter"
        INCLUDE = "include", "Toujours étiqueter"

    term = models.CharField(
        "terme",
        max_length=200,
        help_text="Tel qu’écrit dans les articles (ex. : « Laval », « Pays yonnais ») ; accents et majuscules ignorés.",
    )
    term_key = models.CharField("terme normalisé", max_length=200, editable=False)
    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="+", verbose_name="territoire")
    source = models.ForeignKey(
        Source,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tag_corrections",
        verbose_name="source",
        help_text="Vide : toutes les sources.",
    )
    kind = models.CharField("correction", max_length=10, choices=Kind.choices, default=Kind.EXCLUDE)
    note = models.CharField("motif", max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="par"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = TagCorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = "correction d’étiquetage"
        verbose_name_plural = "corrections d’étiquetage"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["term_key", "territory", "source"],
                name="veille_correction_unique_source",
                condition=models.Q(source__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["term_key", "territory"],
                name="veille_correction_unique_all",
                condition=models.Q(source__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} « {self.term} » → {self.territory_id}"
