"""/api/v1/ endpoints of the quality app."""

from ninja import Router

router = Router(tags=["Qualitätsentwicklung"])
