import pytest

from analytics import services


@pytest.fixture(autouse=True)
def _sync_processing(monkeypatch, settings, tmp_path):
    """Process uploads synchronously and keep files out of the real media folder."""
    monkeypatch.setattr(services, "PROCESS_IN_THREAD", False)
    settings.MEDIA_ROOT = tmp_path / "media"
