from django.urls import reverse


def staff_tiles(request):
    return [
        {
            "title": "Courriels envoyés et en échec",
            "url": reverse("common:outbox"),
            "detail": "En attente, envoyés, en échec (avec l’erreur) ; renvoyer ceux en échec.",
        }
    ]
