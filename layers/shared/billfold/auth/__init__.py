"""Credentials: server API keys (stored hashed) and customer-bound portal tokens."""
