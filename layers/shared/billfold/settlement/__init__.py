"""The billing run: finding due customers, and settling each one (transitions, invoices,
charges) — the same code for the scheduled run, the queue worker and the local test clock."""
