"""The versioned API root: /api/v1/ with its OpenAPI document at /api/v1/openapi.json."""

from ninja import NinjaAPI

from core.api import install_problem_handlers
from registry.api import router as registry_router

api = NinjaAPI(
    title="Kinderschutz-QM API",
    version="1.0.0",
    description=(
        "Qualitätsmanagement im Kinderschutz. Öffentliche Registerdaten ohne Anmeldung; "
        "Schreibzugriffe mit persönlichem API-Token (`Authorization: Bearer ksqm_…`)."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
)
install_problem_handlers(api)
api.add_router("/", registry_router)
