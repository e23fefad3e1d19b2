from django.urls import reverse


def staff_tiles(request):
    return [
        {
            "title": "Composition des territoires",
            "url": reverse("territories:composition_import"),
            "detail": "Importer le fichier officiel « Territoires EFOP par communes ».",
        },
        {
            "title": "Historique de la composition",
            "url": reverse("territories:composition_history"),
            "detail": "Chaque déplacement de commune ou d’EPCI : qui, quand, avant, après.",
        },
        {
            "title": "Administration technique",
            "url": reverse("admin:index"),
            "detail": "Interface d’administration Django.",
        },
    ]
