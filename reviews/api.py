"""/api/v1/ endpoints of the reviews app."""

from ninja import Router

router = Router(tags=["Aus Fehlern lernen"])
