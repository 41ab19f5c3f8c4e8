"""Scoped reads of the partner side: the chokepoints, lists, the pool, the intake.

``record_get_for_user``, ``consultation_get_for_insofa`` and ``message_get_for_jugendamt``
are the only ways views and the API obtain these rows; each writes an ``AccessLog`` row
(the sanctioned write in a selector, STYLE §7.5). "Not found" and "not yours" are the same
404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import crypto, permissions
from core.audit import access_log_record
from core.constants import SUPPRESSION_THRESHOLD
from partners.choices import (
    ConsultationStatus,
    Decision,
    MessageStatus,
    PartnerActivity,
    RecordStatus,
    SignOffRule,
)
from partners.models import (
    AgreementTerms,
    Consultation,
    InsofaPoolMember,
    PartnerEvent,
    PartnerMessage,
    PartnerRecord,
    StaffBinding,
    StaffInvitation,
)

NOT_FOUND = "Nicht gefunden."


def _parse_code(code: Any) -> uuid.UUID:
    try:
        return code if isinstance(code, uuid.UUID) else uuid.UUID(str(code))
    except (TypeError, ValueError, AttributeError):
        raise Http404(NOT_FOUND) from None


def binding_for(*, user: Any) -> StaffBinding | None:
    """The user's institution binding, when she also holds an institution role there."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    binding = (
        StaffBinding.objects.select_related("institution", "municipality").filter(user=user).first()
    )
    if binding is None:
        return None
    if not permissions.has_permission(
        user, permissions.VIEW, permissions.PARTNERS, binding.municipality_id
    ):
        return None
    return binding


# --- the institution's own records --------------------------------------------------------


def records_for_user(*, user: Any) -> QuerySet[PartnerRecord]:
    """Records of the one institution the user is bound to (nothing for anyone else)."""
    return _records_of(user, binding_for(user=user))


def _records_of(user: Any, binding: StaffBinding | None) -> QuerySet[PartnerRecord]:
    if binding is None:
        return PartnerRecord.objects.none()
    # Both equalities (the binding's institution AND its commune) besides the role gate:
    # the dashboard's indexes start with (institution, municipality).
    return PartnerRecord.objects.visible_to(user).filter(
        institution_id=binding.institution_id, municipality_id=binding.municipality_id
    )


def record_list(
    *, user: Any, status: str = "", decision: str = "", q: str = ""
) -> QuerySet[PartnerRecord]:
    # No JOIN (the institution is one per list, prefetched in one query; the message is
    # not shown in lists): with the planner's statistics, SQLite started a JOIN at the
    # one-row institution table and sorted all the institution's records instead of
    # reading the noticed index, and a later page made both databases join every skipped
    # row with its message.
    # Lists show no free text: the encrypted fields are neither loaded nor decrypted.
    qs = (
        records_for_user(user=user)
        .defer("indications", "assessment_summary", "talk_omitted_reason", "help_towards")
        .prefetch_related("institution")
    )
    if status:
        qs = qs.filter(status=status)
    if decision:
        qs = qs.filter(decision=decision)
    if q:
        qs = qs.filter(child_code__icontains=q)
    return qs.order_by("-noticed_on", "-id")


def record_get_for_user(*, user: Any, code: Any, purpose: str) -> PartnerRecord:
    """THE chokepoint of partner records: 404 unless the user's own institution; logs."""
    parsed = _parse_code(code)
    record = (
        records_for_user(user=user)
        .select_related("institution", "municipality", "author", "signed_by")
        .filter(code=parsed)
        .first()
    )
    if record is None:
        raise Http404(NOT_FOUND)
    access_log_record(
        actor=user, target=record, municipality_id=record.municipality_id, purpose=purpose
    )
    return record


def record_message(record: PartnerRecord) -> PartnerMessage | None:
    """The record's Mitteilung (the sender's view: receipt, status, feedback)."""
    return PartnerMessage.objects.filter(record=record).first()


def record_dashboard(*, user: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """Counts for the institution's start page: four aggregate queries, each one range of
    a covering index (no row is loaded, whatever the number of records).

    * all records, and the drafts — ``partners_rec_inst_noticed`` / ``partners_rec_inst_status``
    * monitored records due for review — ``partners_rec_inst_review``
    * Mitteilungen with and without feedback — ``partners_msg_inst_feedback``; a message
      carries its record's institution, so no join or subquery over the records.

    The naive way (load the records and their messages, count in Python) and the former
    subquery version are the peers in ``bench/partners_dashboard.py``.
    """
    binding = binding_for(user=user)
    if binding is None:
        return dict.fromkeys(
            ("total", "drafts", "review_due", "messages_open", "feedback_received"), 0
        )
    records = _records_of(user, binding)
    today = timezone.localdate(now) if now else timezone.localdate()
    counts: dict[str, Any] = {
        "total": records.count(),
        "drafts": records.filter(status=RecordStatus.DRAFT).count(),
        "review_due": records.filter(decision=Decision.MONITOR, review_on__lte=today).count(),
    }
    messages = PartnerMessage.objects.visible_to(user).filter(
        institution_id=binding.institution_id, municipality_id=binding.municipality_id
    )
    counts.update(
        messages.aggregate(
            messages_open=Count("id", filter=Q(feedback_at__isnull=True)),
            feedback_received=Count("id", filter=Q(feedback_at__isnull=False)),
        )
    )
    return counts


def staff_of_institution(*, user: Any) -> tuple[QuerySet[StaffBinding], QuerySet[StaffInvitation]]:
    """The lead's staff page: people bound to her institution and open invitations."""
    binding = binding_for(user=user)
    if binding is None or not permissions.has_permission(
        user, permissions.MANAGE_MEMBERS, permissions.PARTNERS, binding.municipality_id
    ):
        raise Http404(NOT_FOUND)
    staff = StaffBinding.objects.filter(institution_id=binding.institution_id).select_related(
        "user"
    )
    invitations = StaffInvitation.objects.filter(
        institution_id=binding.institution_id, accepted_at__isnull=True, revoked_at__isnull=True
    )
    return staff.order_by("user__last_name", "user__username"), invitations


def staff_binding_get_for_lead(*, user: Any, pk: int) -> StaffBinding:
    staff, _invitations = staff_of_institution(user=user)
    found = staff.filter(pk=pk).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


# --- the coordination's rules for the institutions ------------------------------------------


def rules_communes_for_user(*, user: Any) -> QuerySet[Any]:
    """Communes whose partner rules ``user`` may change (NETWORK change: the coordination)."""
    from registry.models import Municipality

    allowed = permissions.municipality_ids_for(user, permissions.CHANGE, permissions.NETWORK)
    communes = Municipality.objects.order_by("name")
    if allowed == permissions.ALL:
        return communes
    return communes.filter(pk__in=allowed)


def rules_commune_get(*, user: Any, slug: str) -> Any:
    """One commune of :func:`rules_communes_for_user`, else 404 (not yours = not found)."""
    found = rules_communes_for_user(user=user).filter(slug=slug).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found


def agreements_with_terms(
    *, user: Any, municipality: Any
) -> list[tuple[Any, AgreementTerms | None]]:
    """The commune's agreements (network's selector) with the terms each records."""
    from network.selectors import agreement_list_for_user

    agreements = list(agreement_list_for_user(user=user, municipality=municipality))
    terms = {
        t.agreement_id: t
        for t in AgreementTerms.objects.filter(agreement__in=[a.pk for a in agreements])
    }
    return [(a, terms.get(a.pk)) for a in agreements]


def agreement_get_for_rules(*, user: Any, municipality: Any, pk: int) -> Any:
    """An agreement of ``municipality`` the user may change (404 otherwise)."""
    from network.selectors import agreement_get_for_user

    agreement = agreement_get_for_user(user=user, pk=pk, action=permissions.CHANGE)
    if agreement.municipality_id != municipality.pk:
        raise Http404(NOT_FOUND)
    return agreement


def agreement_terms_of(agreement: Any) -> AgreementTerms | None:
    """The terms an agreement records, if any (the agreement came through a chokepoint)."""
    return AgreementTerms.objects.filter(agreement=agreement).first()


def rules_for_institution(*, institution: Any) -> dict[str, Any]:
    """What applies to one institution: who signs, how long records are kept, the legal
    basis and scope of the Jugendamt's feedback — shown to its staff."""
    from partners.services import feedback_basis_for, settings_for, sign_off_rule_for

    basis, scope = feedback_basis_for(institution)
    return {
        "sign_off_rule": SignOffRule(sign_off_rule_for(institution)).label,
        "retention_years": settings_for(
            municipality_id=institution.municipality_id
        ).retention_years,
        "feedback_basis": basis,
        "feedback_scope": scope,
    }


# --- the insoFa pool ------------------------------------------------------------------------


def pool_for_municipality(*, municipality: Any) -> QuerySet[InsofaPoolMember]:
    """The commune's own pool plus the cluster-wide members of its Kinderschutzcluster."""
    condition = Q(municipality=municipality)
    if municipality.cluster_id:
        condition |= Q(cluster_wide=True, municipality__cluster_id=municipality.cluster_id)
    return InsofaPoolMember.objects.filter(condition).select_related("municipality", "institution")


def pool_search(
    *,
    municipality: Any,
    specialism: str = "",
    language: str = "",
    available_only: bool = True,
) -> list[InsofaPoolMember]:
    """The pool filtered by specialism, language and availability (JSON lists: in Python,
    the pool of a commune is a few dozen people)."""
    members = list(pool_for_municipality(municipality=municipality).order_by("name"))
    if available_only:
        members = [m for m in members if m.available]
    if specialism:
        members = [m for m in members if specialism in (m.specialisms or [])]
    if language:
        wanted = language.strip().lower()
        members = [m for m in members if wanted in (m.languages or [])]
    return members


def pool_for_coordination(*, user: Any) -> QuerySet[InsofaPoolMember]:
    """Pool members the user may manage (NETWORK change: the coordination)."""
    return (
        InsofaPoolMember.objects.visible_to(user, permissions.CHANGE)
        .select_related("municipality", "institution", "agreement", "user")
        .annotate(
            consultations_done=Count(
                "consultations", filter=Q(consultations__status=ConsultationStatus.DONE)
            )
        )
        .order_by("municipality__name", "name")
    )


def pool_member_get_for_coordination(*, user: Any, code: Any) -> InsofaPoolMember:
    parsed = _parse_code(code)
    member = pool_for_coordination(user=user).filter(code=parsed).first()
    if member is None:
        raise Http404(NOT_FOUND)
    return member


def pool_edit_choices(*, user: Any, member: InsofaPoolMember) -> dict[str, Any]:
    """What a pool member can be linked to: institutions and agreements of her commune
    (through their apps' selectors) and the commune's accounts with the insoFa role."""
    from django.contrib.auth import get_user_model

    from core.choices import Role
    from network.selectors import agreement_list_for_user
    from registry.models import Institution

    municipality = member.municipality
    accounts = (
        get_user_model()
        .objects.filter(
            memberships__municipality=municipality,
            memberships__role=Role.INSOFA,
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "username")
    )
    return {
        "institutions": Institution.objects.filter(municipality=municipality).order_by("name"),
        "agreements": agreement_list_for_user(user=user, municipality=municipality),
        "accounts": accounts,
    }


def pool_yearly_report(*, user: Any, year: int) -> list[dict[str, Any]]:
    """Consultations per pool member and outcome in a year (the pool's yearly report)."""
    members = InsofaPoolMember.objects.visible_to(user, permissions.VIEW)
    start = dt.datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())
    end = dt.datetime(year + 1, 1, 1, tzinfo=timezone.get_current_timezone())
    rows = (
        Consultation.objects.filter(
            insofa__in=members, requested_at__gte=start, requested_at__lt=end
        )
        .values("insofa__name", "insofa__municipality__name", "status")
        .annotate(n=Count("id"))
    )
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["insofa__municipality__name"], row["insofa__name"])
        entry = out.setdefault(
            key, {"municipality": key[0], "name": key[1], "requested": 0, "done": 0, "declined": 0}
        )
        entry["requested"] += row["n"]
        if row["status"] == ConsultationStatus.DONE:
            entry["done"] += row["n"]
        if row["status"] == ConsultationStatus.DECLINED:
            entry["declined"] += row["n"]
    return [out[k] for k in sorted(out)]


# --- the insoFa's consultations ----------------------------------------------------------------


def consultations_for_insofa(*, user: Any) -> QuerySet[Consultation]:
    """Consultations addressed to the user as pool member (and only those)."""
    allowed = permissions.municipality_ids_for(user, permissions.VIEW, permissions.CONSULTATIONS)
    if not allowed or getattr(user, "is_system", False):
        return Consultation.objects.none()
    qs = Consultation.objects.filter(insofa__user=user)
    if allowed != permissions.ALL:
        qs = qs.filter(insofa__municipality_id__in=allowed)
    return qs.select_related("record", "record__institution", "insofa")


def consultation_get_for_insofa(*, user: Any, code: Any, purpose: str) -> Consultation:
    parsed = _parse_code(code)
    consultation = consultations_for_insofa(user=user).filter(code=parsed).first()
    if consultation is None:
        raise Http404(NOT_FOUND)
    access_log_record(
        actor=user,
        target=consultation.record,
        municipality_id=consultation.municipality_id,
        purpose=purpose,
    )
    return consultation


# --- the Jugendamt's intake ------------------------------------------------------------------


def intake_for_user(*, user: Any) -> QuerySet[PartnerMessage]:
    """Messages the Jugendamt user may see: not yet acknowledged ones of communes where she
    takes in reports; acknowledged ones only through her team's procedures."""
    allowed = permissions.municipality_ids_for(user, permissions.ADD, permissions.CASES)
    if not allowed:
        return PartnerMessage.objects.none()
    from cases.models import case_team_condition

    pending = Q(status=MessageStatus.SENT)
    if allowed != permissions.ALL:
        pending &= Q(municipality_id__in=allowed)
    # procedures_for_user's rule as a join from the few messages to their procedures: a
    # subquery made the planner hash every procedure of the teams first.
    of_my_teams = case_team_condition(user, via="procedure__")
    return PartnerMessage.objects.filter(pending | of_my_teams).select_related(
        "institution", "municipality"
    )


def intake_list(
    *, user: Any, state: str = "", now: dt.datetime | None = None
) -> QuerySet[PartnerMessage]:
    """The intake list: ``new``, ``feedback_overdue``, ``feedback_open`` or everything."""
    qs = intake_for_user(user=user)
    now = now or timezone.now()
    if state == "new":
        qs = qs.filter(status=MessageStatus.SENT)
    elif state == "feedback_overdue":
        qs = qs.filter(feedback_at__isnull=True, feedback_due__lt=now)
    elif state == "feedback_open":
        qs = qs.filter(status=MessageStatus.ACKNOWLEDGED, feedback_at__isnull=True)
    return qs.order_by("-sent_at", "-id")


def intake_counts(*, user: Any, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return intake_for_user(user=user).aggregate(
        new=Count("id", filter=Q(status=MessageStatus.SENT)),
        feedback_overdue=Count("id", filter=Q(feedback_at__isnull=True, feedback_due__lt=now)),
    )


def message_get_for_jugendamt(*, user: Any, code: Any, purpose: str) -> PartnerMessage:
    parsed = _parse_code(code)
    message = (
        intake_for_user(user=user)
        .select_related("record", "procedure", "procedure__team")
        .filter(code=parsed)
        .first()
    )
    if message is None:
        raise Http404(NOT_FOUND)
    access_log_record(
        actor=user, target=message, municipality_id=message.municipality_id, purpose=purpose
    )
    return message


def procedure_links_for_user(*, user: Any, procedure: Any) -> list[Any]:
    """The procedure page's link back to the Mitteilung it was created from (the hook
    ``PartnersConfig.procedure_links``), when ``user`` may open that Mitteilung in the
    intake. Only the Mitteilung: the institution's own record stays the institution's."""
    from cases.selectors import ProcedureLink

    message = intake_for_user(user=user).filter(procedure_id=procedure.pk).first()
    if message is None:
        return []
    sent = timezone.localtime(message.sent_at)
    return [
        ProcedureLink(
            label=str(_("Mitteilung einer Einrichtung")),
            text=str(
                _("%(receipt)s von %(institution)s, eingegangen am %(date)s")
                % {
                    "receipt": message.receipt,
                    "institution": message.institution.name,
                    "date": date_format(sent, "SHORT_DATETIME_FORMAT"),
                }
            ),
            url=reverse("partners:intake_detail", args=[message.code]),
        )
    ]


# --- the chain's event log for the analysis ---------------------------------------------------


def partner_event_rows(
    *,
    user: Any,
    municipality_ids: list[int] | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Iterator[dict]:
    """The partner side's events in the shape of ``cases.selectors.procedure_event_rows``.

    Readable with ANALYTICS (aggregated analysis); pseudonymous: a record that became a
    procedure carries the procedure's code as case id (so the chain is one case), others
    a code of their own. No free text, no child code.
    """
    allowed = permissions.municipality_ids_for(user, permissions.VIEW, permissions.ANALYTICS)
    qs = PartnerEvent.objects.all()
    if allowed != permissions.ALL:
        if not allowed:
            return
        qs = qs.filter(municipality_id__in=allowed)
    if municipality_ids is not None:
        qs = qs.filter(municipality_id__in=municipality_ids)
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__lt=until)
    labels = {code: str(label) for code, label in PartnerActivity.choices}
    rows = qs.order_by("record_id", "occurred_at", "id").values_list(
        "record__code",
        "record__message__procedure__code",
        "activity_code",
        "occurred_at",
        "institution_name",
        "institution_type",
        "municipality__slug",
        "record__message__procedure__urgency",
        "record__message__procedure__result",
    )
    for (
        rcode,
        pcode,
        activity,
        occurred_at,
        inst,
        inst_type,
        slug,
        urgency,
        result,
    ) in rows.iterator(chunk_size=5000):
        yield {
            # The procedure's analysis pseudonym joins these events to its case's events.
            "case_id": crypto.analysis_pseudonym("case", pcode)
            if pcode
            else crypto.analysis_pseudonym("partner", rcode),
            "activity": labels.get(activity, activity),
            "activity_code": activity,
            "timestamp": occurred_at,
            "institution": inst or "",
            "institution_type": inst_type or "",
            "municipality": slug,
            "urgency": urgency or "",
            "result": result or "",
        }


# --- the coordination's view of the network -----------------------------------------------------


def _analysable_ids(user: Any, municipality_ids: list[int] | None) -> list[int] | None:
    """Communes whose aggregates ``user`` may see (ANALYTICS); None means all."""
    allowed = permissions.municipality_ids_for(user, permissions.VIEW, permissions.ANALYTICS)
    if allowed == permissions.ALL:
        return municipality_ids
    ids = set(allowed)
    if municipality_ids is not None:
        ids &= set(municipality_ids)
    return sorted(ids)


def _median(values: list[float]) -> float | None:
    import statistics

    return statistics.median(values) if values else None


def reaction_times(
    *, user: Any, municipality_ids: list[int] | None = None, year: int | None = None
) -> list[dict[str, Any]]:
    """Per institution type: days from "first noticed" at the institution to the Jugendamt's
    receipt, hours from receipt to the first contact, and days in all (medians).

    Aggregates only; a row based on fewer than ``SUPPRESSION_THRESHOLD`` Mitteilungen
    shows no figures (small-cell suppression), so no single child can be recognised.
    """
    from registry.taxonomy import institution_type_choices

    ids = _analysable_ids(user, municipality_ids)
    qs = PartnerMessage.objects.all()
    if ids is not None:
        qs = qs.filter(municipality_id__in=ids)
    if year is not None:
        qs = qs.filter(sent_at__year=year)
    rows = qs.values_list(
        "institution__institution_type",
        "record__noticed_on",
        "sent_at",
        "procedure__first_contact_at",
    )
    groups: dict[str, dict[str, list[float]]] = {}
    tz = timezone.get_current_timezone()
    for inst_type, noticed_on, sent_at, first_contact in rows.iterator(chunk_size=5000):
        group = groups.setdefault(inst_type, {"to_receipt": [], "to_contact": [], "total": []})
        noticed = dt.datetime.combine(noticed_on, dt.time(12, 0), tzinfo=tz)
        group["to_receipt"].append(max(0.0, (sent_at - noticed).total_seconds() / 86400))
        if first_contact is not None:
            group["to_contact"].append((first_contact - sent_at).total_seconds() / 3600)
            group["total"].append(max(0.0, (first_contact - noticed).total_seconds() / 86400))
    labels = dict(institution_type_choices())
    out = []
    for inst_type in sorted(groups, key=lambda t: str(labels.get(t, t))):
        group = groups[inst_type]
        n = len(group["to_receipt"])
        suppressed = n < SUPPRESSION_THRESHOLD
        contacts = len(group["to_contact"])
        out.append(
            {
                "institution_type": inst_type,
                "label": str(labels.get(inst_type, inst_type)),
                "suppressed": suppressed,
                "messages": None if suppressed else n,
                "median_days_to_receipt": None if suppressed else _median(group["to_receipt"]),
                "median_hours_to_first_contact": (
                    None
                    if suppressed or contacts < SUPPRESSION_THRESHOLD
                    else _median(group["to_contact"])
                ),
                "median_days_total": (
                    None
                    if suppressed or contacts < SUPPRESSION_THRESHOLD
                    else _median(group["total"])
                ),
            }
        )
    return out


def network_overview(*, user: Any, municipality: Any, year: int) -> dict[str, Any]:
    """Assessments, consultations and messages per institution type in a year, and which
    institutions never consult or never report — input for the next quality workshop."""
    from registry.models import Institution
    from registry.taxonomy import institution_type_choices

    if not permissions.has_permission(
        user, permissions.VIEW, permissions.ANALYTICS, municipality.pk
    ):
        raise Http404(NOT_FOUND)
    labels = dict(institution_type_choices())
    records = PartnerRecord.objects.filter(municipality=municipality, noticed_on__year=year)
    consultations = Consultation.objects.filter(municipality=municipality, requested_at__year=year)
    messages = PartnerMessage.objects.filter(municipality=municipality, sent_at__year=year)
    per_type: dict[str, dict[str, int]] = {}
    for key, qs, field in (
        ("records", records, "institution__institution_type"),
        ("consultations", consultations, "record__institution__institution_type"),
        ("messages", messages, "institution__institution_type"),
    ):
        for inst_type, n in qs.values_list(field).annotate(n=Count("id")).order_by():
            per_type.setdefault(inst_type, {"records": 0, "consultations": 0, "messages": 0})[
                key
            ] = n
    rows = [
        {"institution_type": t, "label": str(labels.get(t, t)), **counts}
        for t, counts in sorted(per_type.items(), key=lambda kv: str(labels.get(kv[0], kv[0])))
    ]
    with_staff = Institution.objects.filter(
        municipality=municipality, staff_bindings__isnull=False
    ).distinct()
    documented = set(records.values_list("institution_id", flat=True))
    consulted = set(consultations.values_list("record__institution_id", flat=True))
    reported = set(messages.values_list("institution_id", flat=True))
    institutions = list(with_staff.order_by("name"))
    return {
        "rows": rows,
        "totals": {
            key: sum(r[key] for r in rows) for key in ("records", "consultations", "messages")
        },
        "never_documented": [i for i in institutions if i.pk not in documented],
        "never_consulted": [
            i for i in institutions if i.pk in documented and i.pk not in consulted
        ],
        "never_reported": [i for i in institutions if i.pk in documented and i.pk not in reported],
        "institutions": len(institutions),
    }


# --- Mein Bereich (core.inbox hook) ------------------------------------------------------------


def due_items_for_user(*, user: Any, today: dt.date) -> list:
    """What waits for the user on the partner side — counts only, no child codes:

    * institution staff: drafts waiting for a second person's sign-off, monitored records
      whose review date has come, feedback of the Jugendamt received this month;
    * insoFa: consultation requests to answer, accepted ones to document;
    * Jugendamt: Mitteilungen to acknowledge, feedback past its deadline.
    """
    from django.urls import reverse
    from django.utils.translation import ngettext

    from core.inbox import DueItem

    items: list[DueItem] = []
    binding = binding_for(user=user)
    if binding is not None:
        records = _records_of(user, binding)
        dashboard = reverse("partners:dashboard")
        drafts = records.filter(status=RecordStatus.DRAFT).exclude(author=user).count()
        if drafts:
            items.append(
                DueItem(
                    kind="partner_sign_off",
                    title=ngettext(
                        "%(n)d Dokumentation einer Kollegin/eines Kollegen nicht abgezeichnet",
                        "%(n)d Dokumentationen von Kolleginnen/Kollegen nicht abgezeichnet",
                        drafts,
                    )
                    % {"n": drafts},
                    url=f"{dashboard}?status=draft",
                    count=drafts,
                )
            )
        reviews = records.filter(decision=Decision.MONITOR, review_on__lte=today).count()
        if reviews:
            items.append(
                DueItem(
                    kind="partner_review",
                    title=ngettext(
                        "%(n)d beobachtetes Kind: Überprüfung fällig",
                        "%(n)d beobachtete Kinder: Überprüfung fällig",
                        reviews,
                    )
                    % {"n": reviews},
                    url=dashboard,
                    count=reviews,
                    overdue=True,
                )
            )
        feedback = (
            PartnerMessage.objects.visible_to(user)
            .filter(
                institution_id=binding.institution_id,
                municipality_id=binding.municipality_id,
                feedback_at__date__gte=today.replace(day=1),
            )
            .count()
        )
        if feedback:
            items.append(
                DueItem(
                    kind="partner_feedback_received",
                    title=ngettext(
                        "%(n)d Rückmeldung des Jugendamts in diesem Monat",
                        "%(n)d Rückmeldungen des Jugendamts in diesem Monat",
                        feedback,
                    )
                    % {"n": feedback},
                    url=dashboard,
                    count=feedback,
                )
            )
    consultations = consultations_for_insofa(user=user)
    waiting = consultations.filter(status=ConsultationStatus.REQUESTED).count()
    to_document = consultations.filter(status=ConsultationStatus.ACCEPTED).count()
    titles = {
        "insofa_requests": ngettext(
            "%(n)d Beratungsanfrage wartet auf Antwort",
            "%(n)d Beratungsanfragen warten auf Antwort",
            waiting,
        ),
        "insofa_results": ngettext(
            "%(n)d angenommene Beratung ohne dokumentiertes Ergebnis",
            "%(n)d angenommene Beratungen ohne dokumentiertes Ergebnis",
            to_document,
        ),
    }
    for kind, n in (("insofa_requests", waiting), ("insofa_results", to_document)):
        if n:
            items.append(
                DueItem(
                    kind=kind,
                    title=titles[kind] % {"n": n},
                    url=reverse("partners:consultation_list"),
                    count=n,
                )
            )
    if permissions.municipality_ids_for(user, permissions.ADD, permissions.CASES):
        counts = intake_counts(user=user)
        intake = reverse("partners:intake")
        if counts["new"]:
            items.append(
                DueItem(
                    kind="intake_new",
                    title=ngettext(
                        "%(n)d Mitteilung einer Einrichtung nicht bestätigt",
                        "%(n)d Mitteilungen von Einrichtungen nicht bestätigt",
                        counts["new"],
                    )
                    % {"n": counts["new"]},
                    url=f"{intake}?state=new",
                    count=counts["new"],
                    overdue=True,
                )
            )
        if counts["feedback_overdue"]:
            items.append(
                DueItem(
                    kind="intake_feedback_overdue",
                    title=ngettext(
                        "%(n)d Rückmeldung an eine Einrichtung überfällig",
                        "%(n)d Rückmeldungen an Einrichtungen überfällig",
                        counts["feedback_overdue"],
                    )
                    % {"n": counts["feedback_overdue"]},
                    url=f"{intake}?state=feedback_overdue",
                    count=counts["feedback_overdue"],
                    overdue=True,
                )
            )
    return items
