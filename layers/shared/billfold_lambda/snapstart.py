"""SnapStart: nothing secret or random is carried from a snapshot into the instances restored
from it.

A snapshot is taken after a published version's init: module imports, no invocation, so no
secret has been read into Powertools' parameter cache by then and no request's state exists.
After each restore the cache is cleared all the same (secrets are read again, within their
five-minute cache) and `random` is reseeded from the OS, so restored instances never share a
sequence (uuid4 and `secrets` read the OS each time and need nothing).
"""

import random


def renew_after_restore() -> None:
    """What every restored instance does before its first request."""
    from aws_lambda_powertools.utilities.parameters import clear_caches

    random.seed()
    clear_caches()  # type: ignore[no-untyped-call]


def register() -> None:
    """Register the hook with the runtime's SnapStart hooks (present on Lambda only)."""
    try:
        from snapshot_restore_py import register_after_restore  # type: ignore[import-not-found]
    except ImportError:
        return
    register_after_restore(renew_after_restore)
