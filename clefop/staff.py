from django.urls import reverse

from srefop_portal.common.wording import count


def staff_tiles(request):
    return [
        {
            "title": "Annuaire des acteurs",
            "url": reverse("clefop:directory"),
            "detail": "Tous les membres des instances, filtrés par territoire, instance, structure ou fonction ; "
            "export XLSX.",
        },
        {
            "title": "Importer des membres",
            "url": reverse("clefop:member_import"),
            "detail": "Fichier CSV ou XLSX vérifié avant tout enregistrement, appliqué en une fois.",
        },
        {
            "title": "Structures",
            "url": reverse("clefop:organisation_list"),
            "detail": "Les structures représentées dans les instances : créer, corriger.",
        },
        *offer_tiles(),
    ]


def offer_tiles():
    """Offre de services: support queue, sessions, dispositifs import."""
    from .models import SupportRequest

    open_requests = SupportRequest.objects.open().count()
    return [
        {
            "title": "Demandes d’appui",
            "url": reverse("clefop:support_queue"),
            "detail": f"{count(open_requests, 'demande ouverte', 'demandes ouvertes')} des animateur·rices : "
            "attribuer, suivre, répondre.",
        },
        {
            "title": "Sessions de professionnalisation",
            "url": reverse("clefop:session_list"),
            "detail": "Programmer une session, suivre les inscriptions et la liste d'attente, saisir les présences.",
        },
        {
            "title": "Importer des dispositifs",
            "url": reverse("clefop:dispositif_import"),
            "detail": "Catalogue de l'offre de services : fichier CSV ou XLSX vérifié puis appliqué en une fois.",
        },
    ]
