"""Keep the search index (a derived cache of interests, topics, outcomes) in step.

Signals only maintain that cache (STYLE §7.3); business rules and audit stay in services.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from quality.models import DevelopmentInterest, Outcome, Topic
from quality.search import invalidate_similarity_cache, search_index_remove, search_index_update


def _saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    search_index_update(instance)


def _deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    search_index_remove(instance)
    invalidate_similarity_cache()


def connect() -> None:
    for model in (DevelopmentInterest, Topic, Outcome):
        post_save.connect(_saved, sender=model, dispatch_uid=f"quality-search-save-{model}")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"quality-search-del-{model}")
