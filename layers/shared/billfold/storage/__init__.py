"""DynamoDB single-table storage: the schema, the key layout, and a thin typed client."""
