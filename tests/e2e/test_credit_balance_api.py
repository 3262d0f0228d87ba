"""The credit balance over HTTP: an immediate downgrade's credit is shown, with its ledger entry,
and every "next invoice" figure (the preview, the PATCH answer, the subscription) says what the
renewal will really ask for, which the renewal then bills."""

import uuid

import pytest

from tests.e2e.helpers import assert_error, eventually

BIG, SMALL = 3000, 2000


@pytest.fixture(scope="module")
def plans(server) -> tuple[str, str]:
    """A plan whose downgrades apply at once, and a cheaper one."""
    suffix = uuid.uuid4().hex[:8]
    ids = (f"big-{suffix}", f"small-{suffix}")
    for plan_id, amount, timing in ((ids[0], BIG, "immediate"), (ids[1], SMALL, "period_end")):
        body = {
            "id": plan_id,
            "name": plan_id,
            "downgradeTiming": timing,
            "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": amount}],
        }
        assert server.post("/v1/plans", json=body).status_code == 201
    return ids


def _paid_invoices(server, customer: str, count: int) -> list[dict]:
    def settled() -> list[dict]:
        items = server.get(f"/v1/customers/{customer}/invoices").json()["items"]
        return items if len(items) >= count and all(i["status"] == "paid" for i in items) else []

    paid = eventually(settled, 180)  # the billing worker may be busy with the whole stack
    assert paid, f"{count} paid invoices expected"
    return paid


def test_an_immediate_downgrades_credit_is_shown_and_taken_off_the_renewal(
    server, create_customer, client_with, portal_token, plans, advance_clock
):
    big, small = plans
    customer = create_customer()["id"]
    path = f"/v1/customers/{customer}/subscription"
    server.post(path, json={"planId": big, "currency": "USD"})
    _paid_invoices(server, customer, 1)

    preview = server.post(f"{path}/preview", json={"planId": small}).json()
    changed = server.patch(path, json={"planId": small}).json()
    credit = changed["change"]["credit"]
    _paid_invoices(server, customer, 2)
    portal = client_with(portal_token(customer))
    balance = portal.get(f"/v1/customers/{customer}/credit-balance")
    ledger = portal.get(f"/v1/customers/{customer}/credit-balance/transactions").json()["items"]
    shown = portal.get(path).json()["nextInvoice"]

    assert 0 < credit < SMALL
    assert abs(preview["credit"] - credit) <= 1  # a second may pass between the two
    for figure in (preview["nextRenewal"], changed["change"]["nextRenewal"], shown):
        assert figure["subtotal"] == SMALL
    for figure in (changed["change"]["nextRenewal"], changed["subscription"]["nextInvoice"], shown):
        assert (figure["creditApplied"], figure["amount"]) == (credit, SMALL - credit)
    assert balance.status_code == 200, balance.text
    assert balance.json() == {
        "customerId": customer,
        "balances": [{"currency": "USD", "amount": credit}],
    }
    [added] = ledger
    assert (added["kind"], added["amount"], added["balanceAfter"]) == ("added", credit, credit)
    assert (added["reason"], added["currency"]) == ("change", "USD")
    assert added["invoiceNumber"].startswith("INV-")

    def credit_events() -> list[dict]:
        log = server.get(f"/v1/customers/{customer}/events", params={"limit": 100}).json()
        return [e for e in log["items"] if e["type"] == "credit_balance.changed"]

    [changed_event] = eventually(credit_events)  # written with the invoice that moved it
    assert (changed_event["data"]["amount"], changed_event["data"]["balanceAfter"]) == (
        credit,
        credit,
    )
    assert changed_event["data"]["id"] == added["id"]

    advance_clock(32 * 86400)
    renewal = _paid_invoices(server, customer, 3)[0]

    assert renewal["reason"] == "renewal"
    assert (renewal["total"], renewal["creditApplied"]) == (SMALL, credit)
    assert renewal["amountDue"] == shown["amount"]
    ledger = server.get(f"/v1/customers/{customer}/credit-balance/transactions").json()["items"]
    assert [(e["kind"], e["amount"], e["balanceAfter"]) for e in ledger] == [
        ("applied", -credit, 0),
        ("added", credit, credit),
    ]
    assert ledger[0]["invoiceId"] == renewal["id"]
    assert server.get(f"/v1/customers/{customer}/credit-balance").json()["balances"] == []


def test_a_change_that_costs_money_draws_on_the_balance_first(server, create_customer, plans):
    big, small = plans
    customer = create_customer()["id"]
    path = f"/v1/customers/{customer}/subscription"
    server.post(path, json={"planId": big, "currency": "USD"})
    _paid_invoices(server, customer, 1)
    credit = server.patch(path, json={"planId": small}).json()["change"]["credit"]
    _paid_invoices(server, customer, 2)

    upgrade = server.post(f"{path}/preview", json={"planId": big}).json()

    assert upgrade["creditApplied"] == min(credit, sum(line["amount"] for line in upgrade["lines"]))
    assert (
        upgrade["dueNow"]
        == sum(line["amount"] for line in upgrade["lines"]) - upgrade["creditApplied"]
    )


def test_the_balance_of_another_customer_is_not_the_portals(
    server, create_customer, client_with, portal_token
):
    mine, theirs = create_customer()["id"], create_customer()["id"]
    portal = client_with(portal_token(mine))

    assert portal.get(f"/v1/customers/{mine}/credit-balance").json()["balances"] == []
    assert portal.get(f"/v1/customers/{theirs}/credit-balance").status_code == 403
    assert_error(server.get("/v1/customers/nobody-here/credit-balance"), 404, "customer_not_found")
