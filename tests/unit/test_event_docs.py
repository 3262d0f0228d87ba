"""docs/events.md is generated from the event catalog: every type is documented, with the
JSON Schema of the models the API answers with."""

from billfold.events.catalog import DATA_MODELS, event_schema
from billfold.outbox import EventType
from local.event_docs import DOC, WHEN, render


def test_every_event_type_has_a_data_model_and_a_description():
    assert set(DATA_MODELS) == set(EventType)
    assert set(WHEN) == set(EventType)


def test_the_document_is_up_to_date():
    assert DOC.read_text() == render(), "run `python -m local.event_docs`"


def test_each_schema_fixes_its_type_and_describes_its_data():
    schema = event_schema(EventType.INVOICE_PAID)

    assert schema["properties"]["type"] == {"const": "invoice.paid"}
    assert "amountDue" in schema["properties"]["data"]["properties"]
    assert {"id", "sequence", "customerId", "createdAt"} <= set(schema["properties"])
