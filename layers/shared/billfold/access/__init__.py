"""Access: may this customer use this feature now, and how much is left? The entitlement check
against storage, above everything it reads: the materialized entitlements, the usage counters,
and (rarely: a promotion just expired) a recomputation through the subscription."""
