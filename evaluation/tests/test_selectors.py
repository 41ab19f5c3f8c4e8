"""Aggregation on hand-made answers, small-group suppression, change over two rounds."""

from datetime import date

import pytest

from evaluation import selectors
from evaluation.frameworks import parse_framework
from evaluation.models import Answer, Response
from evaluation.tests.factories import SMALL_FRAMEWORK, RoundFactory

KEYS = ("coop_a", "coop_b", "err_a")
DIMENSION = {"coop_a": "coop", "coop_b": "coop", "err_a": "errors"}
NA = "na"


def fill(evaluation_round, answers_by_type):
    """Hand-made responses: {type: [(coop_a, coop_b, err_a), …]}; None = not asked, "na"."""
    for type_code, sheets in answers_by_type.items():
        for sheet in sheets:
            response = Response.objects.create(
                round=evaluation_round, institution_type=type_code, submitted_on=date(2026, 3, 1)
            )
            Answer.objects.bulk_create(
                Answer(
                    response=response,
                    round=evaluation_round,
                    institution_type=type_code,
                    dimension_key=DIMENSION[key],
                    statement_key=key,
                    value=None if value == NA else value,
                )
                for key, value in zip(KEYS, sheet, strict=True)
                if value is not None
            )


def test_means_spread_and_distribution_are_computed_exactly(round_a):
    fill(round_a, {"youth_office": [(1, 5, NA), (3, 5, 4), (5, 2, 4)]})
    results = selectors.round_results(evaluation_round=round_a)
    coop, errors = results["dimensions"]
    # coop: values 1,3,5,5,5,2 → mean 21/6 = 3.5;
    # squared deviations 6.25 + 0.25 + 4 × 2.25 = 15.5 → sd = sqrt(15.5 / 5)
    assert coop["mean"] == pytest.approx(3.5)
    assert coop["sd"] == pytest.approx((15.5 / 5) ** 0.5)
    assert coop["n"] == 6
    coop_a = coop["statements"][0]
    assert coop_a["distribution"] == [1, 0, 1, 0, 1] and coop_a["mean"] == 3
    assert errors["mean"] == 4 and errors["cannot_judge"] == 1 and errors["sd"] == 0
    assert [s["key"] for s in results["strongest"]][0] == "coop_b"
    assert [s["key"] for s in results["weakest"]][0] == "coop_a"


def test_statement_answered_by_too_few_is_suppressed_and_not_ranked(round_a):
    # coop_b is only asked of youth welfare: two of them here, minimum 3.
    fill(round_a, {"youth_office": [(4, 1, 4)] * 2, "school": [(4, None, 4)] * 3})
    results = selectors.round_results(evaluation_round=round_a)
    coop_b = results["dimensions"][0]["statements"][1]
    assert coop_b["suppressed"] and coop_b["mean"] is None and coop_b["distribution"] is None
    assert "coop_b" not in {s["key"] for s in results["weakest"] + results["strongest"]}


def test_round_below_minimum_returns_nothing_but_the_count(round_a):
    fill(round_a, {"youth_office": [(4, 4, 4)] * 2})
    results = selectors.round_results(evaluation_round=round_a)
    assert results["suppressed"] is True and results["n_responses"] == 2
    assert "dimensions" not in results and results["free_text"] == []


@pytest.mark.parametrize(
    ("sizes", "shown", "hidden"),
    [
        # Everyone big enough: nothing folded.
        ({"a": 5, "b": 4}, {"a": "a", "b": "b"}, set()),
        # One small group alone would be recoverable by subtraction: the smallest visible
        # group joins it so the fold reaches the minimum.
        ({"a": 9, "b": 4, "c": 1}, {"a": "a", "b": "__other__", "c": "__other__"}, set()),
        # Two small groups that together reach the minimum are shown folded.
        ({"a": 9, "b": 2, "c": 2}, {"a": "a", "b": "__other__", "c": "__other__"}, set()),
        # Nothing reaches the minimum together: all hidden.
        ({"a": 1, "b": 1}, {}, {"a", "b"}),
    ],
)
def test_fold_groups(sizes, shown, hidden):
    mapping, hidden_codes = selectors.fold_groups(sizes, 4)
    assert mapping == shown and hidden_codes == hidden


def test_no_suppressed_group_can_be_recovered_from_shown_figures():
    definition = parse_framework(SMALL_FRAMEWORK)
    sizes = {"youth_office": 6, "school": 4, "police": 1}
    counts = [
        ("coop_a", "youth_office", 4, 6),
        ("coop_a", "school", 2, 4),
        ("coop_a", "police", 1, 1),
        ("err_a", "youth_office", 4, 6),
        ("err_a", "school", 3, 4),
        ("err_a", "police", 5, 1),
    ]
    results = selectors.aggregate(
        definition=definition, counts=counts, group_sizes=sizes, minimum=4
    )
    groups = {g["code"]: g for g in results["groups"]}
    assert set(groups) == {"youth_office", "__other__"}
    assert groups["__other__"]["n_responses"] == 5
    assert groups["__other__"]["dimensions"]["coop"] == pytest.approx((2 * 4 + 1) / 5)
    # Total minus the shown groups is empty: no group is left to be derived.
    assert sum(g["n_responses"] for g in results["groups"]) == results["n_responses"]


def test_differences_between_institution_types(round_a):
    fill(round_a, {"youth_office": [(5, 5, 4)] * 3, "school": [(2, None, 4)] * 3})
    results = selectors.round_results(evaluation_round=round_a)
    top = results["differences"][0]
    assert top["dimension"] == "coop"
    assert top["spread"] == pytest.approx(3.0)
    assert top["high"][0].startswith("Jugendamt") and top["low"][0].startswith("Schule")


def test_free_text_grouped_by_dimension_without_type_in_alphabetical_order(round_a):
    fill(round_a, {"youth_office": [(4, 4, 4)] * 3})
    responses = list(Response.objects.all())
    from evaluation.models import FreeTextAnswer

    for response, (question, dimension, text) in zip(
        responses,
        [
            ("coop_text", "coop", "zuletzt"),
            ("coop_text", "coop", "Anfang"),
            ("wish", "", "Mehr Zeit"),
        ],
        strict=True,
    ):
        FreeTextAnswer.objects.create(
            response=response,
            round=round_a,
            question_key=question,
            dimension_key=dimension,
            text=text,
        )
    sections = selectors.round_results(evaluation_round=round_a)["free_text"]
    assert [s["title"] for s in sections] == ["Kooperation", "Allgemeine Fragen"]
    assert sections[0]["questions"][0]["answers"] == ["Anfang", "zuletzt"]


def test_change_over_two_rounds(coordinator_a, muni_a):
    first = RoundFactory(municipality=muni_a, opens_on=date(2025, 3, 1), closes_on=date(2025, 4, 1))
    second = RoundFactory(
        municipality=muni_a, opens_on=date(2026, 3, 1), closes_on=date(2026, 4, 1)
    )
    other_framework_round = RoundFactory(
        municipality=muni_a, framework__key="anders", opens_on=date(2025, 6, 1)
    )
    fill(first, {"youth_office": [(2, 2, 1)] * 3})
    fill(second, {"youth_office": [(4, 3, 2)] * 3})
    fill(other_framework_round, {"youth_office": [(5, 5, 5)] * 3})
    trend = selectors.round_trend(user=coordinator_a, evaluation_round=second)
    assert [t["round"] for t in trend] == [first, second]
    assert trend[0]["changes"] == {}
    assert trend[1]["changes"] == {"coop": pytest.approx(1.5), "errors": pytest.approx(1.0)}


def test_change_is_not_computed_against_a_suppressed_round(coordinator_a, muni_a):
    first = RoundFactory(municipality=muni_a, opens_on=date(2025, 3, 1))
    second = RoundFactory(municipality=muni_a, opens_on=date(2026, 3, 1))
    fill(first, {"youth_office": [(2, 2, 1)] * 2})
    fill(second, {"youth_office": [(4, 3, 2)] * 3})
    trend = selectors.round_trend(user=coordinator_a, evaluation_round=second)
    assert trend[0]["suppressed"] and trend[0]["means"] == {}
    assert trend[1]["changes"] == {}


def test_comparison_only_shows_rounds_the_user_may_see(coordinator_a, project_team, muni_a, muni_b):
    round_a = RoundFactory(municipality=muni_a)
    round_b = RoundFactory(municipality=muni_b)
    fill(round_a, {"youth_office": [(4, 4, 4)] * 3})
    fill(round_b, {"youth_office": [(2, 2, 2)] * 3})
    ids = [muni_a.pk, muni_b.pk]
    mine = selectors.comparison(user=coordinator_a, framework_key="klein", municipality_ids=ids)
    assert [r["round"] for r in mine["rounds"]] == [round_a]
    everything = selectors.comparison(
        user=project_team, framework_key="klein", municipality_ids=ids
    )
    means = {r["round"].municipality_id: r["means"]["coop"] for r in everything["rounds"]}
    assert means == {muni_a.pk: 4, muni_b.pk: 2}


def test_results_take_a_constant_number_of_queries(round_a, django_assert_max_num_queries):
    fill(round_a, {"youth_office": [(4, 4, 4)] * 10, "school": [(3, None, 2)] * 10})
    with django_assert_max_num_queries(4):
        selectors.round_results(evaluation_round=round_a)


def test_progress_counts_per_type(round_a, invite):
    invite("a", "school")
    invite("b", "school")
    invite("c", "police")
    from evaluation.models import Invitation

    Invitation.objects.filter(
        email__in=Invitation.objects.filter(institution_type="police").values("email")
    ).update(used=True)
    progress = selectors.round_progress(evaluation_round=round_a)
    assert (progress["invited"], progress["answered"], progress["percent"]) == (3, 1, 33)
    by_label = {g["code"]: (g["invited"], g["answered"]) for g in progress["groups"]}
    assert by_label == {"school": (2, 0), "police": (1, 1)}


def test_free_text_question_put_to_few_people_is_left_out(muni_a):
    from evaluation.models import FreeTextAnswer
    from evaluation.tests.factories import FrameworkFactory, framework_json

    source = SMALL_FRAMEWORK.replace(
        '{key: coop_text, text: "Was hakt?"}',
        '{key: coop_text, text: "Was hakt?", asked: [jugendhilfe]}',
    )
    framework = FrameworkFactory(key="klein-b", source=source, definition=framework_json(source))
    evaluation_round = RoundFactory(municipality=muni_a, framework=framework)
    fill(evaluation_round, {"youth_office": [(4, 4, 4)] * 2, "school": [(3, None, 3)] * 3})
    youth = Response.objects.filter(institution_type="youth_office").first()
    school = Response.objects.filter(institution_type="school").first()
    for response, question, dimension in ((youth, "coop_text", "coop"), (school, "wish", "")):
        FreeTextAnswer.objects.create(
            response=response,
            round=evaluation_round,
            question_key=question,
            dimension_key=dimension,
            text=f"Text zu {question}",
        )
    sections = selectors.round_results(evaluation_round=evaluation_round)["free_text"]
    shown = [a for s in sections for q in s["questions"] for a in q["answers"]]
    assert shown == ["Text zu wish"]


def test_weakest_dimension_comes_first_for_follow_up(round_a):
    fill(round_a, {"youth_office": [(5, 5, 2)] * 3})
    results = selectors.round_results(evaluation_round=round_a)
    assert [d["key"] for d in results["weakest_dimensions"]] == ["errors", "coop"]
