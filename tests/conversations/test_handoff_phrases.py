from __future__ import annotations

import pytest

from baton.conversations.phrases import asks_for_person
from baton.workspace.service import DEFAULT_HANDOFF_PHRASES

ASKS = [
    "help me",
    "Help me!",
    "HELP",
    "agent!",
    "Agent",
    "human",
    "talk to an agent",
    "Talk to a person",
    "I want a human",
    "i want a human!!",
    "connect me to an agent",
    "Please connect me to an agent",
    "I want to talk to a human about my refund",
    "can I speak to a real person?",
    "human please",
    "Is there a human there?",
    "hi, talk to an agent please",
    "I need to speak with someone",
    "get me a human",
    "please help me",
    "Can you transfer me to a human?",
    "I would like to speak to a representative",
    "Connect me to an agent, please",
    "operator",
]
FOR_THE_AI = [
    "can you help me with my invoice?",
    "I am an agent for a small shop",
    "How do I return an item?",
    "my travel agent booked this",
    "help me reset my password",
    "what does a human resources team do",
    "the agent told me to wait",
    "Is this product available?",
    "who is the person in charge of billing",
    "I have a question about shipping",
    "",
    "   ",
    "agents of shield season 2",
]


@pytest.mark.parametrize("text", ASKS)
def test_requests_for_a_person(text: str) -> None:
    assert asks_for_person(text, DEFAULT_HANDOFF_PHRASES)


@pytest.mark.parametrize("text", FOR_THE_AI)
def test_questions_stay_with_the_ai(text: str) -> None:
    assert not asks_for_person(text, DEFAULT_HANDOFF_PHRASES)


def test_phrases_are_configurable_and_normalised() -> None:
    assert asks_for_person("Je veux parler à quelqu'un !", ["je veux parler a quelqu un"])
    assert not asks_for_person("help me", ["talk to sales"])
