"""The one shape of a commune profile: what the parser returns, the importer writes and the
read model (page and API) gives back.

Pure typing (no Django), so the parser stays importable without Django. ``id`` on an item
exists only in the read model's page form, where items link to their edit and similar-item
pages; ``source`` and ``warnings`` only in the parser's output.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

ProfileKind = Literal["model", "partner"]


class ProfileItemNode(TypedDict):
    """One bullet of a profile list, with its indented sub-items."""

    text: str
    children: list[ProfileItemNode]
    id: NotRequired[int]
    # Page form only: the status of an outcome that is neither achieved nor planned
    # ("in Umsetzung", "verworfen"), so it is not shown as merely planned.
    status_label: NotRequired[str]


class OutcomeGroup(TypedDict):
    achieved: list[ProfileItemNode]
    planned: list[ProfileItemNode]


class ProfileOutcomes(TypedDict):
    municipal: OutcomeGroup
    cross_cluster: OutcomeGroup


class Profile(TypedDict):
    """A commune profile (DESIGN.md §5) as plain, JSON-serialisable data."""

    kind: ProfileKind | None
    name: str
    website: str | None
    state: str | None  # a name from registry.constants.STATE_NAMES
    cluster: int | None
    model_municipality: str | None
    partners: list[str]
    interests: list[ProfileItemNode]
    participants: list[ProfileItemNode]
    topics: list[ProfileItemNode]
    outcomes: ProfileOutcomes
    highlights: str | None
    notes: list[str]
    # Parser output only:
    source: NotRequired[str]
    warnings: NotRequired[list[str]]
    # Read model only:
    slug: NotRequired[str]
    body_kind: NotRequired[str]
