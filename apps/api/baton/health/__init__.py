"""Liveness and readiness: database and Redis reachability."""
