"""The catalog over HTTP: features, plans and add-ons through the local gateway."""

from tests.e2e.helpers import assert_error, camel_case_violations, every_item


def _feature_body(feature_id: str, feature_type: str = "metered") -> dict:
    body = {"id": feature_id, "name": f"Feature {feature_id}", "type": feature_type}
    if feature_type != "boolean":
        body["unit"] = {"singular": "call", "plural": "calls"}
    return body


def _plan_body(plan_id: str, **fields) -> dict:
    return {
        "id": plan_id,
        "name": "Team",
        "description": "For teams",
        "trialDays": 14,
        "displayOrder": 3,
        "prices": [
            {"billingPeriod": "monthly", "currency": "USD", "amount": 1900},
            {"billingPeriod": "annual", "currency": "USD", "amount": 19000},
        ],
        **fields,
    }


def test_feature_create_read_and_list(server, uid):
    created = server.post("/v1/features", json=_feature_body(f"calls-{uid}"))

    assert created.status_code == 201, created.text
    feature = created.json()
    assert (feature["id"], feature["type"], feature["unit"]["plural"]) == (
        f"calls-{uid}",
        "metered",
        "calls",
    )
    assert camel_case_violations(feature) == []
    assert {"createdAt", "updatedAt"} <= set(feature)
    read = server.get(f"/v1/features/calls-{uid}")
    assert read.status_code == 200
    assert read.json() == feature
    assert feature in every_item(server, "/v1/features")


def test_feature_patch_changes_the_name(server, uid):
    server.post("/v1/features", json=_feature_body(f"calls-{uid}"))

    patched = server.patch(f"/v1/features/calls-{uid}", json={"name": "Requests"})

    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "Requests"
    assert patched.json()["unit"] == {"singular": "call", "plural": "calls"}
    assert server.get(f"/v1/features/calls-{uid}").json() == patched.json()


def test_plan_with_entitlements_prices_and_parent_reads_back(server, uid):
    calls, sso = f"calls-{uid}", f"sso-{uid}"
    server.post("/v1/features", json=_feature_body(calls))
    server.post("/v1/features", json=_feature_body(sso, "boolean"))
    parent = server.post(
        "/v1/plans",
        json=_plan_body(f"base-{uid}", entitlements=[{"featureId": calls, "limit": 100}]),
    )
    assert parent.status_code == 201, parent.text

    created = server.post(
        "/v1/plans",
        json=_plan_body(
            f"team-{uid}", parentPlanId=f"base-{uid}", entitlements=[{"featureId": sso}]
        ),
    )

    assert created.status_code == 201, created.text
    plan = created.json()
    assert camel_case_violations(plan) == []
    assert (plan["version"], plan["status"], plan["parentPlanId"]) == (1, "active", f"base-{uid}")
    assert (plan["trialDays"], plan["displayOrder"]) == (14, 3)
    assert plan["prices"] == _plan_body("x")["prices"]
    assert [e["featureId"] for e in plan["entitlements"]] == [sso]
    effective = {e["featureId"]: e for e in plan["effectiveEntitlements"]}
    assert set(effective) == {calls, sso}
    assert effective[calls]["limit"] == 100
    read = server.get(f"/v1/plans/team-{uid}")
    assert read.status_code == 200
    assert read.json() == plan
    listed = {p["id"]: p for p in every_item(server, "/v1/plans")}
    assert listed[f"team-{uid}"] == plan


def test_plan_patch_publishes_version_2_and_version_1_stays_readable(server, uid):
    server.post("/v1/plans", json=_plan_body(f"team-{uid}"))
    new_prices = [{"billingPeriod": "monthly", "currency": "EUR", "amount": 2500}]

    patched = server.patch(f"/v1/plans/team-{uid}", json={"prices": new_prices})

    assert patched.status_code == 200, patched.text
    assert (patched.json()["version"], patched.json()["prices"]) == (2, new_prices)
    latest = server.get(f"/v1/plans/team-{uid}").json()
    assert (latest["version"], latest["prices"]) == (2, new_prices)
    first = server.get(f"/v1/plans/team-{uid}", params={"version": 1})
    assert first.status_code == 200
    assert (first.json()["version"], first.json()["prices"]) == (1, _plan_body("x")["prices"])
    assert_error(
        server.get(f"/v1/plans/team-{uid}", params={"version": 3}),
        404,
        "version_not_found",
        "version",
    )


def test_archived_plan_leaves_the_list_but_stays_readable(server, uid):
    server.post("/v1/plans", json=_plan_body(f"old-{uid}"))

    archived = server.post(f"/v1/plans/old-{uid}/archive")

    assert archived.status_code == 200, archived.text
    assert archived.json()["status"] == "archived"
    assert f"old-{uid}" not in {p["id"] for p in every_item(server, "/v1/plans")}
    with_archived = every_item(server, "/v1/plans", includeArchived="true")
    assert f"old-{uid}" in {p["id"] for p in with_archived}
    assert server.get(f"/v1/plans/old-{uid}").json()["status"] == "archived"
    assert_error(server.patch(f"/v1/plans/old-{uid}", json={"name": "Back"}), 409, "plan_archived")


def test_addon_create_read_and_list(server, uid):
    seats = f"seats-{uid}"
    server.post("/v1/features", json=_feature_body(seats, "numeric"))
    server.post("/v1/plans", json=_plan_body(f"team-{uid}"))
    body = {
        "id": f"more-seats-{uid}",
        "name": "More seats",
        "maxQuantity": 25,
        "planIds": [f"team-{uid}"],
        "prices": [{"billingPeriod": "monthly", "currency": "USD", "amount": 500}],
        "entitlements": [{"featureId": seats, "value": 1}],
    }

    created = server.post("/v1/addons", json=body)

    assert created.status_code == 201, created.text
    addon = created.json()
    assert camel_case_violations(addon) == []
    assert (addon["maxQuantity"], addon["planIds"], addon["version"]) == (25, [f"team-{uid}"], 1)
    assert addon["entitlements"][0]["value"] == 1
    read = server.get(f"/v1/addons/more-seats-{uid}")
    assert read.status_code == 200
    assert read.json() == addon
    assert addon in every_item(server, "/v1/addons")
    patched = server.patch(f"/v1/addons/more-seats-{uid}", json={"maxQuantity": 30})
    assert (patched.json()["version"], patched.json()["maxQuantity"]) == (2, 30)
    first = server.get(f"/v1/addons/more-seats-{uid}", params={"version": 1}).json()
    assert first["maxQuantity"] == 25


def test_repeating_a_create_returns_the_same_resource(server, uid):
    first = server.post("/v1/plans", json=_plan_body(f"team-{uid}"))
    again = server.post("/v1/plans", json=_plan_body(f"team-{uid}"))

    assert again.status_code in (200, 201)
    assert again.json() == first.json()
    assert [p["id"] for p in every_item(server, "/v1/plans")].count(f"team-{uid}") == 1


def test_duplicate_creates_with_other_content_are_conflicts(server, uid):
    server.post("/v1/features", json=_feature_body(f"calls-{uid}"))
    server.post("/v1/plans", json=_plan_body(f"team-{uid}"))
    server.post("/v1/addons", json={"id": f"extra-{uid}", "name": "Extra"})

    for path, body in [
        ("/v1/features", {**_feature_body(f"calls-{uid}"), "name": "Other"}),
        ("/v1/plans", _plan_body(f"team-{uid}", trialDays=0)),
        ("/v1/addons", {"id": f"extra-{uid}", "name": "Other"}),
    ]:
        assert_error(server.post(path, json=body), 409, "already_exists", "id")

    assert server.get(f"/v1/plans/team-{uid}").json()["trialDays"] == 14


def test_unknown_catalog_items_are_not_found(server, uid):
    assert_error(server.get(f"/v1/plans/ghost-{uid}"), 404, "plan_not_found")
    assert_error(server.get(f"/v1/features/ghost-{uid}"), 404, "feature_not_found")
    assert_error(server.get(f"/v1/addons/ghost-{uid}"), 404, "addon_not_found")
    assert_error(server.patch(f"/v1/plans/ghost-{uid}", json={"name": "X"}), 404, "plan_not_found")
    assert_error(server.post(f"/v1/plans/ghost-{uid}/archive"), 404, "plan_not_found")


def test_plan_list_pages_hold_every_plan_once(server, uid):
    mine = {f"lp-{uid}-{n}" for n in range(5)}
    for plan_id in mine:
        assert server.post("/v1/plans", json=_plan_body(plan_id)).status_code == 201

    ids = [p["id"] for p in every_item(server, "/v1/plans", limit=2)]

    assert len(ids) == len(set(ids))
    assert mine <= set(ids)


def test_archived_addon_leaves_the_list_and_cannot_change(server, uid):
    server.post("/v1/addons", json={"id": f"old-{uid}", "name": "Old"})

    archived = server.post(f"/v1/addons/old-{uid}/archive")
    again = server.post(f"/v1/addons/old-{uid}/archive")

    assert archived.status_code == 200, archived.text
    assert archived.json()["status"] == "archived"
    assert again.json() == archived.json()
    assert f"old-{uid}" not in {a["id"] for a in every_item(server, "/v1/addons")}
    with_archived = every_item(server, "/v1/addons", includeArchived="true")
    assert f"old-{uid}" in {a["id"] for a in with_archived}
    assert_error(server.patch(f"/v1/addons/old-{uid}", json={"name": "New"}), 409, "addon_archived")


def test_archived_feature_cannot_be_granted_by_a_new_plan(server, uid):
    server.post("/v1/features", json=_feature_body(f"gone-{uid}", "boolean"))

    archived = server.post(f"/v1/features/gone-{uid}/archive")

    assert archived.status_code == 200, archived.text
    assert archived.json()["status"] == "archived"
    assert f"gone-{uid}" not in {f["id"] for f in every_item(server, "/v1/features")}
    listed = every_item(server, "/v1/features", includeArchived="true")
    assert f"gone-{uid}" in {f["id"] for f in listed}
    plan = _plan_body(f"p-{uid}", entitlements=[{"featureId": f"gone-{uid}"}])
    assert_error(
        server.post("/v1/plans", json=plan), 400, "feature_archived", "entitlements.0.featureId"
    )
