"""Usage metering's storage side: counters per customer and feature, reported exactly once."""
