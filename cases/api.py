"""/api/v1/ endpoints of the cases app."""

from ninja import Router

router = Router(tags=["Verfahren nach § 8a SGB VIII"])
