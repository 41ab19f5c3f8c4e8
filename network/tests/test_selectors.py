"""The network graph, its metrics and exports; contact visibility."""

import networkx as nx
import pytest
from lxml import etree

from network import selectors
from network.choices import EdgeKind
from network.tests.factories import AgreementFactory, ContactFactory, WorkingGroupFactory
from registry.tests.factories import InstitutionFactory


@pytest.fixture
def network_a(muni_a, muni_b):
    office = InstitutionFactory(
        municipality=muni_a, name="Jugendamt", institution_type="youth_office"
    )
    asd = InstitutionFactory(
        municipality=muni_a, name="ASD", institution_type="youth_office", parent=office
    )
    police = InstitutionFactory(municipality=muni_a, name="Polizei", institution_type="police")
    kita = InstitutionFactory(municipality=muni_a, name="Kita Muster", institution_type="daycare")
    school = InstitutionFactory(
        municipality=muni_a, name="Schule Muster", institution_type="school"
    )
    InstitutionFactory(municipality=muni_a, name="Allein", institution_type="counselling")
    agreement = AgreementFactory(municipality=muni_a, title="Kooperation Polizei")
    agreement.institutions.set([asd, police])
    agreement.partner_municipalities.set([muni_b])
    group = WorkingGroupFactory(municipality=muni_a, name="AK Kita")
    group.members.set([asd, kita])
    InstitutionFactory(municipality=muni_b, name="Jugendamt B", institution_type="youth_office")
    return {"asd": asd, "school": school, "kita": kita, "office": office}


def test_graph_links_agreements_groups_and_departments(muni_a, network_a):
    graph = selectors.network_graph(municipality=muni_a)
    asd = f"i{network_a['asd'].pk}"
    assert graph.number_of_nodes() == 7  # 6 institutions + commune B as agreement party
    assert EdgeKind.PARENT in graph.edges[asd, f"i{network_a['office'].pk}"]["kinds"]
    assert EdgeKind.WORKING_GROUP in graph.edges[asd, f"i{network_a['kita'].pk}"]["kinds"]
    assert not any(d.get("label") == "Jugendamt B" for _, d in graph.nodes(data=True))


def test_metrics_find_isolated_weak_and_brokers(muni_a, network_a):
    graph = selectors.network_graph(municipality=muni_a)
    metrics = selectors.network_metrics(graph)
    asd = f"i{network_a['asd'].pk}"
    assert f"i{network_a['school'].pk}" in metrics["isolated"]
    assert f"i{network_a['kita'].pk}" in metrics["weakly_connected"]
    assert metrics["brokers"][0][0] == asd
    assert asd in metrics["cut_vertices"]
    assert metrics["betweenness_sampled"] is False


def test_large_graphs_use_reproducible_sampled_betweenness(monkeypatch):
    # Thresholds shrunk so the test stays fast; the bench runs the real sizes.
    monkeypatch.setattr(selectors, "BETWEENNESS_EXACT_MAX_NODES", 100)
    monkeypatch.setattr(selectors, "BETWEENNESS_SAMPLE", 30)
    graph = nx.barabasi_albert_graph(300, 2, seed=1)
    first = selectors.network_metrics(graph)
    assert first["betweenness_sampled"] is True
    assert first["brokers"] == selectors.network_metrics(graph)["brokers"]


def test_graphml_and_csv_exports_open_as_graphs(muni_a, network_a):
    graph = selectors.network_graph(municipality=muni_a)
    xml = selectors.network_graphml(graph)
    root = etree.fromstring(xml)
    assert root.tag.endswith("graphml")
    parsed = nx.read_graphml(__import__("io").BytesIO(xml))
    assert parsed.number_of_nodes() == graph.number_of_nodes()
    assert parsed.nodes[f"i{network_a['asd'].pk}"]["label"] == "ASD"
    text = selectors.network_csv(graph)
    assert text.splitlines()[0].startswith("Source,Target")
    assert "Schule Muster" in text  # isolated nodes are listed too
    dot = selectors.network_dot(graph)
    assert dot.startswith("graph network {") and "ASD" in dot


def test_anonymous_sees_only_public_contacts(anonymous, muni_a):
    public = ContactFactory(institution__municipality=muni_a, is_public=True, name="Öffentlich")
    ContactFactory(institution__municipality=muni_a, is_public=False, name="Intern")
    assert list(selectors.contact_list_for_user(user=anonymous)) == [public]


def test_members_see_their_private_contacts_but_not_other_communes(
    caseworker_a, coordinator_b, muni_a
):
    ContactFactory(institution__municipality=muni_a, is_public=False, name="Intern A")
    ContactFactory(institution__municipality=muni_a, is_public=True, name="Öffentlich A")
    assert {c.name for c in selectors.contact_list_for_user(user=caseworker_a)} == {
        "Intern A",
        "Öffentlich A",
    }
    assert {c.name for c in selectors.contact_list_for_user(user=coordinator_b)} == {"Öffentlich A"}


def test_project_team_sees_all_contacts(project_team, muni_a):
    ContactFactory(institution__municipality=muni_a, is_public=False)
    assert selectors.contact_list_for_user(user=project_team).count() == 1


def test_metrics_are_cached_per_structure(monkeypatch):
    calls = []
    real = selectors.network_metrics

    def counting(graph, **kwargs):
        calls.append(graph.number_of_nodes())
        return real(graph, **kwargs)

    monkeypatch.setattr(selectors, "network_metrics", counting)
    graph = nx.path_graph(["a", "b", "c"])
    first = selectors.network_metrics_cached(graph)
    assert selectors.network_metrics_cached(nx.path_graph(["a", "b", "c"])) == first
    graph.add_edge("c", "d")
    assert selectors.network_metrics_cached(graph)["nodes"] == 4
    assert calls == [3, 4]
