"""/api/v1/ endpoints of the network app."""

from ninja import Router

router = Router(tags=["Netzwerk"])
