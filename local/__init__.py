"""The local stack: moto (DynamoDB, S3, Secrets Manager) and localstripe on loopback, with a
local API gateway that calls the very handlers Lambda runs."""
