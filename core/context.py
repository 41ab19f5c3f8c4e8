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


def current_context() -> ChangeContext:
    """The active context, or a fresh 'system' one when nothing set it."""
    return _current.get() or ChangeContext()


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
