from django.apps import AppConfig


class ReperesConfig(AppConfig):
    name = "reperes"
    verbose_name = "Repères territoriaux"
