from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from srefop_portal.common.second_factor import lacks_second_factor

# How a closed account is named wherever its contributions are shown (history, notes, documents…).
CLOSED_ACCOUNT_LABEL = "ancien membre"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L’adresse électronique est obligatoire.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("is_cariforef_staff", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person using the portal. Signs in with an e-mail address."""

    username = None
    email = models.EmailField("adresse électronique", unique=True)
    organisation_name = models.CharField("structure", max_length=200, blank=True)
    job_title = models.CharField("fonction", max_length=200, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_cariforef_staff = models.BooleanField(
        "équipe Cariforef",
        default=False,
        help_text="Administre les territoires, instances, membres, indicateurs et la veille.",
    )
    is_staff = models.BooleanField(  # Django's French help text has a straight apostrophe
        "statut équipe",
        default=False,
        help_text="Précise si la personne peut se connecter au site d’administration technique.",
    )
    is_demo = models.BooleanField("compte de démonstration", default=False)
    receive_overdue_emails = models.BooleanField(
        "recevoir le courriel hebdomadaire des actions en retard", default=True
    )
    closed_at = models.DateTimeField(
        "compte fermé le",
        null=True,
        blank=True,
        help_text="Compte fermé par la personne : ses données personnelles sont effacées, ses contributions restent "
        "au nom d’« ancien membre ».",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur·rice"
        verbose_name_plural = "utilisateur·rices"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.display_name

    def get_full_name(self):
        if self.closed_at:
            return CLOSED_ACCOUNT_LABEL
        return super().get_full_name()

    @property
    def display_name(self) -> str:
        full = self.get_full_name().strip()
        return full or self.email

    def has_perm(self, perm, obj=None):
        # A superuser's shortcut (every permission) and the admin's model permissions need a session that passed the
        # second factor; without one, the account has the permissions of a plain signed-in user (rules only).
        if lacks_second_factor(self):
            import rules

            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if lacks_second_factor(self):
            return False
        return super().has_module_perms(app_label)

    def save(self, *args, **kwargs):
        if self.email:
            self.email = self.email.strip().lower()
        super().save(*args, **kwargs)
