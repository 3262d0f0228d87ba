"""Subscriptions: what a customer holds, how it changes, and the billing records it emits."""
