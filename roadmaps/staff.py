from django.urls import reverse


def staff_tiles(request):
    return [
        {
            "title": "Référentiel du Srefop",
            "url": reverse("roadmaps:referential"),
            "detail": "Enjeux, ambitions et fiches-ambitions ; import des préconisations (CSV ou XLSX).",
        },
        {
            "title": "Pilotage régional des feuilles de route",
            "url": reverse("roadmaps:dashboard_region"),
            "detail": "État des feuilles de route des 18 territoires, avancement, actions en retard.",
        },
        {
            "title": "Couverture des préconisations",
            "url": reverse("roadmaps:coverage"),
            "detail": "Préconisations × territoires : nombre d’actions qui les mettent en œuvre.",
        },
    ]
