"""The local stack's test clock: /_local/clock and /_local/clock/advance."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import assert_error


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.tzinfo is not None
    return moment


def test_clock_reports_now_in_utc(anonymous, local_api):
    response = anonymous.get("/_local/clock")

    assert response.status_code == 200
    reported = _parse(response.json()["now"])
    assert response.json()["now"].endswith("Z")
    assert abs(reported - local_api.clock.now()) < timedelta(seconds=5)
    assert reported >= datetime.now(UTC) - timedelta(seconds=5)


def test_advancing_by_seconds_moves_the_api_clock_a_day_forward(anonymous, server, local_api, uid):
    before = _parse(anonymous.get("/_local/clock").json()["now"])

    advanced = anonymous.post("/_local/clock/advance", json={"seconds": 86400})

    assert advanced.status_code == 200, advanced.text
    after = _parse(advanced.json()["now"])
    assert after - before >= timedelta(days=1)
    assert _parse(anonymous.get("/_local/clock").json()["now"]) >= after
    assert local_api.clock.now() >= after
    created = server.post(
        "/v1/features",
        json={"id": f"clock-{uid}", "name": "Clock", "type": "boolean"},
    )
    assert _parse(created.json()["createdAt"]) >= after - timedelta(seconds=1)


def test_advancing_to_a_future_moment_lands_there(anonymous):
    now = _parse(anonymous.get("/_local/clock").json()["now"])
    target = now + timedelta(hours=3)

    response = anonymous.post(
        "/_local/clock/advance", json={"to": target.isoformat().replace("+00:00", "Z")}
    )

    assert response.status_code == 200, response.text
    assert abs(_parse(response.json()["now"]) - target) < timedelta(seconds=5)


def test_advancing_to_the_past_is_refused_and_moves_nothing(anonymous):
    now = _parse(anonymous.get("/_local/clock").json()["now"])
    past = (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")

    assert_error(anonymous.post("/_local/clock/advance", json={"to": past}), 400, field="to")
    assert _parse(anonymous.get("/_local/clock").json()["now"]) - now < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"seconds": -1}, "seconds", id="negative-seconds"),
        pytest.param({"seconds": "60"}, "seconds", id="seconds-as-string"),
        pytest.param({"seconds": 1.5}, "seconds", id="fractional-seconds"),
        pytest.param({"to": "tomorrow"}, "to", id="to-not-iso"),
        pytest.param({"to": "2999-01-01T00:00:00"}, "to", id="to-without-timezone"),
        pytest.param({"seconds": 1, "to": "2999-01-01T00:00:00Z"}, None, id="both"),
        pytest.param({}, None, id="neither"),
        pytest.param([60], None, id="not-an-object"),
        pytest.param({"minutes": 5}, None, id="unknown-key"),
    ],
)
def test_bad_advance_bodies_are_400(anonymous, body, field):
    before = _parse(anonymous.get("/_local/clock").json()["now"])

    assert_error(anonymous.post("/_local/clock/advance", json=body), 400, field=field)
    assert _parse(anonymous.get("/_local/clock").json()["now"]) - before < timedelta(minutes=1)


def test_advance_with_malformed_json_is_400(anonymous):
    assert_error(
        anonymous.post("/_local/clock/advance", data=b"{seconds: 5"), 400, "malformed_json"
    )
