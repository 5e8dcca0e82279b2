"""Outgoing email: an outbox written with what caused it, sent by a job through Resend."""
