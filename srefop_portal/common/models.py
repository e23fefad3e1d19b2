"""Background jobs (imports, exports, PDF builds) with progress, file, fingerprint and notices."""

import uuid
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .second_factor import has_staff_powers


class JobQuerySet(models.QuerySet):
    def for_user(self, user):
        """Jobs a user may follow: their own ones (staff: all). Kind-specific access is checked on top."""
        if not user or not user.is_authenticated:
            return self.none()
        if has_staff_powers(user):
            return self
        return self.filter(requester=user)


def job_file_path(instance, filename):
    return f"jobs/{instance.kind.replace('.', '-')}/{instance.uuid}/{filename}"


class Job(models.Model):
    STALE_AFTER = timedelta(seconds=30)  # no heartbeat for this long (one every 5 s): its worker is gone
    # Kinds whose work may stay silent longer (fanned out to several tasks): filled by jobs.register_job_kind
    stale_after_by_kind: ClassVar[dict[str, timedelta]] = {}

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échoué"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("type", max_length=60, db_index=True)
    params = models.JSONField("paramètres", default=dict, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("avancement", default=0)
    message = models.CharField("message", max_length=500, blank=True)
    result = models.JSONField("résultat", default=dict, blank=True)
    file = models.FileField("fichier", upload_to=job_file_path, blank=True, max_length=300)
    filename = models.CharField("nom du fichier", max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    fingerprint = models.CharField("empreinte des données", max_length=200, blank=True, db_index=True)
    error = models.TextField("erreur", blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    parts_total = models.PositiveIntegerField(default=0)
    parts_done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    file_expires_at = models.DateTimeField("fichier disponible jusqu’au", null=True, blank=True)
    file_deleted = models.BooleanField("fichier expiré", default=False)
    notified = models.BooleanField(default=False)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "tâche de fond"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["kind", "fingerprint", "status"]),
            models.Index(fields=["status", "heartbeat_at"]),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def seems_stalled(self) -> bool:
        """Running without a heartbeat for STALE_AFTER: its worker died, the job is about to be resumed."""
        if self.status != self.Status.RUNNING or self.heartbeat_at is None:
            return False
        return self.heartbeat_at < timezone.now() - self.stale_after_by_kind.get(self.kind, self.STALE_AFTER)

    @property
    def is_resumed(self) -> bool:
        return self.status == self.Status.PENDING and self.attempts > 0

    @property
    def has_file(self) -> bool:
        return bool(self.file) and not self.file_deleted

    def get_absolute_url(self):
        return reverse("common:job_detail", args=[self.uuid])

    def get_download_url(self):
        return reverse("common:job_download", args=[self.uuid])


class Notice(models.Model):
    """A notice shown to a user in the portal (e.g. "your report is ready")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    message = models.CharField("message", max_length=500)
    url = models.CharField("lien", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.message


class OutboxMessageQuerySet(models.QuerySet):
    def for_user(self, user):
        """The outbox is a staff tool: staff see every message, others none."""
        if user and user.is_authenticated and (user.is_cariforef_staff or user.is_superuser):
            return self
        return self.none()

    def due(self, now):
        return self.filter(status=OutboxMessage.Status.QUEUED, next_attempt_at__lte=now)


class OutboxMessage(models.Model):
    """One e-mail to send: written in the same transaction as the change it tells about, sent by a Celery task after
    commit, retried with back-off, failed (with the error) after ``SREFOP_MAIL_MAX_ATTEMPTS`` tries."""

    class Status(models.TextChoices):
        QUEUED = "queued", "En attente d’envoi"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec"

    kind = models.CharField("type", max_length=80, blank=True, db_index=True)
    to = models.JSONField("destinataires", default=list)
    subject = models.CharField("objet", max_length=300)
    body = models.TextField("texte")
    html_body = models.TextField("version HTML", blank=True)
    headers = models.JSONField("en-têtes", default=dict, blank=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    next_attempt_at = models.DateTimeField("prochain essai", null=True, blank=True)
    last_attempt_at = models.DateTimeField("dernier essai", null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "courriel"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)} ({self.get_status_display()})"
