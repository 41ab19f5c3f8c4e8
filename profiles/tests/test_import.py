"""Profile import: transactional, idempotent, consolidating communes across profiles."""

import copy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from core.permissions import SYSTEM
from profiles.services import profile_import
from quality import services as quality_services
from quality.models import DevelopmentInterest, Outcome, Topic
from registry.models import Cluster, Institution, Municipality


def item(text, *children):
    return {"text": text, "children": list(children)}


MODEL = {
    "source": "musterstadt.txt",
    "kind": "model",
    "name": "Stadt Musterstadt",
    "website": "www.musterstadt.example",
    "state": "Hessen",
    "cluster": 31,
    "model_municipality": "Stadt Musterstadt",
    "partners": ["Stadt Beispielheim am Main", "Landkreis Probeland"],
    "interests": [item("Gefährdungseinschätzung standardisieren")],
    "participants": [item("Jugendamt (ASD)"), item("Polizei"), item("Hebammen")],
    "topics": [
        item("Fehler auf vier Ebenen", item("Ebene der Fachkraft"), item("Ebene des Teams"))
    ],
    "outcomes": {
        "municipal": {"achieved": [item("Organigramm")], "planned": [item("Leitbild")]},
        "cross_cluster": {"achieved": [], "planned": [item("Gemeinsame Fachtagung")]},
    },
    "highlights": "Großes Netzwerk.",
    "warnings": [],
    "notes": [],
}

PARTNER = {
    **copy.deepcopy(MODEL),
    "source": "beispielheim.txt",
    "kind": "partner",
    "name": "Stadt Beispielheim",
    "website": "www.beispielheim.example",
    "model_municipality": "Stadt Musterstad",  # typo on purpose
    "partners": [],
    "participants": [item("Kitas")],
    "interests": [],
    "topics": [],
    "outcomes": {
        "municipal": {"achieved": [], "planned": []},
        "cross_cluster": {"achieved": [], "planned": []},
    },
    "highlights": None,
}


@pytest.fixture
def imported(db):
    return profile_import(profile=copy.deepcopy(MODEL), actor=SYSTEM)


def test_import_creates_commune_cluster_partners_and_items(imported):
    muni = imported.municipality
    assert imported.created
    assert muni.project_role == "model"
    assert muni.state.name == "Hessen"
    assert muni.body_kind == "stadt"
    cluster = Cluster.objects.get(number=31)
    assert cluster.model_municipality == muni
    partners = Municipality.objects.filter(cluster=cluster, project_role="partner")
    assert sorted(p.name for p in partners) == ["Landkreis Probeland", "Stadt Beispielheim am Main"]
    assert [i.name for i in Institution.objects.filter(municipality=muni)] == [
        "Jugendamt (ASD)",
        "Polizei",
        "Hebammen",
    ]
    assert Institution.objects.get(name="Polizei").institution_type == "police"
    topic = Topic.objects.get(parent=None)
    assert [c.text for c in topic.children.order_by("position")] == [
        "Ebene der Fachkraft",
        "Ebene des Teams",
    ]
    statuses = {(o.text, o.scope, o.status) for o in Outcome.objects.all()}
    assert statuses == {
        ("Organigramm", "municipal", "achieved"),
        ("Leitbild", "municipal", "planned"),
        ("Gemeinsame Fachtagung", "cross_cluster", "planned"),
    }
    assert AuditEvent.objects.filter(municipality=muni, action="import").count() == 1


def test_reimport_changes_nothing_and_writes_no_audit(imported):
    before = AuditEvent.objects.count()
    again = profile_import(profile=copy.deepcopy(MODEL), actor=SYSTEM)
    assert not again.changed
    assert again.changes == []
    assert AuditEvent.objects.count() == before
    assert Municipality.objects.count() == 3
    assert DevelopmentInterest.objects.count() == 1


def test_partner_profile_merges_with_differently_spelled_commune(imported):
    result = profile_import(profile=copy.deepcopy(PARTNER), actor=SYSTEM)
    assert Municipality.objects.count() == 3  # no duplicates
    muni = result.municipality
    # Its own profile is authoritative for its name; the other spelling stays an alias.
    assert muni.name == "Stadt Beispielheim"
    assert set(muni.aliases.values_list("name", flat=True)) == {
        "Stadt Beispielheim",
        "Stadt Beispielheim am Main",
    }
    assert any("Musterstad" in m for m in result.merges)
    assert muni.cluster.number == 31
    assert Cluster.objects.get(number=31).model_municipality.name == "Stadt Musterstadt"


def test_partner_first_then_model_gives_the_same_cluster(db):
    profile_import(profile=copy.deepcopy(PARTNER), actor=SYSTEM)
    profile_import(profile=copy.deepcopy(MODEL), actor=SYSTEM)
    cluster = Cluster.objects.get(number=31)
    assert cluster.model_municipality.name in ("Stadt Musterstad", "Stadt Musterstadt")
    assert Municipality.objects.count() == 3
    assert Municipality.objects.get(pk=cluster.model_municipality_id).project_role == "model"


def test_changed_profile_updates_items_and_keeps_outcome_work(imported):
    outcome = Outcome.objects.get(text="Leitbild")
    outcome.status = "in_progress"
    outcome.save()
    changed = copy.deepcopy(MODEL)
    changed["interests"].append(item("Neues Interesse"))
    changed["outcomes"]["municipal"]["achieved"] = []
    result = profile_import(profile=changed, actor=SYSTEM)
    assert result.changed
    assert DevelopmentInterest.objects.count() == 2
    assert not Outcome.objects.filter(text="Organigramm").exists()
    assert Outcome.objects.get(text="Leitbild").status == "in_progress"


def test_failed_import_leaves_database_unchanged(db):
    broken = copy.deepcopy(MODEL)
    broken["state"] = "Atlantis"  # not a Land: fails after the commune was created
    with pytest.raises(Exception):  # noqa: B017 – any failure must roll back
        profile_import(profile=broken, actor=SYSTEM)
    assert Municipality.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_profile_without_name_is_rejected(db):
    with pytest.raises(ValidationError):
        profile_import(profile={**MODEL, "name": ""}, actor=SYSTEM)


def test_only_global_roles_import(coordinator_a):
    with pytest.raises(PermissionDenied):
        profile_import(profile=copy.deepcopy(MODEL), actor=coordinator_a)


# Outcome work done in the platform survives re-imports of the profile (quality's item sync).


def test_reimport_keeps_outcome_work(db):
    profile_import(profile=copy.deepcopy(MODEL), actor=SYSTEM)
    outcome = Outcome.objects.filter(status="planned").first()
    quality_services.outcome_update(
        outcome=outcome, actor=SYSTEM, expected_version=1, description="Arbeit"
    )
    quality_services.outcome_transition(outcome=outcome, to_status="in_progress", actor=SYSTEM)
    result = profile_import(profile=copy.deepcopy(MODEL), actor=SYSTEM)
    assert not result.changed
    outcome.refresh_from_db()
    assert (outcome.status, outcome.description, outcome.version) == ("in_progress", "Arbeit", 3)


def test_reworded_outcome_still_matches_its_profile_item(db):
    profile_import(profile=copy.deepcopy(MODEL), actor=SYSTEM)
    outcome = Outcome.objects.get(text="Leitbild")
    quality_services.outcome_update(
        outcome=outcome, actor=SYSTEM, expected_version=1, text="Leitbild Kinderschutz 2027"
    )
    result = profile_import(profile=copy.deepcopy(MODEL), actor=SYSTEM)
    assert not result.changed
    assert Outcome.objects.filter(text__startswith="Leitbild").count() == 1


def test_outcome_with_work_that_left_the_profile_is_kept(db):
    profile_import(profile=copy.deepcopy(MODEL), actor=SYSTEM)
    worked = Outcome.objects.get(text="Leitbild")
    quality_services.outcome_transition(outcome=worked, to_status="in_progress", actor=SYSTEM)
    changed = copy.deepcopy(MODEL)
    changed["outcomes"]["municipal"] = {"achieved": [], "planned": []}
    profile_import(profile=changed, actor=SYSTEM)
    assert not Outcome.objects.filter(text="Organigramm").exists()  # no work: gone
    worked.refresh_from_db()
    assert worked.status == "in_progress" and worked.imported is False


# Every commune a profile names joins its cluster (issue 12).


def test_partner_profile_registers_model_and_the_other_partners(db):
    partner = {
        **copy.deepcopy(PARTNER),
        "model_municipality": "Stadt Musterstadt",
        # The model repeated, itself, one partner in another spelling and a new one.
        "partners": [
            "Stadt Musterstadt",
            "Stadt Beispielheim",
            "Landkreis Probeland",
            "Gemeinde Neuling",
        ],
    }
    result = profile_import(profile=partner, actor=SYSTEM)
    cluster = Cluster.objects.get(number=31)
    members = {m.name: m.project_role for m in Municipality.objects.filter(cluster=cluster)}
    assert members == {
        "Stadt Beispielheim": "partner",
        "Stadt Musterstadt": "model",
        "Landkreis Probeland": "partner",
        "Gemeinde Neuling": "partner",
    }
    assert cluster.model_municipality.name == "Stadt Musterstadt"
    assert "Gemeinde Neuling: Cluster 31" in result.changes
    # Then the model's own profile: no duplicates, the partner list spelled differently merges.
    profile_import(profile=copy.deepcopy(MODEL), actor=SYSTEM)
    assert Municipality.objects.count() == 4
    assert Municipality.objects.filter(cluster=cluster).count() == 4


def test_partner_named_only_by_another_partner_keeps_its_own_profile_role(db):
    profile_import(profile=copy.deepcopy(MODEL), actor=SYSTEM)
    # Probeland's own profile says it is a model commune elsewhere: another partner's list
    # must not demote it.
    probeland = Municipality.objects.get(name="Landkreis Probeland")
    probeland.project_role = "model"
    probeland.save()
    partner = {**copy.deepcopy(PARTNER), "partners": ["Landkreis Probeland"]}
    profile_import(profile=partner, actor=SYSTEM)
    probeland.refresh_from_db()
    assert probeland.project_role == "model"


def test_import_path_writes_are_audited(db):
    profile = {**copy.deepcopy(MODEL), "notes": ["Fußnote 1: Stand 2010"]}
    result = profile_import(profile=profile, actor=SYSTEM)
    muni = result.municipality
    aliases = AuditEvent.objects.filter(target_type__model="municipalityalias")
    assert aliases.filter(municipality=muni).count() == 1
    assert aliases.count() == 3  # the commune and its two partners
    changed = {"profile_notes": ["Fußnote 2: Stand 2011"]}
    profile_import(
        profile={**copy.deepcopy(MODEL), "notes": changed["profile_notes"]}, actor=SYSTEM
    )
    event = AuditEvent.objects.filter(
        target_type__model="municipality", target_id=str(muni.pk), action="update"
    ).latest("pk")
    assert event.before == {"profile_notes": ["Fußnote 1: Stand 2010"]}
    assert event.after == changed


def test_moving_the_model_to_another_cluster_is_audited_on_both(db):
    profile_import(profile=copy.deepcopy(MODEL), actor=SYSTEM)
    old = Cluster.objects.get(number=31)
    profile_import(profile={**copy.deepcopy(MODEL), "cluster": 32}, actor=SYSTEM)
    old.refresh_from_db()
    assert old.model_municipality is None
    cleared = AuditEvent.objects.filter(target_type__model="cluster", target_id=str(old.pk))
    assert cleared.filter(action="update", after={"model_municipality_id": None}).exists()
