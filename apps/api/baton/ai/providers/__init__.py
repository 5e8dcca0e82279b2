"""Provider implementations, built from a provider's configuration."""

from __future__ import annotations

from baton.ai.providers.base import Provider

KINDS = ("openai", "anthropic", "gemini", "builtin")


def build_provider(
    kind: str,
    *,
    name: str,
    model: str,
    api_key: str | None,
    base_url: str | None,
    timeout: float,
) -> Provider:
    if kind == "openai":
        from baton.ai.providers.openai_chat import OpenAIProvider

        return OpenAIProvider(
            name=name, model=model, api_key=api_key, base_url=base_url, timeout=timeout
        )
    if kind == "anthropic":
        from baton.ai.providers.anthropic_messages import AnthropicProvider

        return AnthropicProvider(
            name=name, model=model, api_key=api_key, base_url=base_url, timeout=timeout
        )
    if kind == "gemini":
        from baton.ai.providers.gemini import GeminiProvider

        return GeminiProvider(
            name=name, model=model, api_key=api_key, base_url=base_url, timeout=timeout
        )
    if kind == "builtin":
        from baton.ai.providers.builtin import BuiltinProvider

        return BuiltinProvider(name=name, model=model)
    raise ValueError(f"unknown provider kind {kind!r}")
