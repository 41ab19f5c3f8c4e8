import pytest
from django.core.cache import cache

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks(settings):
    """The embedded default backend (tasks wait in the database for `manage.py worker`)."""
    settings.TASKS = DATABASE_TASKS
    settings.TASK_BACKEND = "database"
    cache.clear()
    yield
    cache.clear()
