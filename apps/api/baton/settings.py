"""Settings read once from the environment (every variable is prefixed ``BATON_``)."""

from __future__ import annotations

import base64
import ipaddress
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from baton.kit.crypto import parse_master_keys

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"BATON_{name}")
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    raw = _env(name)
    return int(raw) if raw is not None else default


def _env_bool(name: str, default: bool = False) -> bool:
    raw = _env(name)
    return default if raw is None else raw.strip().lower() in {"1", "true", "yes", "on"}


def _persistent_secret(data_dir: Path, filename: str, make: str) -> str:
    """A secret for the embedded default, generated once and kept in the data folder.

    Production sets the variable; a laptop gets stable secrets without configuration.
    """
    path = data_dir / filename
    if path.exists():
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)  # an older install wrote it readable by others
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = (
        base64.b64encode(secrets.token_bytes(32)).decode()
        if make == "b64"
        else secrets.token_urlsafe(48)
    )
    # created 0600 from the start (no window in which another user could read it)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def normalise_database_url(url: str) -> str:
    """Accept the usual spellings and pick the async driver for each backend."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://") and not url.startswith("sqlite+aiosqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    master_key: bytes
    public_url: str
    cors_origins: tuple[str, ...]
    force_tls: bool
    openai_api_key: str | None
    anthropic_api_key: str | None
    gemini_api_key: str | None
    resend_api_key: str | None
    email_from: str
    access_token_minutes: int = 12 * 60
    session_idle_minutes: int = 30
    max_body_bytes: int = 1024 * 1024
    max_message_chars: int = 10_000
    # the anonymous /widget edge, per minute: each message can buy an LLM call
    widget_messages_per_session: int = 20
    widget_messages_per_ip: int = 600
    widget_sessions_per_ip: int = 120
    widget_connections_per_ip: int = 240
    widget_events_per_session: int = 120  # typing, page views, syncs
    login_limit_per_ip: int = 20
    login_limit_per_account: int = 5
    login_window_seconds: int = 300
    login_failures_alarm: int = 50
    redis_namespace: str = "baton"
    # a live visitor whose process stops refreshing its sockets leaves after this long
    visitor_presence_ttl_seconds: int = 15
    # each api process's heartbeat in Redis: a process silent this long (killed) no longer
    # counts its agents as online
    process_heartbeat_seconds: int = 10
    # after start-up: freeze what the process keeps and collect the young generation after
    # this many allocations (Python's default is 700); 0 keeps Python's defaults (kit/gc_tuning)
    gc_gen0_threshold: int = 20_000
    # an AI reply in flight renews a lease this long; a killed process's reply is resumed by
    # another process (or the restarted one) once it expires
    ai_reply_lease_seconds: float = 20.0
    # with an LLM provider configured, each visitor message's sentiment comes from the model
    # (the offline lexicon score stays when it fails); off: the lexicon only
    llm_sentiment: bool = True
    # outbound calls (AI providers, checks): internal addresses are refused unless allowed
    outbound_allow: tuple[str, ...] = ()
    allow_private_outbound: bool = False
    log_level: str = "INFO"
    log_json: bool = True
    # email: the Resend API (a fake in tests), the outbox's retries, inbound webhooks, tickets
    resend_base_url: str = "https://api.resend.com"
    mail_max_attempts: int = 10
    mail_retry_base_seconds: float = 30.0
    mail_retry_max_seconds: float = 3600.0
    mail_lease_seconds: float = 120.0
    webhook_timeout_seconds: float = 10.0
    webhook_retry_base_seconds: float = 5.0
    webhook_retry_max_seconds: float = 86400.0
    webhook_max_attempts: int = 12
    webhook_disable_after: int = 20
    mail_send_timeout_seconds: float = 20.0
    resend_webhook_secret: str | None = None
    inbound_email_token: str | None = None
    tickets_per_ip: int = 10
    tickets_per_email: int = 5
    # the database: a query or a lock wait longer than these is cancelled (PostgreSQL), a
    # write waits this long for SQLite's lock, a request this long for a pooled connection;
    # any of them then answers 503 database_unavailable instead of hanging
    db_statement_timeout_ms: int = 30_000
    db_lock_timeout_ms: int = 5_000
    db_busy_timeout_ms: int = 10_000
    db_pool_timeout_seconds: float = 10.0
    # attachments (docs/attachments.md): where files live, how large, who may upload how often
    storage_url: str | None = None  # None: file://<data_dir>/attachments
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_max_attempts: int = 3  # per request, with botocore's standard backoff between them
    max_upload_mb: int = 50
    scan_command: str | None = None  # e.g. "clamdscan --no-summary"; exit 1 = infected
    uploads_per_visitor: int = 20  # per minute
    uploads_per_agent: int = 60  # per minute
    attachment_url_ttl_seconds: int = 3600
    attachment_unattached_hours: int = 24
    attachment_retention_days: int = 0  # 0: kept as long as their conversation
    # master keys that may still wrap data keys and secrets (read only, during a rotation)
    previous_master_keys: tuple[bytes, ...] = ()
    # widget conversations nobody wrote in are removed after this long (0: kept)
    abandoned_conversation_hours: int = 24
    # mask emails, phone numbers, card numbers, IBANs... in log records (kit/redact.py)
    log_redact_pii: bool = True
    # the country whose national phone formats redaction recognises (international: any)
    pii_phone_region: str = "US"

    @property
    def socketio_channel(self) -> str:
        """Redis pub/sub is not per-database: namespacing keeps two deployments apart."""
        return f"{self.redis_namespace}-socketio"

    @property
    def job_queue_name(self) -> str:
        return f"{self.redis_namespace}:jobs"


LOOPBACK_TARGETS = ("127.0.0.0/8", "::1/128", "localhost")


def _is_local_install(public_url: str) -> bool:
    host = (urlsplit(public_url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _outbound_allow(public_url: str) -> tuple[str, ...]:
    """What the outbound guard lets through although it is internal (kit/outbound.py).

    ``BATON_OUTBOUND_LOOPBACK`` decides loopback: ``auto`` (default) allows it only on a local
    install, one whose public URL is itself on loopback, where whoever administers Baton
    already has the machine and a model server beside it (Ollama on localhost:11434) is the
    usual set-up; ``allow`` or ``refuse`` say so outright. Private networks and the cloud
    metadata service stay refused unless named in ``BATON_OUTBOUND_ALLOW``.
    """
    listed = tuple(h.strip() for h in (_env("OUTBOUND_ALLOW", "") or "").split(",") if h.strip())
    mode = (_env("OUTBOUND_LOOPBACK", "auto") or "auto").strip().lower()
    if mode not in ("auto", "allow", "refuse"):
        raise ValueError("BATON_OUTBOUND_LOOPBACK must be auto, allow or refuse")
    if mode == "allow" or (mode == "auto" and _is_local_install(public_url)):
        return listed + LOOPBACK_TARGETS
    return listed


def load_settings() -> Settings:
    data_dir = Path(_env("DATA_DIR", str(PROJECT_ROOT / "data")) or "data").resolve()
    database_url = _env("DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir / 'baton.db'}"
    master_raw = _env("MASTER_KEY") or _persistent_secret(data_dir, "master.key", "b64")
    master_key = base64.b64decode(master_raw)
    public_url = (_env("PUBLIC_URL", "http://127.0.0.1:8000") or "").rstrip("/")
    if len(master_key) != 32:
        raise ValueError("BATON_MASTER_KEY must be base64 for exactly 32 bytes")
    return Settings(
        data_dir=data_dir,
        database_url=normalise_database_url(database_url),
        redis_url=_env("REDIS_URL"),
        secret_key=_env("SECRET_KEY") or _persistent_secret(data_dir, "secret.key", "urlsafe"),
        master_key=master_key,
        public_url=public_url,
        # empty: the public URL's origin only (kit/headers.py); "*" must be asked for
        cors_origins=tuple(
            o.strip() for o in (_env("CORS_ORIGINS", "") or "").split(",") if o.strip()
        ),
        force_tls=_env_bool("FORCE_TLS"),
        openai_api_key=_env("OPENAI_API_KEY"),
        anthropic_api_key=_env("ANTHROPIC_API_KEY"),
        gemini_api_key=_env("GEMINI_API_KEY"),
        resend_api_key=_env("RESEND_API_KEY"),
        email_from=_env("EMAIL_FROM", "Baton <support@baton.local>") or "",
        access_token_minutes=_env_int("ACCESS_TOKEN_MINUTES", 12 * 60),
        session_idle_minutes=_env_int("SESSION_IDLE_MINUTES", 30),
        max_body_bytes=_env_int("MAX_BODY_BYTES", 1024 * 1024),
        max_message_chars=_env_int("MAX_MESSAGE_CHARS", 10_000),
        widget_messages_per_session=_env_int("WIDGET_MESSAGES_PER_SESSION", 20),
        widget_messages_per_ip=_env_int("WIDGET_MESSAGES_PER_IP", 600),
        widget_sessions_per_ip=_env_int("WIDGET_SESSIONS_PER_IP", 120),
        widget_connections_per_ip=_env_int("WIDGET_CONNECTIONS_PER_IP", 240),
        widget_events_per_session=_env_int("WIDGET_EVENTS_PER_SESSION", 120),
        login_limit_per_ip=_env_int("LOGIN_LIMIT_PER_IP", 20),
        login_limit_per_account=_env_int("LOGIN_LIMIT_PER_ACCOUNT", 5),
        login_window_seconds=_env_int("LOGIN_WINDOW_SECONDS", 300),
        login_failures_alarm=_env_int("LOGIN_FAILURES_ALARM", 50),
        redis_namespace=_env("REDIS_NAMESPACE", "baton") or "baton",
        visitor_presence_ttl_seconds=max(3, _env_int("VISITOR_PRESENCE_TTL_SECONDS", 15)),
        process_heartbeat_seconds=max(2, _env_int("PROCESS_HEARTBEAT_SECONDS", 10)),
        gc_gen0_threshold=max(0, _env_int("GC_GEN0_THRESHOLD", 20_000)),
        ai_reply_lease_seconds=max(1.0, float(_env("AI_REPLY_LEASE_SECONDS", "20") or 20)),
        llm_sentiment=_env_bool("LLM_SENTIMENT", True),
        outbound_allow=_outbound_allow(public_url),
        allow_private_outbound=_env_bool("ALLOW_PRIVATE_OUTBOUND"),
        log_level=_env("LOG_LEVEL", "INFO") or "INFO",
        log_json=_env_bool("LOG_JSON", True),
        resend_base_url=(_env("RESEND_BASE_URL", "https://api.resend.com") or "").rstrip("/"),
        mail_max_attempts=_env_int("MAIL_MAX_ATTEMPTS", 10),
        mail_retry_base_seconds=float(_env("MAIL_RETRY_BASE_SECONDS", "30") or 30),
        mail_retry_max_seconds=float(_env("MAIL_RETRY_MAX_SECONDS", "3600") or 3600),
        mail_lease_seconds=float(_env("MAIL_LEASE_SECONDS", "120") or 120),
        webhook_timeout_seconds=float(_env("WEBHOOK_TIMEOUT_SECONDS", "10") or 10),
        webhook_retry_base_seconds=float(_env("WEBHOOK_RETRY_BASE_SECONDS", "5") or 5),
        webhook_retry_max_seconds=float(_env("WEBHOOK_RETRY_MAX_SECONDS", "86400") or 86400),
        webhook_max_attempts=int(_env("WEBHOOK_MAX_ATTEMPTS", "12") or 12),
        webhook_disable_after=int(_env("WEBHOOK_DISABLE_AFTER", "20") or 20),
        mail_send_timeout_seconds=float(_env("MAIL_SEND_TIMEOUT_SECONDS", "20") or 20),
        resend_webhook_secret=_env("RESEND_WEBHOOK_SECRET"),
        inbound_email_token=_env("INBOUND_EMAIL_TOKEN"),
        tickets_per_ip=_env_int("TICKETS_PER_IP", 10),
        tickets_per_email=_env_int("TICKETS_PER_EMAIL", 5),
        db_statement_timeout_ms=max(0, _env_int("DB_STATEMENT_TIMEOUT_MS", 30_000)),
        db_lock_timeout_ms=max(0, _env_int("DB_LOCK_TIMEOUT_MS", 5_000)),
        db_busy_timeout_ms=max(0, _env_int("DB_BUSY_TIMEOUT_MS", 10_000)),
        db_pool_timeout_seconds=max(0.1, float(_env("DB_POOL_TIMEOUT_SECONDS", "10") or 10)),
        storage_url=_env("STORAGE_URL"),
        s3_endpoint_url=_env("S3_ENDPOINT_URL"),
        s3_region=_env("S3_REGION", "us-east-1") or "us-east-1",
        s3_access_key_id=_env("S3_ACCESS_KEY_ID"),
        s3_secret_access_key=_env("S3_SECRET_ACCESS_KEY"),
        s3_max_attempts=max(1, _env_int("S3_MAX_ATTEMPTS", 3)),
        max_upload_mb=max(1, _env_int("MAX_UPLOAD_MB", 50)),
        scan_command=_env("SCAN_COMMAND"),
        uploads_per_visitor=_env_int("UPLOADS_PER_VISITOR", 20),
        uploads_per_agent=_env_int("UPLOADS_PER_AGENT", 60),
        attachment_url_ttl_seconds=max(30, _env_int("ATTACHMENT_URL_TTL_SECONDS", 3600)),
        attachment_unattached_hours=max(1, _env_int("ATTACHMENT_UNATTACHED_HOURS", 24)),
        attachment_retention_days=max(0, _env_int("ATTACHMENT_RETENTION_DAYS", 0)),
        previous_master_keys=parse_master_keys(_env("PREVIOUS_MASTER_KEYS")),
        abandoned_conversation_hours=max(0, _env_int("ABANDONED_CONVERSATION_HOURS", 24)),
        log_redact_pii=_env_bool("LOG_REDACT_PII", True),
        pii_phone_region=(_env("PII_PHONE_REGION", "US") or "US").upper(),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
