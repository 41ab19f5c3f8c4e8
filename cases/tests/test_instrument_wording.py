"""The example instrument's scale reads right for care items and for risk items alike."""

from cases.instruments import load_instrument


def test_scale_rates_concern_not_whether_a_risk_is_guaranteed():
    instrument = load_instrument()
    labels = [label for _value, label in instrument.scale]
    assert [value for value, _label in instrument.scale] == [1, 2, 3, 4]
    # "Suchtmittelkonsum im Haushalt: gut gewährleistet" was nonsense.
    assert not any("gewährleistet" in label for label in labels)
    assert all("Sorge" in label for label in labels)
    risks = {s.key: s for s in instrument.sections}["risiken"]
    assert any(item.key == "sucht" for item in risks.items)
