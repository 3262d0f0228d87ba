"""Billing events for the seller's app: the relay from the outbox to the EventBridge bus, the
event log, and the catalog of event types with their schemas."""
