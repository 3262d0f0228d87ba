"""Checkout: a seller-made session that a visitor completes to start a subscription."""
