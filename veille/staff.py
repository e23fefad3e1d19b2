from django.urls import reverse

from .models import NewsItem, Source


def staff_tiles(request):
    failing = Source.objects.filter(last_fetch_status=Source.FetchStatus.ERROR).count()
    drafts = NewsItem.objects.filter(status=NewsItem.Status.DRAFT).count()
    return [
        {
            "title": "Veille : sources",
            "url": reverse("veille_staff:source_list"),
            "detail": f"Flux suivis, collecte, état des sources ({failing} en échec)."
            if failing
            else "Flux suivis, collecte, état des sources.",
        },
        {
            "title": "Veille : articles",
            "url": reverse("veille_staff:item_list"),
            "detail": f"Ajouter, corriger, masquer, mettre à la une ({drafts} brouillon{'s' if drafts > 1 else ''}).",
        },
        {
            "title": "Veille : corrections d'étiquetage",
            "url": reverse("veille_staff:correction_list"),
            "detail": "Termes qui n'étiquettent plus (ou toujours) un territoire, par source ou partout.",
        },
        {
            "title": "Veille : thèmes et mots-clés",
            "url": reverse("veille_staff:theme_list"),
            "detail": "Règles de reconnaissance des thèmes, nouvel étiquetage.",
        },
    ]
