"""Webhook endpoints: the seller's URLs that receive billing events, signed, with retries and a
delivery log."""
