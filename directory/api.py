"""/api/v1/ endpoints of the directory app."""

from ninja import Router

router = Router(tags=["Frühe Hilfen"])
