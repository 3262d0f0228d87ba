"""billfold's Python SDK.

from billfold_sdk import Billfold
billfold = Billfold(api_key="bf_sk_...", base_url="https://<api>/<stage>")
if billfold.entitlements.allowed("acme", "api-calls"):
    ...
"""

from billfold_sdk.client import Billfold
from billfold_sdk.entitlements import CachedEntitlements
from billfold_sdk.errors import BillfoldError

__all__ = ["Billfold", "BillfoldError", "CachedEntitlements"]
