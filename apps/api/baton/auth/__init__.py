"""Authentication (passwords, access tokens, API keys) and permission checks."""
