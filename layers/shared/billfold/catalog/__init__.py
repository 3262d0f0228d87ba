"""The catalog: features, plans and add-ons that the user sells."""
