""" "Mein Bereich": what is due and waiting for the user, collected from every app.

``core`` imports no domain app. Each app that has something to put in front of a user
names a function on its ``AppConfig``, as it does with ``navigation``::

    class DirectoryConfig(AppConfig):
        due_items = "directory.selectors.due_items_for_user"

The function lives in the app's ``selectors`` (a scoped read), takes ``user`` and
``today`` as keywords and returns a list of :class:`DueItem` that the user may see. An
app that fails to answer must not take the page down: its error is logged and the page
says that the app's items could not be loaded.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueItem:
    """One thing that waits for the user: a deadline, a queue, a date coming up.

    ``count`` for queues ("4 Meldungen warten"), ``when`` for dates; ``overdue`` marks
    what is already late (listed first, highlighted). ``kind`` is a short stable key
    tests and styles can use ("stale_offers", "moderation" …).
    """

    kind: str
    title: str
    url: str
    count: int | None = None
    when: dt.date | dt.datetime | None = None
    overdue: bool = False
    detail: str = ""

    @property
    def has_time(self) -> bool:
        return isinstance(self.when, dt.datetime)


@dataclass
class DueSection:
    """The items of one app, under its name."""

    label: str
    items: list[DueItem] = field(default_factory=list)
    failed: bool = False


def providers() -> list[tuple[str, Callable[..., list[DueItem]]]]:
    """(section label, function) of every installed app that declares ``due_items``."""
    found = []
    for config in apps.get_app_configs():
        path = getattr(config, "due_items", None)
        if path:
            found.append((str(config.verbose_name), import_string(path)))
    return found


def _sort_key(item: DueItem) -> tuple:
    when = item.when
    if isinstance(when, dt.datetime):
        when = when.date()
    return (not item.overdue, when or dt.date.max, item.title)


def due_sections(*, user: Any, today: dt.date) -> list[DueSection]:
    """The non-empty sections for ``user``, overdue items first within each section."""
    sections = []
    for label, provider in providers():
        try:
            items = list(provider(user=user, today=today))
        except Exception:  # one app's bug must not hide everyone else's deadlines
            logger.exception("due items of %s failed", label)
            sections.append(DueSection(label=label, failed=True))
            continue
        if items:
            sections.append(DueSection(label=label, items=sorted(items, key=_sort_key)))
    return sections
