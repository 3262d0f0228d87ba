"""billfold's constructs, one module per concern."""
