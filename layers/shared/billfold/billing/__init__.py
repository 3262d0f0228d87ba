"""Billing: billing and usage periods, and proration of subscription changes."""
