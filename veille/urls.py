from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

app_name = "veille"

urlpatterns = [
    path("", views.ItemListView.as_view(), name="list"),
    path("rss/", login_not_required(views.RegionFeed()), name="feed_region"),
    path("articles/<int:pk>/", views.ItemDetailView.as_view(), name="detail"),
    path("territoires/<str:code>/", views.TerritoryItemListView.as_view(), name="territory"),
    path("territoires/<str:code>/rss/", login_not_required(views.TerritoryFeed()), name="feed_territory"),
    path("abonnement/", views.SubscriptionView.as_view(), name="subscription"),
    path("desabonnement/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
