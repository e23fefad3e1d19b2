"""Repères territoriaux: indicators, their values at every geographic level, import batches and built sheets."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db import models
from django.urls import reverse

from clefop.models import perimeter_of


class Theme(models.TextChoices):
    DEMOGRAPHIE = "demographie", "Démographie"
    EMPLOI = "emploi", "Emploi"
    DEMANDEURS = "demandeurs", "Demandeurs d’emploi"
    MARCHE = "marche", "Marché du travail"
    FORMATION = "formation", "Formation"
    ECONOMIE = "economie", "Économie"


class Rule(models.TextChoices):
    SUM = "sum", "Somme des communes"
    RATIO = "ratio", "Rapport de deux indicateurs sommés"
    WEIGHTED_MEAN = "weighted_mean", "Moyenne pondérée par un autre indicateur"
    NONE = "none", "Non agrégeable"


class Level(models.TextChoices):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "EPCI"
    TERRITORY = "territoire", "Territoire EFOP"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"


UPPER_LEVELS = (Level.EPCI, Level.TERRITORY, Level.DEPARTEMENT, Level.REGION)


class ChartKind(models.TextChoices):
    NONE = "", "Aucun"
    EVOLUTION = "evolution", "Évolution dans le temps"
    BREAKDOWN = "breakdown", "Répartition (barres horizontales, dernière période)"
    PYRAMID_MEN = "pyramid_men", "Pyramide des âges — hommes"
    PYRAMID_WOMEN = "pyramid_women", "Pyramide des âges — femmes"


def can_see_members_indicators(user) -> bool:
    """Members-only indicators: signed-in users holding any membership, or staff."""
    if not user or not user.is_authenticated:
        return False
    perimeter = perimeter_of(user)
    return bool(perimeter.is_staff or perimeter.positions)


class IndicatorQuerySet(models.QuerySet):
    def for_user(self, user):
        if can_see_members_indicators(user):
            return self
        return self.filter(is_public=True)

    def for_audience(self, audience: str):
        return self if audience == Sheet.Audience.MEMBERS else self.filter(is_public=True)


class Indicator(models.Model):
    code = models.SlugField("code", max_length=60, unique=True)
    label = models.CharField("libellé", max_length=200)
    short_label = models.CharField("libellé court (graphiques)", max_length=60, blank=True)
    theme = models.CharField("thème", max_length=20, choices=Theme.choices)
    unit = models.CharField("unité", max_length=40, blank=True, help_text="Par exemple « personnes », « % », « € ».")
    decimals = models.PositiveSmallIntegerField("décimales affichées", default=0)
    source_producer = models.CharField("producteur", max_length=150, blank=True)
    source_dataset = models.CharField("jeu de données", max_length=250, blank=True)
    source_licence = models.CharField("licence", max_length=150, blank=True)
    source_vintage = models.CharField("millésime", max_length=150, blank=True)
    source_url = models.URLField("lien vers la source", blank=True)
    method = models.TextField("méthode", blank=True)
    rule = models.CharField("règle d’agrégation", max_length=20, choices=Rule.choices, default=Rule.SUM)
    numerator = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="numérateur"
    )
    denominator = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="dénominateur"
    )
    factor = models.DecimalField("facteur", max_digits=12, decimal_places=4, default=1, help_text="100 pour un %.")
    weight = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="pondération"
    )
    is_public = models.BooleanField("public", default=True, help_text="Sinon réservé aux membres des instances.")
    is_demo = models.BooleanField("données de démonstration", default=False)
    is_key = models.BooleanField("chiffre clé", default=False)
    chart = models.CharField("graphique", max_length=20, choices=ChartKind.choices, blank=True)
    chart_group = models.CharField("groupe de graphique", max_length=100, blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=100)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateur"
        ordering = ["order", "label"]

    def __str__(self):
        return self.label

    @property
    def display_short_label(self) -> str:
        return self.short_label or self.label

    def computed_levels(self) -> tuple[str, ...]:
        """Levels whose values this indicator's rule computes (an import there is refused)."""
        if self.rule == Rule.RATIO:
            return tuple(Level.values)
        return ()

    def components(self) -> list[int]:
        return [pk for pk in (self.numerator_id, self.denominator_id, self.weight_id) if pk]


class ImportBatch(models.Model):
    class Format(models.TextChoices):
        LONG = "long", "Format long (une valeur par ligne)"
        WIDE_INDICATORS = "wide_indicators", "Format large : une colonne par indicateur"
        WIDE_PERIODS = "wide_periods", "Format large : une colonne par période"

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        APPLIED = "applied", "Appliqué"
        FAILED = "failed", "Échoué"
        ROLLED_BACK = "rolled_back", "Annulé"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)
    filename = models.CharField("fichier", max_length=255)
    file = models.FileField("fichier déposé", upload_to="reperes/imports/", blank=True, max_length=300)
    format = models.CharField("format", max_length=20, choices=Format.choices, default=Format.LONG)
    options = models.JSONField("correspondances", default=dict, blank=True)
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.PENDING)
    message = models.CharField("message", max_length=500, blank=True)
    row_count = models.PositiveIntegerField("lignes lues", default=0)
    value_count = models.PositiveIntegerField("valeurs", default=0)
    created_count = models.PositiveIntegerField("valeurs créées", default=0)
    updated_count = models.PositiveIntegerField("valeurs mises à jour", default=0)
    indicator_codes = models.JSONField("indicateurs", default=list, blank=True)
    job_uuid = models.UUIDField("tâche", null=True, blank=True)
    rollback_job_uuid = models.UUIDField(
        "tâche d’annulation", null=True, blank=True, help_text="La dernière annulation demandée (tâche de fond)."
    )
    applied_at = models.DateTimeField("appliqué le", null=True, blank=True)
    rolled_back = models.BooleanField("annulé", default=False)
    rolled_back_at = models.DateTimeField("annulé le", null=True, blank=True)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField("démonstration", default=False)
    keeps_replaced_values = models.BooleanField(
        "valeurs remplacées conservées",
        default=True,
        help_text="Faux pour les imports appliqués avant que les valeurs remplacées ne soient conservées.",
    )

    class Meta:
        verbose_name = "import d’indicateurs"
        verbose_name_plural = "imports d’indicateurs"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Import {self.pk} — {self.filename}"

    def get_absolute_url(self):
        return reverse("reperes_staff:import_detail", args=[self.pk])

    @property
    def can_roll_back(self) -> bool:
        return self.status == self.Status.APPLIED and not self.rolled_back and not self.lost_replaced_values

    @property
    def lost_replaced_values(self) -> bool:
        """Applied before replaced values were kept, and replaced some: rolling it back cannot put them back."""
        return not self.keeps_replaced_values and self.updated_count > 0


PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def period_date(period: str) -> datetime.date:
    match = PERIOD_RE.match(period)
    if not match:
        raise ValueError(period)
    return datetime.date(int(match.group(1)), int(match.group(2) or 1), 1)


class ObservationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(indicator__in=Indicator.objects.for_user(user))


class Observation(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    level = models.CharField("niveau", max_length=12, choices=Level.choices)
    code = models.CharField("code géographique", max_length=20)
    period = models.CharField("période", max_length=7, help_text="« 2024 » ou « 2024-03 ».")
    period_date = models.DateField("début de la période")
    value = models.DecimalField("valeur", max_digits=20, decimal_places=4)
    is_computed = models.BooleanField("calculée par agrégation", default=False)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="observations"
    )

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = "valeur"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level", "code", "period"], name="reperes_observation_key")
        ]
        indexes = [
            models.Index(fields=["level", "code", "indicator", "period_date"], name="reperes_obs_geo"),
            models.Index(fields=["indicator", "level", "period_date"], name="reperes_obs_indicator_level"),
            models.Index(fields=["batch"], name="reperes_obs_batch"),
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.level} {self.code} {self.period} = {self.value}"


class ReplacedObservation(models.Model):
    """A value an import replaced (as it was just before), kept so that rolling the import back puts it back.

    Only imported values are kept: a computed value replaced by an imported one is simply computed again."""

    # Looked up through the unique constraint (batch first): no separate index on batch.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="replaced_values", db_index=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    level = models.CharField("niveau", max_length=12, choices=Level.choices)
    code = models.CharField("code géographique", max_length=20)
    period = models.CharField("période", max_length=7)
    period_date = models.DateField("début de la période")
    value = models.DecimalField("valeur remplacée", max_digits=20, decimal_places=4)
    previous_batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="import qui avait apporté la valeur",
    )

    class Meta:
        verbose_name = "valeur remplacée par un import"
        verbose_name_plural = "valeurs remplacées par un import"
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "indicator", "level", "code", "period"], name="reperes_replaced_key"
            )
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.level} {self.code} {self.period} = {self.value} (import {self.batch_id})"

    @property
    def key(self) -> tuple:
        return (self.indicator_id, self.level, self.code, self.period)


class SheetQuerySet(models.QuerySet):
    def for_user(self, user):
        audience = Sheet.Audience.MEMBERS if can_see_members_indicators(user) else Sheet.Audience.PUBLIC
        return self.filter(audience=audience)


class Sheet(models.Model):
    """The « fiche repères » of a territory, built in the background into a snapshot served as is."""

    class Audience(models.TextChoices):
        PUBLIC = "public", "Public"
        MEMBERS = "members", "Membres des instances"

    territory = models.ForeignKey("territories.Territory", on_delete=models.CASCADE, related_name="reperes_sheets")
    audience = models.CharField("public visé", max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    built_at = models.DateTimeField("mis à jour le", null=True, blank=True)
    stale = models.BooleanField("à mettre à jour", default=True)
    snapshot = models.JSONField("chiffres et graphiques (SVG)", default=dict, blank=True)
    map_svg = models.TextField("carte (SVG)", blank=True)
    fingerprint = models.CharField("empreinte des données", max_length=64, blank=True)

    objects = SheetQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche repères"
        verbose_name_plural = "fiches repères"
        constraints = [models.UniqueConstraint(fields=["territory", "audience"], name="reperes_sheet_key")]

    def __str__(self):
        return f"Fiche repères {self.territory_id} ({self.audience})"

    def get_absolute_url(self):
        return reverse("reperes:sheet", args=[self.snapshot.get("territory", {}).get("code", "")])


def audience_for(user) -> str:
    return Sheet.Audience.MEMBERS if can_see_members_indicators(user) else Sheet.Audience.PUBLIC
