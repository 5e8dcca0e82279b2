"""Every Socket.IO namespace and room name, in one place.

``/widget`` is the visitor's namespace; ``/agent`` the inbox's and integrators'.
"""

from __future__ import annotations

import uuid

VISITOR_NS = "/widget"
AGENT_NS = "/agent"

AGENTS_ROOM = "agents"  # every connected agent and integrator socket
INBOX_ALL_ROOM = "inbox:all"  # callers who may read every conversation (admins, API keys)
# the others: they see nobody's conversations and their own (conversations/policy.py)
SCOPED_AGENTS_ROOM = "agents:scoped"


def user_room(user_id: object) -> str:
    """All sockets of one user (or one API key)."""
    return f"user:{user_id}"


def visitor_room(conversation_id: uuid.UUID | str) -> str:
    """The visitor's widget sockets for one conversation."""
    return f"visitor:{conversation_id}"


def conversation_room(conversation_id: uuid.UUID | str) -> str:
    """Agents (and integrators) who opened the conversation."""
    return f"conversation:{conversation_id}"
