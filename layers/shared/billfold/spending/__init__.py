"""Spend limits: a monthly cap on what overage and auto-recharge may cost a customer."""
