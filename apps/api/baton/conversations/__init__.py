"""Conversations: visitor sessions, the handoff state machine, agents, lossless delivery."""
