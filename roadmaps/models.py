"""The Srefop 2023-2028 referential (enjeux, ambitions, fiches-ambitions, préconisations, ROME, NAF) and the
Clefop roadmaps (priorities, actions, follow-up, annual reviews)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Avg, Count, Max, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clefop.models import Body, Organisation, perimeter_of, scoped_to_bodies
from offer.models import Public
from srefop_portal.common.documents import StoredFile, stored_file_name
from territories.models import Territory


class LinkedHistoricalRecords(HistoricalRecords):
    """HistoricalRecords that can write one version for a save and the link (m2m) changes that go with it.

    django-simple-history writes a full version on every m2m signal (``m2m_fields``), so saving an action and
    setting five link fields would leave up to eleven versions behind. ``roadmaps.history.one_version`` silences
    the signals for a block and writes a single version at its end, through ``record()``.
    """

    recorders: dict[type, LinkedHistoricalRecords] = {}

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            LinkedHistoricalRecords.recorders[sender] = self

    def record(self, instance, history_type: str) -> None:
        self.create_historical_record(instance, history_type)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance=instance, action=action, attr=attr, pk_set=pk_set, reverse=reverse)
        # Changed from the other side (``dispositif.actions.add(action)``): ``instance`` is the linked object and
        # pk_set holds tracked objects, each of which gets a version (the library would record the wrong model).
        field = self.cls._meta.get_field(attr)
        if action == "pre_clear":
            through = field.remote_field.through.objects.filter(**{field.m2m_reverse_field_name(): instance})
            instance._history_cleared_pks = set(through.values_list(f"{field.m2m_field_name()}_id", flat=True))
        elif action in ("post_add", "post_remove", "post_clear"):
            pks = instance.__dict__.pop("_history_cleared_pks", set()) if action == "post_clear" else pk_set
            for tracked in self.cls._default_manager.filter(pk__in=pks or ()):
                self.create_historical_record(tracked, "~")


# ---------------------------------------------------------------------------------------------- referential


class Challenge(models.Model):
    """Enjeu du Srefop."""

    code = models.CharField("code", max_length=10, unique=True)
    title = models.CharField("intitulé", max_length=255)
    description = models.TextField("description", blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "enjeu"
        ordering = ["order", "code"]

    def __str__(self):
        return self.title


class Ambition(models.Model):
    code = models.CharField("code", max_length=10, unique=True)
    title = models.CharField("intitulé", max_length=255)
    description = models.TextField("description", blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "ambition"
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code} — {self.title}"


class AmbitionSheet(models.Model):
    """Fiche-ambition: a declination of an ambition; préconisations hang from it."""

    code = models.CharField("code", max_length=10, unique=True)
    ambition = models.ForeignKey(Ambition, on_delete=models.PROTECT, related_name="sheets", verbose_name="ambition")
    title = models.CharField("intitulé", max_length=255)
    description = models.TextField("description", blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "fiche-ambition"
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code} — {self.title}"


class RomeDomain(models.Model):
    code = models.CharField("code", max_length=1, unique=True)
    label = models.CharField("libellé", max_length=255)

    class Meta:
        verbose_name = "domaine professionnel ROME"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"


class RomeCode(models.Model):
    code = models.CharField("code ROME", max_length=5, unique=True)
    label = models.CharField("libellé", max_length=255)
    domain = models.ForeignKey(RomeDomain, on_delete=models.PROTECT, related_name="codes")

    class Meta:
        verbose_name = "métier ROME"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"


class NafSection(models.Model):
    code = models.CharField("code", max_length=1, unique=True)
    label = models.CharField("libellé", max_length=255)

    class Meta:
        verbose_name = "section NAF"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"


class NafDivision(models.Model):
    code = models.CharField("code", max_length=2, unique=True)
    label = models.CharField("libellé", max_length=255)
    section = models.ForeignKey(NafSection, on_delete=models.PROTECT, related_name="divisions")
    rome_codes = models.ManyToManyField(RomeCode, related_name="naf_divisions", blank=True)

    class Meta:
        verbose_name = "division NAF"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"


class EvolutionKind(models.TextChoices):
    CREATE = "create", "Créer"
    DEVELOP = "develop", "Développer"
    ADAPT = "adapt", "Adapter"
    MAINTAIN = "maintain", "Maintenir"
    REDUCE = "reduce", "Réduire"


TargetPublic = Public  # the publics of actions and recommendations are those of the offre de services


def public_labels(codes) -> list[str]:
    labels = dict(TargetPublic.choices)
    return [labels.get(code, code) for code in codes or []]


class RecommendationQuerySet(models.QuerySet):
    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        condition = Q()
        for word in text.split():
            condition &= Q(code__icontains=word) | Q(title__icontains=word) | Q(text__icontains=word)
        return self.filter(condition)

    def with_action_counts(self):
        return self.annotate(
            action_count=Count(
                "actions",
                filter=Q(actions__roadmap__status=RoadmapStatus.ADOPTED, actions__restricted=False),
                distinct=True,
            )
        )


class Recommendation(models.Model):
    """Préconisation of the Srefop: an evolution of the training offer, for jobs, sectors and territories."""

    code = models.CharField("code", max_length=20, unique=True)
    title = models.CharField("intitulé", max_length=500)
    text = models.TextField("texte", blank=True)
    sheet = models.ForeignKey(
        AmbitionSheet, on_delete=models.PROTECT, related_name="recommendations", verbose_name="fiche-ambition"
    )
    evolution = models.CharField("évolution de l’offre", max_length=10, choices=EvolutionKind.choices)
    rome_codes = models.ManyToManyField(RomeCode, related_name="recommendations", blank=True, verbose_name="métiers")
    naf_divisions = models.ManyToManyField(NafDivision, related_name="recommendations", blank=True)
    naf_sections = models.ManyToManyField(NafSection, related_name="recommendations", blank=True)
    territories = models.ManyToManyField(
        Territory, related_name="recommendations", blank=True, help_text="Aucun territoire : préconisation régionale."
    )
    target_publics = models.JSONField("publics cibles", default=list, blank=True)
    target_places = models.DecimalField("volume indicatif (places)", max_digits=10, decimal_places=1, null=True)
    is_example = models.BooleanField("exemple (démonstration)", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = "préconisation"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.title}"

    def get_absolute_url(self):
        return reverse("roadmaps:recommendation_detail", args=[self.code])

    @property
    def public_labels(self):
        return public_labels(self.target_publics)


# ---------------------------------------------------------------------------------------------- roadmaps


class RoadmapStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Soumise"
    ADOPTED = "adopted", "Adoptée"
    ARCHIVED = "archived", "Archivée"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "À venir"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    PAUSED = "paused", "En pause"
    BLOCKED = "blocked", "Bloquée"
    ABANDONED = "abandoned", "Abandonnée"


CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.ABANDONED)
MAX_PRIORITIES = 3


def overdue_q(prefix: str = "") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}end_date__lt": today}) & ~Q(**{f"{prefix}status__in": CLOSED_STATUSES})


def progress_avg(prefix: str = "actions__"):
    """Average progress of the non-abandoned actions (each action weighs the same)."""
    return Avg(f"{prefix}progress", filter=~Q(**{f"{prefix}status": ActionStatus.ABANDONED}))


class RoadmapQuerySet(models.QuerySet):
    def for_user(self, user):
        return scoped_to_bodies(self, user)

    def published(self):
        return self.filter(status=RoadmapStatus.ADOPTED)

    def with_stats(self):
        actions = "actions__"
        return self.annotate(
            action_total=Count("actions", distinct=True),
            progress_value=progress_avg(actions),
            overdue_total=Count("actions", filter=overdue_q(actions), distinct=True),
            last_update=Max("actions__updated_at"),
            **{
                f"status_{value}": Count("actions", filter=Q(actions__status=value), distinct=True)
                for value in ActionStatus.values
            },
        )


class Roadmap(models.Model):
    """Feuille de route of a Clefop for a period. Revising an adopted roadmap creates a new version."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="roadmaps", verbose_name="Clefop")
    title = models.CharField("intitulé", max_length=255)
    start_year = models.PositiveSmallIntegerField("première année")
    end_year = models.PositiveSmallIntegerField("dernière année")
    version = models.PositiveSmallIntegerField("version", default=1)
    revision_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions")
    status = models.CharField("statut", max_length=10, choices=RoadmapStatus.choices, default=RoadmapStatus.DRAFT)
    summary = models.TextField("présentation", blank=True)
    plenary_date = models.DateField("date de la plénière d’adoption", null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField("démonstration", default=False)

    history = HistoricalRecords(excluded_fields=["updated_at", "created_at"])
    objects = RoadmapQuerySet.as_manager()

    class Meta:
        verbose_name = "feuille de route"
        ordering = ["body", "-start_year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "start_year", "end_year", "version"], name="roadmap_unique_version"
            ),
            models.UniqueConstraint(
                fields=["body", "start_year", "end_year"], condition=Q(status="adopted"), name="one_adopted_roadmap"
            ),
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="roadmap_period_order"),
        ]

    def __str__(self):
        return f"{self.title} ({self.period_label}, v{self.version})"

    @property
    def period_label(self) -> str:
        return f"{self.start_year}-{self.end_year}"

    def get_absolute_url(self):
        return reverse("roadmaps:roadmap_detail", args=[self.body.slug, self.pk])

    def get_public_url(self):
        return reverse("roadmaps:public_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        """Structure (priorities, new actions) is edited in draft only."""
        return self.status == RoadmapStatus.DRAFT

    @property
    def is_followable(self) -> bool:
        """Actions are updated (status, progress, fiche) until the roadmap is archived."""
        return self.status != RoadmapStatus.ARCHIVED


class RoadmapTransition(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, choices=RoadmapStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=RoadmapStatus.choices)
    label = models.CharField("étape", max_length=100)
    comment = models.TextField("commentaire", blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "étape de la feuille de route"
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.roadmap} : {self.label}"


class PriorityQuerySet(models.QuerySet):
    def with_stats(self):
        return self.annotate(
            action_total=Count("actions", distinct=True),
            progress_value=progress_avg(),
            overdue_total=Count("actions", filter=overdue_q("actions__"), distinct=True),
        )


class Priority(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="priorities")
    order = models.PositiveSmallIntegerField("ordre", default=1)
    title = models.CharField("intitulé", max_length=255)
    description = models.TextField("description", blank=True)
    challenges = models.ManyToManyField(Challenge, related_name="priorities", blank=True, verbose_name="enjeux")
    sheets = models.ManyToManyField(
        AmbitionSheet, related_name="priorities", blank=True, verbose_name="fiches-ambitions"
    )

    history = LinkedHistoricalRecords(m2m_fields=["challenges", "sheets"])
    objects = PriorityQuerySet.as_manager()

    class Meta:
        verbose_name = "priorité"
        ordering = ["roadmap", "order", "pk"]

    def __str__(self):
        return f"Priorité {self.order} — {self.title}"


class ActionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Actions of readable roadmaps; restricted actions for the Clefop's own members (and staff) only."""
        perimeter = perimeter_of(user)
        queryset = scoped_to_bodies(self, user, field="roadmap__body")
        if perimeter.is_staff:
            return queryset
        return queryset.filter(Q(restricted=False) | Q(roadmap__body_id__in=list(perimeter.positions)))

    def public(self):
        return self.filter(roadmap__status=RoadmapStatus.ADOPTED, restricted=False)

    def overdue(self):
        return self.filter(overdue_q())

    def with_overdue(self):
        return self.annotate(
            overdue_flag=models.ExpressionWrapper(overdue_q(), output_field=models.BooleanField()),
        )


class Action(models.Model):
    """Fiche action of a roadmap priority."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="actions")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="actions", verbose_name="priorité")
    order = models.PositiveSmallIntegerField("ordre", default=1)
    title = models.CharField("intitulé", max_length=255)
    description = models.TextField("description", blank=True)
    objectives = models.TextField("objectifs", blank=True)
    target_publics = models.JSONField("publics cibles", default=list, blank=True)
    naf_divisions = models.ManyToManyField(NafDivision, related_name="actions", blank=True, verbose_name="secteurs")
    rome_codes = models.ManyToManyField(RomeCode, related_name="actions", blank=True, verbose_name="métiers")
    recommendations = models.ManyToManyField(
        Recommendation, related_name="actions", blank=True, verbose_name="préconisations"
    )
    pilot_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="piloted_actions",
        verbose_name="structure pilote",
    )
    pilots = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="piloted_actions", blank=True, verbose_name="pilotes"
    )
    partners = models.TextField("partenaires", blank=True)
    working_group = models.ForeignKey(
        Body, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions", verbose_name="groupe de travail"
    )
    dispositifs = models.ManyToManyField(
        "offer.Dispositif", related_name="actions", blank=True, verbose_name="dispositifs mobilisés"
    )
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    status = models.CharField("statut", max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    restricted = models.BooleanField(
        "diffusion restreinte", default=False, help_text="Visible des seuls membres du Clefop."
    )
    version = models.PositiveIntegerField("version", default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    is_demo = models.BooleanField("démonstration", default=False)

    history = LinkedHistoricalRecords(
        excluded_fields=["updated_at"],
        m2m_fields=["naf_divisions", "rome_codes", "recommendations", "pilots", "dispositifs"],
    )
    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "action"
        ordering = ["priority__order", "order", "pk"]
        indexes = [models.Index(fields=["roadmap", "status"]), models.Index(fields=["end_date", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="action_progress_max_100"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("roadmaps:action_detail", args=[self.roadmap.body.slug, self.pk])

    @property
    def is_overdue(self) -> bool:
        return bool(self.end_date and self.end_date < timezone.localdate() and self.status not in CLOSED_STATUSES)

    @property
    def status_badge(self) -> str:
        return {
            ActionStatus.DONE: "success",
            ActionStatus.IN_PROGRESS: "info",
            ActionStatus.BLOCKED: "error",
            ActionStatus.PAUSED: "warning",
            ActionStatus.ABANDONED: "",
            ActionStatus.PLANNED: "new",
        }.get(self.status, "")

    @property
    def public_labels(self):
        return public_labels(self.target_publics)


class SubAction(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="sub_actions")
    title = models.CharField("sous-action", max_length=255)
    done = models.BooleanField("réalisée", default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "sous-action"
        ordering = ["action", "order", "pk"]

    def __str__(self):
        return self.title


class BudgetLine(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField("année")
    planned = models.DecimalField("prévu (€)", max_digits=12, decimal_places=2, default=0)
    spent = models.DecimalField("dépensé (€)", max_digits=12, decimal_places=2, default=0)
    funder = models.CharField("financeur", max_length=255, blank=True)

    class Meta:
        verbose_name = "ligne budgétaire"
        ordering = ["action", "year", "pk"]

    def __str__(self):
        return f"{self.year} — {self.funder}"


class ResultIndicator(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicators")
    label = models.CharField("indicateur", max_length=255)
    unit = models.CharField("unité", max_length=50, blank=True)
    target = models.DecimalField("cible", max_digits=12, decimal_places=2, null=True, blank=True)
    achieved = models.DecimalField("réalisé", max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "indicateur de résultat"
        ordering = ["action", "pk"]

    def __str__(self):
        return self.label

    @property
    def rate(self):
        if self.target and self.achieved is not None:
            return float(self.achieved) / float(self.target) * 100
        return None


def action_document_upload_to(instance, filename):
    return stored_file_name(f"roadmaps/actions/{instance.action_id}", filename)


class ActionDocument(StoredFile):
    """A document of an action (content checked by ``filecheck``); copies of a roadmap share the stored file."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField("titre", max_length=255)
    file = models.FileField(upload_to=action_document_upload_to, max_length=255)

    class Meta:
        verbose_name = "document d’action"
        verbose_name_plural = "documents d’action"
        ordering = ["action", "-uploaded_at"]

    def __str__(self):
        return self.title

    def get_download_url(self):
        return reverse(
            "roadmaps:action_document_download", args=[self.action.roadmap.body.slug, self.action_id, self.pk]
        )


class ProgressNote(models.Model):
    """Point de suivi of an action."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    date = models.DateField("date", default=timezone.localdate)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField("statut", max_length=12, choices=ActionStatus.choices)
    progress = models.PositiveSmallIntegerField("avancement (%)")
    comment = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "point de suivi"
        ordering = ["action", "-date", "-pk"]

    def __str__(self):
        return f"{self.action} — {self.date}"


class AnnualReviewQuerySet(models.QuerySet):
    def of_history(self, roadmap):
        """The annual reviews of a roadmap's whole history: this version and the earlier versions of its period
        (a revision keeps the reviews, with their assessments, recorded on the versions it replaces)."""
        return self.filter(
            roadmap__body_id=roadmap.body_id,
            roadmap__start_year=roadmap.start_year,
            roadmap__end_year=roadmap.end_year,
            roadmap__version__lte=roadmap.version,
        )


class AnnualReview(models.Model):
    """Point d'étape annuel of a roadmap (shown on the later versions of the same period too: ``of_history``)."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="reviews")
    date = models.DateField("date")
    attendance = models.TextField("participants", blank=True)
    summary = models.TextField("synthèse")
    decisions = models.TextField("décisions", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AnnualReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "point d’étape annuel"
        verbose_name_plural = "points d’étape annuels"
        ordering = ["roadmap", "-date"]

    def __str__(self):
        return f"Point d’étape du {self.date:%d/%m/%Y}"


class Assessment(models.TextChoices):
    ON_TRACK = "on_track", "Conforme aux attentes"
    LATE = "late", "En retard"
    AT_RISK = "at_risk", "À risque"
    DONE = "done", "Atteinte"


class PriorityAssessment(models.Model):
    review = models.ForeignKey(AnnualReview, on_delete=models.CASCADE, related_name="assessments")
    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="assessments")
    rating = models.CharField("appréciation", max_length=10, choices=Assessment.choices, default=Assessment.ON_TRACK)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        verbose_name = "appréciation d’une priorité"
        verbose_name_plural = "appréciations des priorités"
        ordering = ["review", "priority__order"]
        constraints = [models.UniqueConstraint(fields=["review", "priority"], name="one_assessment_per_priority")]

    def __str__(self):
        return f"{self.priority} — {self.get_rating_display()}"


# ---------------------------------------------------------------------------------------------- roll-ups


def departement_rollup():
    """Per département: actions of the adopted roadmaps (weighted by action)."""
    from territories.models import Departement

    prefix = "territories__clefop__roadmaps__actions__"
    adopted = Q(territories__clefop__roadmaps__status=RoadmapStatus.ADOPTED)
    return Departement.objects.annotate(
        action_total=Count(f"{prefix[:-2]}", filter=adopted, distinct=True),
        progress_value=Avg(f"{prefix}progress", filter=adopted & ~Q(**{f"{prefix}status": ActionStatus.ABANDONED})),
        overdue_total=Count(f"{prefix[:-2]}", filter=adopted & overdue_q(prefix), distinct=True),
    ).order_by("code")


def region_rollup() -> dict:
    queryset = Action.objects.filter(roadmap__status=RoadmapStatus.ADOPTED)
    return queryset.aggregate(
        action_total=Count("pk"),
        progress_value=Avg("progress", filter=~Q(status=ActionStatus.ABANDONED)),
        overdue_total=Coalesce(Count("pk", filter=overdue_q()), 0),
    )
