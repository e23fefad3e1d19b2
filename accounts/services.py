"""Personal data: export everything the portal keeps about a person, and account deletion."""

from __future__ import annotations

from django.db import transaction

from srefop_portal.common.plugins import app_modules


class AccountError(Exception):
    pass


def export_personal_data(*, user) -> dict:
    """Everything kept about the user, by app (each app contributes ``personal_data.export(user)``)."""
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
            "adresses": list(user.emailaddress_set.values("email", "verified", "primary")),
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
    for config, module in app_modules("personal_data"):
        if hasattr(module, "export"):
            data[config.label] = module.export(user)
    return data


@transaction.atomic
def delete_account(*, user) -> None:
    """Delete the account. Contributions (actions, notes, documents) stay, without their author."""
    if user.is_superuser:
        raise AccountError("Un compte d'administration technique ne peut pas être supprimé depuis le portail.")
    for _config, module in app_modules("personal_data"):
        if hasattr(module, "before_delete"):
            module.before_delete(user)
    user.delete()
