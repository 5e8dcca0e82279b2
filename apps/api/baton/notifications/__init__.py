"""Outgoing email through Resend, recorded in an outbox so every send is auditable."""
