"""Loopback targets on a local install: allowed by default there, refused anywhere else."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.kit.outbound import OutboundRefused, check_outbound_url
from baton.settings import Settings, load_settings


def _settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Settings:
    monkeypatch.setenv("BATON_DATA_DIR", str(tmp_path))
    for name in ("OUTBOUND_ALLOW", "OUTBOUND_LOOPBACK", "ALLOW_PRIVATE_OUTBOUND"):
        monkeypatch.delenv(f"BATON_{name}", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(f"BATON_{name}", value)
    return load_settings()


async def _allowed(settings: Settings, url: str) -> bool:
    try:
        await check_outbound_url(
            url, allow=settings.outbound_allow, allow_private=settings.allow_private_outbound
        )
    except OutboundRefused:
        return False
    return True


@pytest.mark.parametrize(
    ("public_url", "mode", "loopback_allowed"),
    [
        ("http://127.0.0.1:8000", None, True),
        ("http://localhost:8000", None, True),
        ("https://support.example.com", None, False),
        ("http://127.0.0.1:8000", "refuse", False),
        ("https://support.example.com", "allow", True),
    ],
)
async def test_loopback_follows_the_install(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    public_url: str,
    mode: str | None,
    loopback_allowed: bool,
) -> None:
    env = {"PUBLIC_URL": public_url} | ({"OUTBOUND_LOOPBACK": mode} if mode else {})
    settings = _settings(monkeypatch, tmp_path, **env)
    assert await _allowed(settings, "http://127.0.0.1:11434/v1") is loopback_allowed
    assert await _allowed(settings, "http://[::1]:11434/v1") is loopback_allowed
    # a local install still never reaches private networks or the metadata service
    assert not await _allowed(settings, "http://10.0.0.5/v1")
    assert not await _allowed(settings, "http://169.254.169.254/latest/meta-data")


async def test_named_targets_are_kept_beside_loopback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = _settings(monkeypatch, tmp_path, OUTBOUND_ALLOW="10.0.5.0/24")
    assert await _allowed(settings, "http://10.0.5.7/v1")
    assert await _allowed(settings, "http://127.0.0.1:9/v1")


def test_an_unknown_mode_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="OUTBOUND_LOOPBACK"):
        _settings(monkeypatch, tmp_path, OUTBOUND_LOOPBACK="sometimes")
