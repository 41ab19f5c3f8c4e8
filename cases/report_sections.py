"""More sections for the Bericht an den Jugendhilfeausschuss, from the apps above cases.

The report (seed 001: a coordinator presents the project's work to the committee) holds
more than the § 8a figures: workshops and the results they reached, case reviews and
their lessons. ``cases`` imports none of those apps. An app that contributes names a
function on its ``AppConfig``::

    class ReviewsConfig(AppConfig):
        committee_report_section = "reviews.selectors.committee_report_section"

The function takes ``municipality`` and ``year`` as keywords and returns ``None`` or a
dict ``{"title": str, "rows": [(label, previous year, year), …], "note": str}`` with
aggregates only; a count it must keep secret is ``None`` (shown as "."). An app that
fails does not take the report down: the section says it could not be loaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass
class ReportSection:
    title: str
    rows: list[tuple[str, Any, Any]] = field(default_factory=list)
    note: str = ""
    failed: bool = False


def collect(*, municipality: Any, year: int) -> list[ReportSection]:
    """Every contributing app's section, in app order."""
    out: list[ReportSection] = []
    for config in apps.get_app_configs():
        path = getattr(config, "committee_report_section", None)
        if not path:
            continue
        try:
            data = import_string(path)(municipality=municipality, year=year)
        except Exception:  # a broken section must not take the report down
            logger.exception("committee report section %s failed", path)
            out.append(ReportSection(str(config.verbose_name), failed=True))
            continue
        if data:
            out.append(
                ReportSection(data["title"], list(data.get("rows", [])), data.get("note", ""))
            )
    return out
