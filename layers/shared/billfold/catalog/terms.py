"""The catalog's vocabulary: the small types that entitlements, periods and usage share with
the catalog. Kept apart from the catalog's documents so that the hot path (an entitlement
check, a usage report) never builds the plan and add-on models it does not use."""

from typing import Annotated, Literal

from pydantic import Field, StrictInt, StringConstraints

from billfold.catalog.price_models import PriceModel
from billfold.identifiers import CATALOG_ID_PATTERN
from billfold.models import ApiModel, ValueModel
from billfold.money import Currency

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Description = Annotated[str, StringConstraints(max_length=1000)]
Status = Literal["active", "archived"]

FeatureType = Literal["boolean", "metered", "numeric"]
"""boolean: on or off. metered: counted usage against a limit. numeric: a configured number."""

BillingPeriod = Literal["monthly", "annual"]
ResetPeriod = Literal["daily", "weekly", "monthly", "yearly", "never"]
ResetAnchor = Literal["subscription", "calendar"]
Enforcement = Literal["hard", "soft"]
Quantity = Annotated[StrictInt, Field(ge=0, le=10**15)]
DowngradeTiming = Literal["period_end", "immediate"]
"""When a downgrade away from a plan applies: at the end of the paid period, or at once."""


class FeatureUnit(ValueModel):
    """How a metered or numeric feature's amounts are named: 1 'API call', 2 'API calls'."""

    singular: Name
    plural: Name


class OveragePrice(PriceModel):
    """What the units used past a soft limit cost, in one currency, billed in arrears: per
    unit (`amount`), in graduated or volume `tiers` over the units past the limit, or by the
    package."""

    currency: Currency


class CreditCost(ValueModel):
    """That using a metered feature draws prepaid credits: `perUnit` credits of
    `creditTypeId` for each unit (1 image = 4 AI credits)."""

    credit_type_id: Annotated[str, StringConstraints(pattern=CATALOG_ID_PATTERN)]
    per_unit: Annotated[StrictInt, Field(ge=1, le=10**9)]


class Discount(ApiModel):
    """A coupon's terms as applied to one invoice: `percentOff` (1-100) or `amountOff`."""

    coupon_id: str
    name: str
    percent_off: int | None = None
    amount_off: int | None = None
