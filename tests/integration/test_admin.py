"""The operator's `python -m infra.admin create-server-key`, against the real (moto) table."""

import hashlib

from billfold.auth.api_keys import is_server_key, verify_server_key
from billfold.storage import keys
from infra.admin import create_server_key


def test_a_created_server_key_verifies_and_is_stored_only_as_its_hash(table):
    key = create_server_key("ops backend")

    assert is_server_key(key)
    stored = verify_server_key(table, key)
    assert stored is not None
    assert stored.name == "ops backend"
    item = table.get(keys.api_key(hashlib.sha256(key.encode()).hexdigest()))
    assert item is not None
    assert key not in {str(value) for value in item.values()}
    assert create_server_key("ops backend") != key
