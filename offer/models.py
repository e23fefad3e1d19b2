"""Offre de services: the catalogue of dispositifs, the Cariforef's professionalisation sessions with their
registrations, and support requests from animateurs to the Cariforef."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from clefop.models import Body, Membership, Organisation, perimeter_of
from srefop_portal.common import versions
from srefop_portal.common.documents import StoredFile, stored_file_name
from territories.models import Territory

REVIEW_PERIOD = datetime.timedelta(days=365)


class DispositifLevel(models.TextChoices):
    NATIONAL = "national", "National"
    REGIONAL = "regional", "Régional"
    DEPARTEMENTAL = "departemental", "Départemental"
    LOCAL = "local", "Local"


class Public(models.TextChoices):
    """Target publics of a dispositif, also those of the roadmaps' actions and recommendations (one list, so both
    can be compared)."""

    YOUTH = "jeunes", "Jeunes"
    JOBSEEKERS = "demandeurs_emploi", "Demandeurs d’emploi"
    EMPLOYEES = "salaries", "Salariés"
    COMPANIES = "entreprises", "Entreprises"
    DISABILITY = "handicap", "Personnes en situation de handicap"
    RSA = "rsa", "Bénéficiaires du RSA"
    SENIORS = "seniors", "Seniors"
    WOMEN = "femmes", "Femmes"
    QPV = "qpv", "Habitants des quartiers prioritaires"
    PUPILS = "scolaires", "Élèves et apprentis"
    PROFESSIONALS = "professionnels", "Professionnels de l’accompagnement"


class Theme(models.TextChoices):
    RECRUITMENT = "recrutement", "Recrutement"
    ECONOMIC_CHANGE = "mutations_economiques", "Mutations économiques"
    RETRAINING = "reconversion", "Reconversion"
    APPRENTICESHIP = "apprentissage", "Apprentissage"
    TRAINING = "formation", "Formation"
    INSERTION = "insertion", "Insertion"
    MOBILITY = "mobilite", "Mobilité"
    HOUSING = "logement", "Logement"
    DISABILITY = "handicap", "Handicap"
    GUIDANCE = "orientation", "Orientation"
    BUSINESS_CREATION = "creation_entreprise", "Création d’entreprise"
    BASIC_SKILLS = "competences_de_base", "Compétences de base"


def choice_labels(choices, codes) -> list[str]:
    labels = dict(choices)
    return [labels.get(code, code) for code in codes or []]


def json_has(field: str, code: str) -> Q:
    """A JSON list containing ``code``: portable (SQLite has no JSON ``contains``)."""
    return Q(**{f"{field}__icontains": f'"{code}"'})


class DispositifQuerySet(models.QuerySet):
    def for_user(self, user):
        """The catalogue is public: every dispositif is readable."""
        return self

    def available_in(self, territory):
        """Dispositifs open in the territory: those without territories (everywhere) or naming it."""
        through = Dispositif.territories.through
        anywhere = ~Exists(through.objects.filter(dispositif_id=OuterRef("pk")))
        here = Exists(through.objects.filter(dispositif_id=OuterRef("pk"), territory_id=territory.pk))
        return self.filter(anywhere | here)

    def editable_by(self, user):
        perimeter = perimeter_of(user)
        if perimeter.is_staff:
            return self
        if not user or not user.is_authenticated:
            return self.none()
        return self.filter(carrier_id__in=carrier_ids_of(user))

    def needing_review(self, on=None):
        on = on or timezone.localdate()
        return self.filter(last_reviewed_on__lt=on - REVIEW_PERIOD)

    def search(self, text: str):
        condition = Q()
        for word in text.split()[:8]:
            condition &= (
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(eligibility__icontains=word)
                | Q(carrier__name__icontains=word)
            )
        return self.filter(condition)


def carrier_ids_of(user) -> list[int]:
    """Organisations a person represents in a body today (the carriers whose dispositifs they edit)."""
    if not user or not user.is_authenticated:
        return []
    cached = getattr(user, "_srefop_carrier_ids", None)
    if cached is None:
        today = timezone.localdate()

        def build():
            return sorted(
                set(
                    Membership.objects.active(today)
                    .filter(user=user, organisation__isnull=False)
                    .values_list("organisation_id", flat=True)
                )
            )

        # Until a membership changes (data version of the clefop app) or the day turns (start and end dates).
        cached = versions.cached("offer:carriers", apps=("clefop",), vary=(user.pk, today.isoformat()), build=build)
        user._srefop_carrier_ids = cached
    return cached


class Dispositif(models.Model):
    name = models.CharField("nom", max_length=255)
    carrier = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="dispositifs", verbose_name="structure porteuse"
    )
    level = models.CharField("échelon", max_length=15, choices=DispositifLevel.choices)
    territories = models.ManyToManyField(
        Territory,
        related_name="dispositifs",
        blank=True,
        verbose_name="territoires",
        help_text="Aucun territoire : disponible sur toute la région.",
    )
    publics = models.JSONField("publics cibles", default=list, blank=True)
    themes = models.JSONField("thématiques", default=list, blank=True)
    description = models.TextField("description")
    eligibility = models.TextField("conditions d’éligibilité", blank=True)
    how_to = models.TextField("comment le mobiliser", blank=True)
    contact = models.CharField("contact", max_length=255, blank=True)
    url = models.URLField("lien", max_length=500, blank=True)
    valid_from = models.DateField("valable du", null=True, blank=True)
    valid_until = models.DateField("valable jusqu’au", null=True, blank=True)
    last_reviewed_on = models.DateField("dernière revue", default=timezone.localdate)
    review_reminder_sent_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField("démonstration", default=False)

    objects = DispositifQuerySet.as_manager()

    class Meta:
        db_table = "clefop_dispositif"  # kept from when the offre de services lived in clefop (no row moved)
        verbose_name = "dispositif"
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["last_reviewed_on"]), models.Index(fields=["level"])]
        constraints = [
            models.UniqueConstraint(fields=["name", "carrier"], name="dispositif_unique_name_carrier"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="dispositif_validity_order",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("offer:dispositif_detail", args=[self.pk])

    @property
    def needs_review(self) -> bool:
        return self.last_reviewed_on < timezone.localdate() - REVIEW_PERIOD

    @property
    def is_expired(self) -> bool:
        return bool(self.valid_until and self.valid_until < timezone.localdate())

    @property
    def public_labels(self) -> list[str]:
        return choice_labels(Public.choices, self.publics)

    @property
    def theme_labels(self) -> list[str]:
        return choice_labels(Theme.choices, self.themes)


# ---------------------------------------------------------------------------------------------- sessions


class SessionKind(models.TextChoices):
    WEBINAR = "webinaire", "Webinaire"
    DAY = "journee", "Journée"
    WORKSHOP = "atelier", "Atelier"


class SessionQuerySet(models.QuerySet):
    def for_user(self, user):
        """The professionalisation offer is public."""
        return self

    def upcoming(self):
        return self.filter(end__gte=timezone.now()).order_by("start")

    def past(self):
        return self.filter(end__lt=timezone.now()).order_by("-start")


class Session(models.Model):
    """A professionalisation session of the Cariforef (regional, or run in one territory)."""

    title = models.CharField("titre", max_length=255)
    kind = models.CharField("format", max_length=12, choices=SessionKind.choices, default=SessionKind.WORKSHOP)
    territory = models.ForeignKey(
        Territory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name="territoire",
        help_text="Vide : session régionale.",
    )
    start = models.DateTimeField("début")
    end = models.DateTimeField("fin")
    place = models.CharField("lieu", max_length=255, blank=True)
    video_url = models.URLField("lien de visioconférence", blank=True)
    capacity = models.PositiveIntegerField("nombre de places")
    audience = models.CharField("public visé", max_length=500, blank=True)
    programme = models.TextField("programme", blank=True)
    speakers = models.TextField("intervenant·es", blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_sessions",
        verbose_name="organisateur·rice",
    )
    sequence = models.PositiveIntegerField(default=0, help_text="Révision iCalendar (SEQUENCE).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField("démonstration", default=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        db_table = "clefop_session"  # kept from when the offre de services lived in clefop (no row moved)
        verbose_name = "session de professionnalisation"
        verbose_name_plural = "sessions de professionnalisation"
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="session_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("offer:session_detail", args=[self.pk])

    @property
    def is_past(self) -> bool:
        return self.end < timezone.now()

    @property
    def scope_label(self) -> str:
        return self.territory.name if self.territory_id else "Régionale"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Inscrit·e"
    WAITING = "waiting", "Liste d’attente"
    CANCELLED = "cancelled", "Annulée"


class Registration(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_registrations")
    status = models.CharField("statut", max_length=12, choices=RegistrationStatus.choices)
    requested_at = models.DateTimeField("demandée le", default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField("présent·e", null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "clefop_registration"  # kept from when the offre de services lived in clefop (no row moved)
        verbose_name = "inscription"
        ordering = ["session", "requested_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="registration_unique")]
        indexes = [models.Index(fields=["session", "status", "requested_at"])]

    def __str__(self):
        return f"{self.user} — {self.session} ({self.get_status_display()})"


def session_document_upload_to(instance, filename):
    return stored_file_name(f"clefop/sessions/{instance.session_id}", filename)


class SessionDocument(StoredFile):
    """A document shared with the participants after a session (content checked by ``filecheck``)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField("titre", max_length=255)
    file = models.FileField(upload_to=session_document_upload_to, max_length=255)

    class Meta:
        db_table = "clefop_sessiondocument"  # kept from when the offre de services lived in clefop (no row moved)
        verbose_name = "document de session"
        ordering = ["session", "-uploaded_at"]

    def __str__(self):
        return self.title

    def get_download_url(self):
        return reverse("offer:session_document_download", args=[self.session_id, self.pk])


# ---------------------------------------------------------------------------------------------- support requests


class SupportKind(models.TextChoices):
    PROFESSIONALISATION = "professionnalisation", "Action de professionnalisation"
    TOOLING = "outillage", "Outillage"
    NEWSLETTER = "lettre", "Communication dans la lettre d’information"
    PROJECT_GROUP = "groupe_projet", "Participation à un groupe projet"
    OTHER = "autre", "Autre"


class SupportStatus(models.TextChoices):
    NEW = "nouvelle", "Nouvelle"
    IN_PROGRESS = "en_cours", "En cours"
    DONE = "realisee", "Réalisée"
    REFUSED = "refusee", "Refusée"


SUPPORT_OPEN_STATUSES = (SupportStatus.NEW, SupportStatus.IN_PROGRESS)


def person_label(user, empty: str = "—") -> str:
    if user is None:
        return empty
    return user.get_full_name() or user.email


class SupportRequestQuerySet(models.QuerySet):
    def for_user(self, user):
        """Staff: every request; others: their own requests and those of the bodies they animate."""
        perimeter = perimeter_of(user)
        if perimeter.is_staff:
            return self
        if not user or not user.is_authenticated:
            return self.none()
        animated = [body_id for body_id, position in perimeter.positions.items() if position == "animateur"]
        return self.filter(Q(requester=user) | Q(body_id__in=animated))

    def open(self):
        return self.filter(status__in=SUPPORT_OPEN_STATUSES)


class SupportRequest(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="support_requests", verbose_name="instance")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="support_requests"
    )
    kind = models.CharField("type d’appui", max_length=25, choices=SupportKind.choices)
    need = models.TextField("besoin")
    wished_date = models.DateField("date souhaitée", null=True, blank=True)
    status = models.CharField("statut", max_length=10, choices=SupportStatus.choices, default=SupportStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_support_requests",
        verbose_name="chargé·e de l’appui",
    )
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField("démonstration", default=False)

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        db_table = "clefop_supportrequest"  # kept from when the offre de services lived in clefop (no row moved)
        verbose_name = "demande d’appui"
        verbose_name_plural = "demandes d’appui"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.body}"

    def get_absolute_url(self):
        return reverse("offer:support_detail", args=[self.pk])

    @property
    def requester_label(self) -> str:
        return person_label(self.requester)

    @property
    def assignee_label(self) -> str:
        return person_label(self.assignee, "Pas encore attribuée")

    @property
    def status_badge(self) -> str:
        return {
            SupportStatus.NEW: "new",
            SupportStatus.IN_PROGRESS: "info",
            SupportStatus.DONE: "success",
            SupportStatus.REFUSED: "error",
        }.get(self.status, "")


class SupportRequestEvent(models.Model):
    """One step of a request's history: creation, assignment, status change, message."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    label = models.CharField("étape", max_length=200)
    from_status = models.CharField(max_length=10, choices=SupportStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=SupportStatus.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField("message", blank=True)

    class Meta:
        db_table = "clefop_supportrequestevent"  # kept from when the offre de services lived in clefop (no row moved)
        verbose_name = "étape de demande d’appui"
        verbose_name_plural = "étapes de demande d’appui"
        ordering = ["request", "at", "pk"]

    def __str__(self):
        return f"{self.request} : {self.label}"

    @property
    def by_label(self) -> str:
        return person_label(self.by)


__all__ = [
    "REVIEW_PERIOD",
    "SUPPORT_OPEN_STATUSES",
    "Dispositif",
    "DispositifLevel",
    "Public",
    "Registration",
    "RegistrationStatus",
    "Session",
    "SessionDocument",
    "SessionKind",
    "SupportKind",
    "SupportRequest",
    "SupportRequestEvent",
    "SupportStatus",
    "Theme",
    "carrier_ids_of",
    "choice_labels",
    "json_has",
]
