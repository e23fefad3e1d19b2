"""Real administrative geography (COG 2026) and the 18 territoires EFOP."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Sum
from django.urls import reverse


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")
    chef_lieu = models.CharField("chef-lieu (code commune)", max_length=5, blank=True)

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def get_absolute_url(self):
        return reverse("territories:departement", args=[self.code])


class TerritoryQuerySet(models.QuerySet):
    def with_stats(self):
        """Population and number of EPCI, computed from the communes (one query)."""
        return self.annotate(
            population_total=Sum("communes__population"),
            commune_count=Count("communes", distinct=True),
            epci_count=Count("communes__epci", distinct=True),
        )

    def for_user(self, user):
        # Territories are public reference data.
        return self


class Territory(models.Model):
    """A territoire EFOP: a set of communes, with EPCI shown as groupings."""

    code = models.CharField("code", max_length=20, unique=True)
    name = models.CharField("nom", max_length=150)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="territories")
    description = models.TextField("présentation", blank=True)

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = "territoire EFOP"
        verbose_name_plural = "territoires EFOP"
        ordering = ["departement__code", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("territories:detail", args=[self.code])


class Epci(models.Model):
    siren = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature juridique", max_length=10, blank=True)
    financing = models.CharField("mode de financement", max_length=10, blank=True)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, unique=True)
    name = models.CharField("nom", max_length=200)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, null=True, blank=True, related_name="communes")
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, null=True, blank=True, related_name="communes")
    population = models.PositiveIntegerField("population municipale", default=0)
    postal_codes = models.JSONField("codes postaux", default=list, blank=True)

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        indexes = [models.Index(fields=["territory", "epci"])]

    def __str__(self):
        return f"{self.name} ({self.code})"


class CompositionStatus(models.Model):
    """Whether the territories' composition is the official one (singleton, pk=1)."""

    is_official = models.BooleanField("composition officielle", default=False)
    source = models.CharField("source", max_length=255, blank=True)
    updated_at = models.DateTimeField("mise à jour", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "statut de la composition"

    def __str__(self):
        return "Composition officielle" if self.is_official else "Composition indicative"

    @classmethod
    def current(cls) -> "CompositionStatus":
        obj, _ = cls.objects.get_or_create(pk=1, defaults={"source": "Composition indicative"})
        return obj


class CompositionChange(models.Model):
    """One commune moved from a territory to another: who, when, before/after."""

    class Kind(models.TextChoices):
        COMMUNE = "commune", "Commune déplacée"
        EPCI = "epci", "EPCI déplacé"
        IMPORT = "import", "Import de la composition officielle"
        INITIAL = "initial", "Composition initiale"

    batch = models.UUIDField("lot", db_index=True)
    kind = models.CharField("nature", max_length=10, choices=Kind.choices)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="composition_changes")
    epci = models.ForeignKey(Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    from_territory = models.ForeignKey(
        Territory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="avant"
    )
    to_territory = models.ForeignKey(
        Territory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="après"
    )
    reason = models.CharField("motif", max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField("date", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "changement de composition"
        ordering = ["-changed_at", "commune__name"]

    def __str__(self):
        return f"{self.commune} : {self.from_territory or '—'} → {self.to_territory or '—'}"
