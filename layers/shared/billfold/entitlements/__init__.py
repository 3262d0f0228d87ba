"""Entitlements: what a customer holds of each feature, and whether they may use it."""
