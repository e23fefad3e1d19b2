from django.urls import reverse


def staff_tiles(request):
    return [
        {
            "title": "Repères : imports d’indicateurs",
            "url": reverse("reperes_staff:import_list"),
            "detail": "Importer des valeurs (CSV, XLSX), vérifier avant d’appliquer, historique et annulation.",
        },
        {
            "title": "Repères : catalogue des indicateurs",
            "url": reverse("reperes_staff:indicator_list"),
            "detail": "Libellés, sources, méthodes, règles d’agrégation, visibilité publique ou membres.",
        },
    ]
