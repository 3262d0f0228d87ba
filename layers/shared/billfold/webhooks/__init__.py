"""Stripe's webhooks, an edge of the domain: verify, record once and queue (`receiving`), then
re-read each event's object from Stripe and hand it to the domain call its type names
(`dispatch`). The domain never reaches back into Stripe's events."""
