"""The versioned API root: /api/v1/ with its OpenAPI document at /api/v1/openapi.json."""

from analytics.api import router as analytics_router
from cases.api import router as cases_router
from core.api import ProblemNinjaAPI, install_problem_handlers
from directory.api import router as directory_router
from evaluation.api import router as evaluation_router
from instruments.api import router as instruments_router
from network.api import router as network_router
from partners.api import router as partners_router
from profiles.api import router as profiles_router
from quality.api import router as quality_router
from reviews.api import router as reviews_router
from roles.api import router as roles_router
from standards.api import router as standards_router
from trainings.api import router as trainings_router

api = ProblemNinjaAPI(
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
api.add_router("/", profiles_router)
api.add_router("/", quality_router)
api.add_router("/", network_router)
api.add_router("/", directory_router)
api.add_router("/", cases_router)
api.add_router("/", reviews_router)
api.add_router("/analytics", analytics_router)
api.add_router("/", evaluation_router)
api.add_router("/", partners_router)
api.add_router("/", instruments_router)
api.add_router("/", standards_router)
api.add_router("/", trainings_router)
api.add_router("/", roles_router)
