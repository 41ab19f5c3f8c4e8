import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Keep files out of the real media folder (tasks run at once: ImmediateBackend)."""
    settings.MEDIA_ROOT = tmp_path / "media"
