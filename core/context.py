"""Request metadata for the audit trail, set by middleware or by a CLI context manager.

A ContextVar rather than thread-locals: it follows the code into async views and keeps
management commands and imports just as traceable as web requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from core.choices import AuditSource


@dataclass(frozen=True)
class ChangeContext:
    source: str = AuditSource.SYSTEM
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)


_current: ContextVar[ChangeContext | None] = ContextVar("ksqm_change_context", default=None)

# The request id recorded for anything done on behalf of an anonymous reporter: the same
# for all of them, so it links nothing to a request, a proxy log line or a time.
UNTRACED_REQUEST_ID = uuid.UUID(int=0)

# Path prefixes of anonymous reporting endpoints: their responses carry no request id,
# also when they fail before a view runs (e.g. a 422 of the API's input validation).
# Apps add theirs in ``AppConfig.ready``.
UNTRACED_PATH_PREFIXES: set[str] = set()


def current_context() -> ChangeContext:
    """The active context, or a fresh 'system' one when nothing set it."""
    return _current.get() or ChangeContext()


@contextmanager
def untraced_context() -> Iterator[ChangeContext]:
    """Anything written inside carries no request id of its own (anonymous reporting)."""
    ctx = ChangeContext(source=current_context().source, request_id=UNTRACED_REQUEST_ID)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def mark_untraced(request: object) -> None:
    """Tell the middleware not to hand this request's id to the (anonymous) sender."""
    request.ksqm_untraced = True  # type: ignore[attr-defined]


def is_untraced(request: object) -> bool:
    """Whether the response to ``request`` must carry no request id."""
    if getattr(request, "ksqm_untraced", False):
        return True
    path = getattr(request, "path", "")
    return any(path.startswith(prefix) for prefix in UNTRACED_PATH_PREFIXES)


@contextmanager
def change_context(source: str, request_id: uuid.UUID | None = None) -> Iterator[ChangeContext]:
    """Mark every audit row written inside the block with ``source`` and one request id."""
    ctx = ChangeContext(source=source, request_id=request_id or uuid.uuid4())
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def active_context() -> ChangeContext | None:
    """The context set by middleware or a command, or None (logging: no request id)."""
    return _current.get()
