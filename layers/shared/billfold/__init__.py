"""billfold's domain: catalog, customers, subscriptions, billing — no HTTP, no Lambda."""
