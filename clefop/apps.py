from django.apps import AppConfig


class ClefopConfig(AppConfig):
    name = "clefop"
    verbose_name = "Instances"
