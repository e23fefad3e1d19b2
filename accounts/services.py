"""Personal data: everything the portal keeps about a person, and closing one's account.

Each app that holds data about a person declares it in ``<app>/personal_data.py`` with
``export(user) -> dict`` (JSON-serialisable, French keys) and ``erase(user) -> None`` (delete the purely personal
rows, leave governance records whose authorship is the anonymised user row). ``accounts.checks`` verifies that every
app with a link to the user model provides both.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.utils import timezone

from srefop_portal.common.forms import DomainError
from srefop_portal.common.hooks import implementations


class AccountError(DomainError):
    pass


def export_personal_data(*, user) -> dict:
    """Everything kept about the user, by app (each app contributes ``personal_data.export(user)``)."""
    # The signed-in account comes from the cache (srefop_portal.common.middleware.session_user), which a sign-in's
    # « last_login » does not renew: read it from the database.
    user.refresh_from_db(fields=["last_login"])
    data = {
        "compte": {
            "email": user.email,
            "prenom": user.first_name,
            "nom": user.last_name,
            "structure": user.organisation_name,
            "fonction": user.job_title,
            "telephone": user.phone,
            "inscrit_le": user.date_joined.isoformat(),
            "derniere_connexion": user.last_login.isoformat() if user.last_login else None,
            "equipe_cariforef": user.is_cariforef_staff,
            "recoit_courriel_actions_en_retard": user.receive_overdue_emails,
            "adresses": list(user.emailaddress_set.order_by("pk").values("email", "verified", "primary")),
            "double_authentification": list(user.authenticator_set.values_list("type", flat=True)),
            "connexions_proconnect": [
                {"identifiant": a.uid, "liee_le": a.date_joined.isoformat(), "donnees": a.extra_data}
                for a in user.socialaccount_set.all()
            ],
        },
        "notifications": [
            {"date": n.created_at.isoformat(), "message": n.message, "lien": n.url} for n in user.notices.all()
        ],
        "taches": [
            {"type": j.kind, "statut": j.status, "date": j.created_at.isoformat(), "fichier": j.filename}
            for j in user.jobs.all()
        ],
    }
    for config, export in implementations("personal_data.export"):
        data[config.label] = export(user)
    return data


def placeholder_email(user) -> str:
    """A unique address that names no one and can receive nothing (.invalid is reserved, RFC 2606)."""
    return f"ancien-membre-{user.pk}@compte-ferme.invalid"


def _delete_sessions(user) -> None:
    engine = import_module(settings.SESSION_ENGINE)
    store = engine.SessionStore
    if not hasattr(store, "get_model_class"):  # sessions kept outside the database: the new password hash ends them
        return
    for session in store.get_model_class().objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            store(session.session_key).delete()


@transaction.atomic
def close_account(*, user) -> None:
    """Close the account: personal fields erased, what is purely personal deleted, governance records kept.

    The user row stays (anonymised, inactive) so that actions, notes, documents and the roadmap history keep their
    author link, shown as « ancien membre » (``User.get_full_name``).
    """
    if user.is_superuser:
        raise AccountError("Un compte d’administration technique ne peut pas être fermé depuis le portail.")
    if user.closed_at:
        raise AccountError("Ce compte est déjà fermé.")
    erasers = list(implementations("personal_data.erase"))
    # The common base (the outbox) last: an app's erasure may still queue an e-mail (a session place freed...).
    erasers.sort(key=lambda item: item[0].label == "common")
    for _config, erase in erasers:
        erase(user)  # before the address is replaced: invitations and e-mails are found by address
    user.emailaddress_set.all().delete()
    user.authenticator_set.all().delete()
    if hasattr(user, "socialaccount_set"):  # ProConnect, when allauth.socialaccount is installed
        user.socialaccount_set.all().delete()
    user.notices.all().delete()
    _delete_sessions(user)
    user.email = placeholder_email(user)
    user.first_name = user.last_name = ""
    user.organisation_name = user.job_title = user.phone = ""
    user.is_active = user.is_staff = user.is_cariforef_staff = False
    user.receive_overdue_emails = False
    user.closed_at = timezone.now()
    user.set_unusable_password()
    user.save()
