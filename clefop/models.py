"""Governance bodies (Crefop, Cdefop, Clefop, working groups), the organisations that sit in them,
and memberships: the perimeter every permission of the portal derives from."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from srefop_portal.common import versions
from srefop_portal.common.documents import StoredFile, stored_file_name
from srefop_portal.common.second_factor import has_staff_powers
from territories.models import Departement, Territory


class OrganisationKind(models.TextChoices):
    DDETS = "ddets", "DDETS / services de l’État"
    REGION = "region", "Région"
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    EDUCATION = "education", "Éducation nationale"
    EPCI = "epci", "EPCI"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    CAP_EMPLOI = "cap_emploi", "Cap emploi"
    DEPARTEMENT = "departement", "Conseil départemental"
    CLUB = "club", "Club d’entreprises"
    CHAMBRE = "chambre", "Chambre consulaire"
    PARTENAIRE_SOCIAL = "partenaire_social", "Partenaire social"
    OPCO = "opco", "OPCO"
    ORGANISME_FORMATION = "organisme_formation", "Organisme de formation"
    CARIFOREF = "cariforef", "Carif-Oref"
    AUTRE = "autre", "Autre"


class Organisation(models.Model):
    name = models.CharField("nom", max_length=255)
    kind = models.CharField("type de structure", max_length=30, choices=OrganisationKind.choices)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations"
    )
    is_demo = models.BooleanField("démonstration", default=False)

    class Meta:
        verbose_name = "structure"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind", "departement"], name="organisation_unique_name_kind_dep")
        ]

    def __str__(self):
        return self.name


class BodyKind(models.TextChoices):
    CREFOP = "crefop", "Crefop"
    CDEFOP = "cdefop", "Cdefop"
    CLEFOP = "clefop", "Clefop"
    WORKING_GROUP = "working_group", "Groupe de travail"


class Position(models.TextChoices):
    COCHAIR = "cochair", "Co-président·e"
    ANIMATEUR = "animateur", "Animateur·rice"
    MEMBER = "member", "Membre"
    OBSERVER = "observer", "Observateur·rice"


EDITING_POSITIONS = {Position.COCHAIR, Position.ANIMATEUR, Position.MEMBER}


@dataclass
class Perimeter:
    """What a user may see and do, computed once per request from their active memberships."""

    is_staff: bool = False
    positions: dict[int, str] = field(default_factory=dict)  # body id → position
    cdefop_departements: set[int] = field(default_factory=set)
    is_crefop: bool = False
    readable_clefop_parents: set[int] = field(default_factory=set)  # bodies whose working groups are readable

    def position(self, body) -> str | None:
        return self.positions.get(body.pk)


def perimeter_of(user) -> Perimeter:
    if not user or not user.is_authenticated:
        return Perimeter()
    cached = getattr(user, "_srefop_perimeter", None)
    if cached is not None:
        return cached
    perimeter = Perimeter(is_staff=has_staff_powers(user))
    for body_id, position, kind, departement_id in active_positions(user):
        # The highest position wins if a person holds two in the same body.
        current = perimeter.positions.get(body_id)
        if current is None or POSITION_RANK[position] < POSITION_RANK[current]:
            perimeter.positions[body_id] = position
        if kind == BodyKind.CDEFOP and departement_id:
            perimeter.cdefop_departements.add(departement_id)
        if kind == BodyKind.CREFOP:
            perimeter.is_crefop = True
    user._srefop_perimeter = perimeter
    return perimeter


def active_positions(user) -> list[tuple]:
    """(body id, position, body kind, body département id) of the user's memberships active today: read from the
    cache until a membership or a body changes (data version of the clefop app) or the day turns (start and end
    dates). The person's own entry, read only for them; staff powers are not in it (they depend on the session)."""
    today = timezone.localdate()

    def build():
        return list(
            Membership.objects.active(today)
            .filter(user=user)
            .values_list("body_id", "position", "body__kind", "body__departement_id")
        )

    return versions.cached("clefop:positions", apps=("clefop",), vary=(user.pk, today.isoformat()), build=build)


POSITION_RANK = {Position.COCHAIR: 0, Position.ANIMATEUR: 1, Position.MEMBER: 2, Position.OBSERVER: 3}


class BodyQuerySet(models.QuerySet):
    def standing(self):
        return self.exclude(kind=BodyKind.WORKING_GROUP)

    def clefops(self):
        return self.filter(kind=BodyKind.CLEFOP)

    def for_user(self, user):
        """Bodies whose workspace the user may read: out-of-scope bodies are a 404."""
        perimeter = perimeter_of(user)
        if perimeter.is_staff:
            return self
        if not user or not user.is_authenticated:
            return self.none()
        member_of = list(perimeter.positions)
        condition = Q(pk__in=member_of) | Q(parent_id__in=member_of)
        if perimeter.is_crefop:
            condition |= Q(kind=BodyKind.CLEFOP) | Q(parent__kind=BodyKind.CLEFOP)
        if perimeter.cdefop_departements:
            deps = perimeter.cdefop_departements
            condition |= Q(kind=BodyKind.CLEFOP, territory__departement_id__in=deps)
            condition |= Q(parent__kind=BodyKind.CLEFOP, parent__territory__departement_id__in=deps)
        return self.filter(condition)


class Body(models.Model):
    """An instance: the Crefop, a Cdefop (one per département), a Clefop (one per territory) or a working group."""

    kind = models.CharField("type d’instance", max_length=20, choices=BodyKind.choices)
    name = models.CharField("nom", max_length=255)
    slug = models.SlugField("identifiant", max_length=80, unique=True)
    territory = models.OneToOneField(Territory, on_delete=models.PROTECT, null=True, blank=True, related_name="clefop")
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, null=True, blank=True, related_name="bodies")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="working_groups",
        verbose_name="instance de rattachement",
    )
    description = models.TextField("présentation", blank=True)
    is_demo = models.BooleanField("démonstration", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BodyQuerySet.as_manager()

    class Meta:
        verbose_name = "instance"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["departement"], condition=Q(kind="cdefop"), name="one_cdefop_per_departement"
            ),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="crefop"), name="one_crefop"),
            models.CheckConstraint(
                condition=~Q(kind="clefop") | Q(territory__isnull=False), name="clefop_has_territory"
            ),
            models.CheckConstraint(
                condition=~Q(kind="working_group") | Q(parent__isnull=False), name="working_group_has_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("clefop:body_detail", args=[self.slug])

    @property
    def clefop_body(self) -> Body | None:
        """The Clefop this body belongs to (itself, or the parent of a working group)."""
        if self.kind == BodyKind.CLEFOP:
            return self
        if self.parent_id and self.parent.kind == BodyKind.CLEFOP:
            return self.parent
        return None

    @property
    def effective_departement_id(self) -> int | None:
        if self.territory_id:
            return self.territory.departement_id
        if self.departement_id:
            return self.departement_id
        if self.parent_id:
            return self.parent.effective_departement_id
        return None


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=on)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on)
        )


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships")
    position = models.CharField("fonction", max_length=20, choices=Position.choices, default=Position.MEMBER)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name="structure représentée",
    )
    role_label = models.CharField(
        "qualité", max_length=200, blank=True, help_text="Par exemple : sous-préfet, conseillère régionale."
    )
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "appartenance"
        ordering = ["body", "position", "user__last_name"]
        indexes = [models.Index(fields=["user", "body"]), models.Index(fields=["body", "end_date"])]

    def __str__(self):
        return f"{self.user} — {self.get_position_display()} — {self.body}"

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return (self.start_date is None or self.start_date <= today) and (
            self.end_date is None or self.end_date >= today
        )


def scoped_to_bodies(queryset, user, field="body"):
    """Objects attached to a body the user may read (see ``BodyQuerySet.for_user``)."""
    perimeter = perimeter_of(user)
    if perimeter.is_staff:
        return queryset
    if not user or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": Body.objects.for_user(user).values("pk")})


class InvitationQuerySet(models.QuerySet):
    def for_user(self, user):
        return scoped_to_bodies(self, user)

    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An e-mail invitation to join a body. The link carries a random token; only its hash is stored."""

    VALIDITY_DAYS = 14

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="invitations", verbose_name="instance")
    email = models.EmailField("adresse électronique")
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    position = models.CharField("fonction", max_length=20, choices=Position.choices, default=Position.MEMBER)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name="structure représentée",
    )
    role_label = models.CharField("qualité", max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField("envoyée le")
    send_count = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.email} → {self.body}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "acceptée"
        if self.revoked_at:
            return "révoquée"
        if self.expires_at <= timezone.now():
            return "expirée"
        return "en attente"

    @property
    def is_pending(self) -> bool:
        return self.status == "en attente"


class MeetingKind(models.TextChoices):
    PLENARY = "plenary", "Plénière"
    TECHNICAL = "technical", "Comité technique"
    WORKING_GROUP = "working_group", "Groupe de travail"


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", "En présentiel"
    ONLINE = "online", "À distance"
    HYBRID = "hybrid", "Hybride"


class MeetingQuerySet(models.QuerySet):
    def for_user(self, user):
        return scoped_to_bodies(self, user)

    def upcoming(self):
        return self.filter(end__gte=timezone.now()).order_by("start")

    def past(self):
        return self.filter(end__lt=timezone.now()).order_by("-start")


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="meetings", verbose_name="instance")
    title = models.CharField("titre", max_length=255)
    kind = models.CharField("type de réunion", max_length=20, choices=MeetingKind.choices, default=MeetingKind.PLENARY)
    mode = models.CharField("modalité", max_length=20, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON)
    place = models.CharField("lieu", max_length=255, blank=True)
    video_url = models.URLField("lien de visioconférence", blank=True)
    start = models.DateTimeField("début")
    end = models.DateTimeField("fin")
    minutes_text = models.TextField("compte rendu", blank=True)
    minutes_updated_at = models.DateTimeField(null=True, blank=True)
    minutes_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sequence = models.PositiveIntegerField(default=0, help_text="Révision iCalendar (SEQUENCE).")
    is_demo = models.BooleanField("démonstration", default=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "réunion"
        ordering = ["-start"]
        indexes = [models.Index(fields=["body", "start"])]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="meeting_end_after_start")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("clefop:meeting_detail", args=[self.body.slug, self.pk])

    @property
    def is_past(self) -> bool:
        return self.end < timezone.now()


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField("ordre")
    title = models.CharField("point", max_length=500)

    class Meta:
        verbose_name = "point de l’ordre du jour"
        verbose_name_plural = "points de l’ordre du jour"
        ordering = ["meeting", "order"]
        constraints = [models.UniqueConstraint(fields=["meeting", "order"], name="agenda_item_unique_order")]

    def __str__(self):
        return self.title


class Attendance(models.TextChoices):
    INVITED = "invited", "Invité·e"
    PRESENT = "present", "Présent·e"
    EXCUSED = "excused", "Excusé·e"


class MeetingParticipant(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_participations")
    status = models.CharField("présence", max_length=10, choices=Attendance.choices, default=Attendance.INVITED)

    class Meta:
        verbose_name = "participant·e"
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="participant_unique")]

    def __str__(self):
        return f"{self.user} — {self.get_status_display()}"


def document_upload_to(instance, filename):
    return stored_file_name(f"clefop/documents/{instance.document.body_id}", filename)


class DocumentQuerySet(models.QuerySet):
    def for_user(self, user):
        return scoped_to_bodies(self, user)

    def alive(self):
        return self.filter(deleted_at__isnull=True)


class Document(models.Model):
    """A document of a body (optionally of one of its meetings); each upload is a DocumentVersion."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="documents", verbose_name="instance")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents", verbose_name="réunion"
    )
    title = models.CharField("titre", max_length=255)
    is_minutes = models.BooleanField("compte rendu de réunion", default=False)
    current_version = models.ForeignKey(
        "DocumentVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField("démonstration", default=False)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document"
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["body", "deleted_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("clefop:document_detail", args=[self.body.slug, self.pk])


class DocumentVersion(StoredFile):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("version")
    file = models.FileField(upload_to=document_upload_to, max_length=255)

    class Meta:
        verbose_name = "version de document"
        ordering = ["document", "-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="document_version_unique")]

    def __str__(self):
        return f"{self.document} (v{self.number})"

    def get_download_url(self):
        return reverse("clefop:document_download", args=[self.document.body.slug, self.document_id, self.pk])


class CalendarToken(models.Model):
    """The secret of a person's iCal feed URLs. Regenerating it revokes the previous URLs.

    Only the secret's SHA-256 is stored (as for invitations): the secret itself is shown once, when created
    (``token`` is set on the instance that ``clefop.calendar.regenerate_token`` returns, never saved)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token_hash = models.CharField("empreinte du jeton", max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    token = None  # the clear secret, on the instance that created it only

    class Meta:
        verbose_name = "jeton de calendrier"

    def __str__(self):
        return f"Calendrier de {self.user}"
