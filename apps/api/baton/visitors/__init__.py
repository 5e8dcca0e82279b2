"""Visitors: who is on the website, their sessions, presence and the live-visitors view."""
