"""Prepaid credits: grants drawn in order, an append-only ledger, atomic consumes."""
