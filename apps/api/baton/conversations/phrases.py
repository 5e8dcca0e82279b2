"""Does a visitor's message ask for a person? Trigger on a request, not on a word.

"help me", "agent!" or "I want to talk to a human about my refund" ask for a person;
"can you help me with my invoice?" or "I am an agent for a small shop" are for the AI.
The judgment itself (clause by clause, five languages, frustration) lives in
``conversations.handoff_judgment``; this is the yes/no the inbound rules ask.
"""

from __future__ import annotations

from baton.conversations.handoff_judgment import asks_for_person, normalise

__all__ = ["asks_for_person", "normalise"]
