"""/api/v1/ endpoints of the evaluation app."""

from ninja import Router

router = Router(tags=["Evaluation"])
