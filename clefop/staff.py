from django.urls import reverse


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
    ]
