"""Demonstration accounts for the roles that exist in accounts itself (staff, signed-in user)."""

from allauth.account.models import EmailAddress

from .models import User

DEMO_PASSWORD = "demo-srefop-2026"
# A fixed TOTP secret for the demo staff account, documented in the README, so that the second
# factor required from staff can be set up in an authenticator app in demo mode.
DEMO_STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPSREFOPDEMO234567"


def ensure_demo_user(email: str, *, first_name: str, last_name: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"first_name": first_name, "last_name": last_name, "is_demo": True, **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def ensure_totp(user, secret: str = DEMO_STAFF_TOTP_SECRET):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)})


def load_demo():
    staff = ensure_demo_user(
        "cariforef@demo.srefop.fr",
        first_name="Camille",
        last_name="Durand (démo)",
        organisation_name="Carif-Oref des Pays de la Loire (démo)",
        job_title="Chargée de mission gouvernance",
        is_cariforef_staff=True,
        is_staff=True,
    )
    ensure_totp(staff)
    ensure_demo_user(
        "acteur@demo.srefop.fr",
        first_name="Dominique",
        last_name="Martin (démo)",
        organisation_name="Organisme de formation (démo)",
        job_title="Responsable de formation",
    )
    return {
        "message": "comptes équipe Cariforef et acteur sans instance",
        "accounts": [
            ("Équipe Cariforef (TOTP : " + DEMO_STAFF_TOTP_SECRET + ")", "cariforef@demo.srefop.fr"),
            ("Acteur connecté, sans instance", "acteur@demo.srefop.fr"),
        ],
    }
