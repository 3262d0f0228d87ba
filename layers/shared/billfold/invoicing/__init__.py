"""Invoicing: billing records into numbered invoices, their documents and their payment."""
