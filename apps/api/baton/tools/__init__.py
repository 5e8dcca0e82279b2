"""Tools the AI may call: the registry, the demo order backend, HTTP integrations, and the
actions they produce (proposed, approved, rejected, done, failed). See docs/ai.md."""
