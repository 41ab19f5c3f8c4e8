"""Keep the SQLite full-text index free of deleted offers (a derived index, like a cache)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from directory import search
from directory.models import Service


@receiver(post_delete, sender=Service)
def _unindex(sender, instance: Service, **kwargs) -> None:
    search.unindex_services([instance.pk])
