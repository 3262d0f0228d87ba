"""Customers: the user's own customers, each mirrored by a Stripe customer."""
