"""The knowledge base: help-center articles, and retrieval over them for the AI."""
