"""ninja schemas of /api/v1/partners: what each side may see, nothing more."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Field, Schema


class RecordIn(Schema):
    child_code: str = Field(max_length=20, description="pseudonym chosen by the institution")
    age_band: str = Field(description="0-3, 3-6, 6-14 or 14-18")
    noticed_on: dt.date
    indications: str = Field(min_length=1)


class RecordUpdateIn(Schema):
    assessment_summary: str | None = None
    parents_talk: bool | None = None
    child_talk: bool | None = None
    talk_omitted_reason: str | None = None
    help_towards: str | None = None
    decision: str | None = Field(None, description="none, monitor or inform")
    review_on: dt.date | None = None
    answers: dict[str, int] | None = Field(None, description="section.item → scale value")


class ConsultationOut(Schema):
    code: uuid.UUID
    insofa: str
    requested_at: dt.datetime
    status: str
    decline_reason: str
    consulted_at: dt.datetime | None
    outcome: str
    result: str


class FeedbackOut(Schema):
    given_at: dt.datetime
    legal_basis: str
    indications_seen: bool | None
    active: bool | None
    text: str


class MessageReceiptOut(Schema):
    """What the sender sees of her Mitteilung: receipt, status and the feedback."""

    code: uuid.UUID
    receipt: str = Field(description="Eingangsnummer shown to the sender")
    sent_at: dt.datetime
    status: str
    acknowledged_at: dt.datetime | None
    feedback: FeedbackOut | None


class RecordOut(Schema):
    code: uuid.UUID
    institution: str
    child_code: str
    age_band: str
    noticed_on: dt.date
    status: str
    decision: str
    review_on: dt.date | None
    instrument_key: str
    instrument_version: str


class RecordDetailOut(RecordOut):
    indications: str
    assessment_summary: str
    parents_talk: bool
    child_talk: bool
    talk_omitted_reason: str
    help_towards: str
    answers: dict
    consultations: list[ConsultationOut]
    message: MessageReceiptOut | None


class RecordPage(Schema):
    count: int
    page: int
    items: list[RecordOut]


class PoolMemberOut(Schema):
    code: uuid.UUID
    name: str
    municipality: str
    qualification: str
    specialisms: list[str]
    languages: list[str]
    available: bool
    availability_note: str


class ConsultationIn(Schema):
    insofa: uuid.UUID
    question: str = Field(min_length=1)


class MessageIn(Schema):
    observations: str = Field(min_length=1)
    contact_person: str = Field(min_length=1)
    child_name: str = Field(min_length=1)
    child_sex: str
    child_birth_month: int = Field(ge=1, le=12)
    child_birth_year: int
    child_birth_date: str = ""
    child_address: str = ""
    parents: str = ""
    assessment_summary: str = ""
    actions_taken: str = ""


class InsofaConsultationOut(Schema):
    """The insoFa's view: the pseudonymous record as far as the consultation needs it."""

    code: uuid.UUID
    institution: str
    child_code: str
    age_band: str
    question: str
    indications: str
    requested_at: dt.datetime
    status: str
    outcome: str
    result: str


class AnswerIn(Schema):
    accept: bool
    reason: str = ""


class ResultIn(Schema):
    consulted_at: dt.datetime
    outcome: str
    result: str = Field(min_length=1)


class IntakeOut(Schema):
    code: uuid.UUID
    receipt: str
    municipality: str
    institution: str
    institution_type: str
    reporter_category: str
    reporter_category_label: str
    sent_at: dt.datetime
    status: str
    procedure: uuid.UUID | None
    feedback_due: dt.datetime | None
    feedback_at: dt.datetime | None


class IntakePage(Schema):
    count: int
    page: int
    items: list[IntakeOut]


class AcknowledgeIn(Schema):
    team_id: int
    urgency: str
    living_situation: str


class InvolvementIn(Schema):
    involvement: str
    kind: str = ""
    occurred_at: dt.datetime
    note: str = ""


class FeedbackIn(Schema):
    indications_seen: bool
    active: bool
    text: str = Field(min_length=1)


class PageQuery(Schema):
    page: int = 1
    status: str = ""


class IntakeQuery(Schema):
    page: int = 1
    state: str = ""


class ReactionTimeOut(Schema):
    institution_type: str
    label: str
    suppressed: bool
    messages: int | None
    median_days_to_receipt: float | None
    median_hours_to_first_contact: float | None
    median_days_total: float | None


class NetworkRowOut(Schema):
    institution_type: str
    label: str
    records: int
    consultations: int
    messages: int


class NetworkOut(Schema):
    municipality: str
    year: int
    rows: list[NetworkRowOut]
    never_documented: list[str]
    never_consulted: list[str]
    never_reported: list[str]
