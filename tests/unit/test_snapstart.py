"""SnapStart: a restored instance shares no random sequence and no cached secret."""

import random
import sys
import types

import pytest
from aws_lambda_powertools.utilities.parameters.base import DEFAULT_PROVIDERS

from billfold_lambda import snapstart


def test_after_a_restore_random_is_reseeded_and_cached_secrets_are_forgotten() -> None:
    random.seed(42)
    snapshotted = random.random()
    random.seed(42)
    DEFAULT_PROVIDERS["secrets"] = object()  # the provider holding get_secret's cache

    snapstart.renew_after_restore()

    assert random.random() != snapshotted
    assert "secrets" not in DEFAULT_PROVIDERS


def test_the_hook_is_registered_where_the_runtime_offers_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)

    snapstart.register()

    assert registered == [snapstart.renew_after_restore]
