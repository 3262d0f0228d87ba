"""Payments: billfold's narrow view of Stripe."""
