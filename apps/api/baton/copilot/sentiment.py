"""Sentiment of a visitor message, -1 (angry) .. 1 (happy): VADER, a maintained lexicon
scorer that runs offline in well under a millisecond. It is English-centred; other languages
score near 0 unless they use words VADER knows (emoji, "!!!", capitals count everywhere)."""

from __future__ import annotations

from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def score(text: str) -> float:
    """VADER's compound score, rounded to 2 places."""
    if not text.strip():
        return 0.0
    return round(float(_analyzer().polarity_scores(text[:2000])["compound"]), 2)
