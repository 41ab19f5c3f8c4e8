"""The one way the platform sends e-mail.

A mail is a template with two partials, ``subject`` and ``body``
(``{% partialdef subject %}…{% endpartialdef %}``), rendered once per recipient
language with that language active, so dates and numbers come out in the reader's
format (``{{ day|date:"SHORT_DATE_FORMAT" }}`` → ``06.12.2026`` / ``12/06/2026``) and
gettext strings in the reader's language. Nothing leaves before the surrounding
transaction commits (a rolled-back sign-up has announced nothing), and the sending itself
is a background task with retries, so a slow or unreachable mail server never holds up a
request and a temporary failure is tried again.

Each recipient gets a message of their own: addresses of other recipients are never
disclosed, and a retry re-sends only the message that failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core import crypto
from core.tasks import durable_task, enqueue_on_commit


@dataclass(frozen=True)
class Recipient:
    """An address and the language its reader gets the mail in (``""``: the default)."""

    email: str
    language: str = ""


def _recipient(value: Any) -> Recipient:
    if isinstance(value, Recipient):
        return value
    if isinstance(value, str):
        return Recipient(email=value)
    # A user account: the language the person last chose in the interface (UserPreference).
    try:
        language = value.preference.language
    except (AttributeError, ObjectDoesNotExist):
        language = ""
    return Recipient(email=getattr(value, "email", "") or "", language=language)


def _render(template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        subject = render_to_string(f"{template}#subject", context)
        body = render_to_string(f"{template}#body", context)
    # A subject is one line (a header); template whitespace must not break it.
    return " ".join(subject.split()), body.strip() + "\n"


def render_mail(*, template: str, context: dict[str, Any], language: str = "") -> tuple[str, str]:
    """``(subject, body)`` of ``template`` in ``language`` (preview, tests)."""
    return _render(template, context, language or settings.LANGUAGE_CODE)


def mail_send(
    *,
    template: str,
    context: dict[str, Any],
    to: Iterable[Recipient | str | Any],
    language: str = "",
) -> int:
    """Render ``template`` per recipient language and send it after the commit.

    ``to`` takes addresses, :class:`Recipient` (address + language) or user accounts;
    empty and duplicate addresses are dropped. ``language`` is the default for recipients
    without one (otherwise ``settings.LANGUAGE_CODE``). Returns how many mails were queued.
    """
    default_language = language or settings.LANGUAGE_CODE
    seen: set[str] = set()
    rendered: dict[str, tuple[str, str]] = {}
    queued = 0
    for value in to:
        recipient = _recipient(value)
        address = recipient.email.strip()
        if not address or address.lower() in seen:
            continue
        seen.add(address.lower())
        lang = recipient.language or default_language
        if lang not in rendered:
            rendered[lang] = _render(template, context, lang)
        subject, body = rendered[lang]
        # Sealed with the data key: the queue (a database table or Redis) must not hold
        # names or personal links in clear text while the mail waits or after it left.
        enqueue_on_commit(
            send_mail_message,
            subject=crypto.encrypt(subject),
            body=crypto.encrypt(body),
            to=address,
        )
        queued += 1
    return queued


@durable_task(attempts=5, retry_delay=60, queue_name="default")
def send_mail_message(*, subject: str, body: str, to: str) -> None:
    """Send one rendered, sealed message (a task: retried when the mail server fails)."""
    EmailMessage(
        subject=crypto.decrypt(subject),
        body=crypto.decrypt(body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    ).send()
