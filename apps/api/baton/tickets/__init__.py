"""Tickets: email-channel conversations with a number, a requester and open/pending/resolved."""
