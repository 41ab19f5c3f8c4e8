"""JSON log lines with the request id; error reports that carry no personal data."""

from __future__ import annotations

import json
import logging
import sys

from core.choices import AuditSource
from core.context import change_context
from operations.logs import ErrorReportHandler, JsonFormatter, RequestIdFilter, error_report


def _record(msg: str, *args, exc: bool = False, **extra) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("Kind Mia Muster, geb. 01.02.2020, Musterweg 1")
        except ValueError:
            exc_info = sys.exc_info()
    record = logging.getLogger("ksqm.test").makeRecord(
        "ksqm.test", logging.ERROR, __file__, 10, msg, args, exc_info, extra=extra
    )
    RequestIdFilter().filter(record)
    return record


def test_json_line_carries_the_request_id_and_extras():
    with change_context(AuditSource.WEB) as ctx:
        line = JsonFormatter().format(_record("upload %s done", 7, task="convert"))
    data = json.loads(line)
    assert data["message"] == "upload 7 done" and data["level"] == "ERROR"
    assert data["request_id"] == str(ctx.request_id) and data["task"] == "convert"


def test_outside_a_request_the_id_is_a_dash():
    assert json.loads(JsonFormatter().format(_record("x")))["request_id"] == "-"


def test_error_report_names_the_place_not_the_person():
    report = error_report(_record("failed for %s", "Mia Muster", exc=True))
    text = json.dumps(report)
    assert "Mia" not in text and "Musterweg" not in text and "2020" not in text
    assert report["exception"] == "builtins.ValueError"
    assert report["frames"][-1]["function"] == "_record"


def test_error_report_handler_posts_json_and_never_raises(monkeypatch):
    sent: list[bytes] = []

    class Response:
        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

    def urlopen(request, timeout):
        sent.append(request.data)
        return Response()

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    handler = ErrorReportHandler("http://collector.invalid/report")
    handler.emit(_record("boom for %s", "Mia Muster", exc=True))
    assert len(sent) == 1 and b"Mia" not in sent[0]

    def refuse(request, timeout):
        raise OSError("collector down")

    monkeypatch.setattr("urllib.request.urlopen", refuse)
    monkeypatch.setattr(logging, "raiseExceptions", False)
    handler.emit(_record("x", exc=True))  # does not raise
