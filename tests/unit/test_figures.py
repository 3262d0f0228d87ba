"""The domain's business figures: one EMF line each, where metrics are on."""

import json

from billfold.figures import NAMESPACE, Figure, record


def test_a_figure_is_one_emf_line_with_its_dimensions(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")

    record(Figure.AMOUNT_COLLECTED, 1900, currency="EUR")

    [line] = capsys.readouterr().out.splitlines()
    emf = json.loads(line)
    [directive] = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == NAMESPACE
    assert directive["Metrics"] == [{"Name": "AmountCollected", "Unit": "Count"}]
    assert (emf["AmountCollected"], emf["currency"]) == ([1900.0], "EUR")


def test_nothing_is_written_where_metrics_are_off(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    record(Figure.INVOICES_ISSUED)

    assert capsys.readouterr().out == ""
