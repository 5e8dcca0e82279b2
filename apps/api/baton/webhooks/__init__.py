"""Signed webhooks: subscriptions per event, deliveries from an outbox, retries, a log."""
