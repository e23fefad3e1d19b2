from django.urls import reverse

from .models import SupportRequest


def staff_tiles(request):
    """Offre de services: support queue, sessions, dispositifs import."""
    open_requests = SupportRequest.objects.open().count()
    return [
        {
            "title": "Demandes d'appui",
            "url": reverse("offer:support_queue"),
            "detail": f"{open_requests} demande(s) ouverte(s) des animateur·rices : attribuer, suivre, répondre.",
        },
        {
            "title": "Sessions de professionnalisation",
            "url": reverse("offer:session_list"),
            "detail": "Programmer une session, suivre les inscriptions et la liste d'attente, saisir les présences.",
        },
        {
            "title": "Importer des dispositifs",
            "url": reverse("offer:dispositif_import"),
            "detail": "Catalogue de l'offre de services : fichier CSV ou XLSX vérifié puis appliqué en une fois.",
        },
    ]
