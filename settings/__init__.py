"""Every setting and its default, in one place: frozen dataclasses, one per section of config.yaml.

A leaf (standard library only) so that every layer can be handed its own section, typed. The
composition root (bot/config.py) fills `Settings` from config.yaml, then the environment (secrets
only from there), then test overrides, with `build`, which reports unknown keys and wrong types.
Mappings keyed by data (rate limits per platform, deadlines per procedure) stay plain mappings.

To add a setting: a field with its default in its section below, and a line in config.yaml.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from settings.build import SettingsError, build, to_dict

__all__ = ["SettingsError", "build", "to_dict", "Settings"]


def secret(default: str = "") -> str:
    """A field read only from the environment (bot/config.py ENVIRONMENT), never from config.yaml."""
    return field(default=default, metadata={"secret": True})


@dataclass(frozen=True)
class ServerSettings:
    """waitress behind the reverse proxy (deploy/nginx.conf); the reasoning is in config.yaml."""

    threads: int = 16
    connection_limit: int = 1000
    channel_timeout: int = 30
    cleanup_interval: int = 10
    backlog: int = 1024


@dataclass(frozen=True)
class S3Settings:
    """An S3-compatible bucket for uploads.backend "s3"; credentials only from the environment
    (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, read by boto3)."""

    bucket: str = ""
    endpoint_url: str = ""  # "" = AWS itself; e.g. https://s3.hanoi.gov.vn for MinIO or Ceph
    region: str = ""
    prefix: str = ""


@dataclass(frozen=True)
class UploadSettings:
    """Photos and documents citizens attach in the web chat or send on a platform (downloaded after
    the webhook is answered, retried with doubling backoff); the types are checked on the content.
    backend: "local" (files under dir) or "s3" (an S3-compatible bucket). download_hosts: the
    platforms' CDNs (and their subdomains) attachment links may point to; nothing else is fetched."""

    dir: str = "var/uploads"
    max_bytes: int = 5 * 1024 * 1024
    types: tuple[str, ...] = ("image/jpeg", "image/png", "application/pdf")
    backend: str = "local"
    s3: S3Settings = field(default_factory=S3Settings)
    download_attempts: int = 5
    download_backoff_seconds: float = 60
    download_poll_seconds: float = 30
    download_hosts: tuple[str, ...] = ("fbcdn.net", "fbsbx.com", "zadn.vn", "zdn.vn", "zaloapp.com",
                                       "zalo.me")


@dataclass(frozen=True)
class NluReviewSettings:
    margin: float = 0.15
    cv_folds: int = 5
    heldout: str = "evaluation/nlu_heldout.jsonl"


@dataclass(frozen=True)
class RasaSettings:
    url: str = "http://127.0.0.1:5005"
    venv: str = ".venv-rasa"
    start_server: bool = True
    timeout_seconds: float = 2.0
    # `rasa train nlu` (100 DIET epochs) takes 25-60 min on 2 shared cores; past this it is stopped.
    train_timeout_seconds: float = 10800.0


@dataclass(frozen=True)
class NluSettings:
    backend: str = "builtin"
    data_dir: str = "nlu_data"
    models_dir: str = "var/models"
    threshold: float = 0.25
    activation_margin: float = 0.02
    review: NluReviewSettings = field(default_factory=NluReviewSettings)
    rasa: RasaSettings = field(default_factory=RasaSettings)


@dataclass(frozen=True)
class DeadlineSettings:
    """Working days per step (over catalogue/deadlines.yaml), and per procedure group and step."""

    steps: Mapping[str, int] = field(default_factory=dict)
    per_procedure: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    remind_working_days_before: int = 1


@dataclass(frozen=True)
class ConsoleSettings:
    """Cookies are Secure when secure_cookies or production. Failed logins are limited per account
    and client address together (login_attempts) and per address (login_attempts_per_address).
    Sessions end after session_idle_minutes without a request, session_absolute_hours after login."""

    secure_cookies: bool = False
    login_attempts: int = 10
    login_attempts_per_address: int = 50
    login_window_seconds: float = 900
    session_idle_minutes: float = 30
    session_absolute_hours: float = 12


@dataclass(frozen=True)
class ProxySettings:
    """The client's address is taken from X-Forwarded-For behind this many trusted reverse proxies
    (deploy/nginx.conf is one hop); 0 = the TCP peer, when nothing sits in front of the server."""

    trusted_hops: int = 0


@dataclass(frozen=True)
class PublicSettings:
    """base_url: the public address of this server as citizens reach it (web chat and the channel
    poster's QR codes); "" = the address the console was opened on. Lookups are limited per
    tracking code and client address together, and per address (the chat's per tracking code and
    per chat). Web chat messages per session and per address in chat_window_seconds, and new chat
    sessions per address in chat_sessions_window_seconds (bot/webchat_limits.py)."""

    lookup_attempts: int = 10
    lookup_attempts_per_address: int = 30
    lookup_window_seconds: float = 600
    base_url: str = ""
    chat_messages_per_session: int = 30
    chat_messages_per_address: int = 120
    chat_window_seconds: float = 60
    chat_sessions_per_address: int = 30
    chat_sessions_window_seconds: float = 600


@dataclass(frozen=True)
class HotlineSettings:
    """A hotline case is linked to a chat only if the citizen agrees there within chat_link_days.
    phone: the hotline citizens call, printed on the channel poster ("" = not printed)."""

    chat_link_days: float = 7
    phone: str = ""


@dataclass(frozen=True)
class SchedulerSettings:
    """Exactly one process runs the jobs (a PostgreSQL advisory lock, storage/leader.py); the others
    retry every standby_seconds and take over when the active one dies."""

    run_in_server: bool = True
    interval_minutes: int = 10
    digest_time: str = "07:30"
    standby_seconds: float = 5


@dataclass(frozen=True)
class PrivacySettings:
    """Personal data (Law 91/2025/QH15): cases that ended retention_months ago are anonymised by the
    scheduler every day at retention_time (Hà Nội); inbound platform events (the queue's copy of a
    message, with the sender's name and raw payload) are deleted inbound_days after they were
    processed or failed for good. 0 = never."""

    retention_months: int = 24
    retention_time: str = "02:30"
    inbound_days: int = 7


@dataclass(frozen=True)
class EmailSettings:
    """Staff e-mail (daily digest, overdue alerts) sent by the scheduler; host "" = none.
    base_url: the console's address in the e-mails' links ("" = public.base_url)."""

    host: str = ""
    port: int = 25
    sender: str = field(default="", metadata={"key": "from"})  # `from` in config.yaml
    starttls: bool = False
    ssl: bool = False
    timeout_seconds: float = 10.0
    user: str = secret()
    password: str = secret()
    base_url: str = ""


@dataclass(frozen=True)
class StaffAlertSettings:
    """Staff who link their Telegram chat (console: Tài khoản của tôi) get overdue escalations and
    delivery failures there; the code they send the bot is valid link_code_minutes."""

    telegram: bool = True
    link_code_minutes: float = 15


@dataclass(frozen=True)
class RateLimit:
    per_second: float = 0
    burst: float = 0
    per_chat_per_second: float = 0
    per_chat_burst: float = 1


def _rate_limits() -> dict[str, RateLimit]:
    return {"telegram": RateLimit(per_second=30, burst=30, per_chat_per_second=1, per_chat_burst=3),
            "facebook": RateLimit(per_second=250, burst=50, per_chat_per_second=1, per_chat_burst=3),
            "zalo": RateLimit(per_second=10, burst=10, per_chat_per_second=1, per_chat_burst=3)}


@dataclass(frozen=True)
class InboundSettings:
    """Inbound messages are claimable work (intake/processor.py): `threads` workers in each process
    that processes (the server when process_in_server, every `python -m bot worker`); a claim holds
    a conversation's next message for lease_seconds; a failure retries with backoff and is kept as
    failed after max_attempts. SQLite has one writer: keep 1 thread there."""

    process_in_server: bool = True
    threads: int = 1
    poll_seconds: float = 0.2
    lease_seconds: float = 60
    batch_size: int = 50
    max_attempts: int = 5
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 300


@dataclass(frozen=True)
class OutboxSettings:
    dispatch_in_server: bool = True
    poll_seconds: float = 1.0
    give_up_after_hours: float = 24.0
    throttle_default_seconds: float = 30.0
    backoff_base_seconds: float = 2.0
    backoff_max_seconds: float = 600
    lease_seconds: float = 60
    batch_size: int = 20
    concurrency: int = 4
    rate_limits: Mapping[str, RateLimit] = field(default_factory=_rate_limits)


@dataclass(frozen=True)
class TelegramSettings:
    """username: the bot's Telegram username on the channel poster (t.me/…; "" = left off)."""

    bot_token: str = secret()
    webhook_secret: str = secret()
    api_url: str = "https://api.telegram.org"
    username: str = ""


@dataclass(frozen=True)
class FacebookSettings:
    """page_username: the page on the channel poster (m.me/…; "" = left off)."""

    app_secret: str = secret()
    verify_token: str = secret()
    page_access_token: str = secret()
    graph_url: str = "https://graph.facebook.com/v21.0"
    page_username: str = ""


@dataclass(frozen=True)
class ZaloSettings:
    """oa_id: the OA on the channel poster (zalo.me/…; "" = left off)."""

    app_id: str = secret()
    oa_secret_key: str = secret()
    access_token: str = secret()
    refresh_token: str = secret()
    app_secret: str = secret()
    api_url: str = "https://openapi.zalo.me"
    oa_id: str = ""
    oauth_url: str = "https://oauth.zaloapp.com"
    zns_url: str = "https://business.openapi.zalo.me"
    zns_template_id: str = ""
    zns_template_params: Mapping[str, str] = field(default_factory=dict)
    token_refresh_ahead_seconds: float = 3600


@dataclass(frozen=True)
class WebchatSettings:
    pass


@dataclass(frozen=True)
class ChannelSettings:
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    facebook: FacebookSettings = field(default_factory=FacebookSettings)
    zalo: ZaloSettings = field(default_factory=ZaloSettings)
    webchat: WebchatSettings = field(default_factory=WebchatSettings)


def _national_statuses() -> dict[str, str]:
    """National status as the portal shows it -> our status (unverified: check on the portal)."""
    return {"Chờ tiếp nhận": "received", "Đã tiếp nhận": "classified",
            "Đã chuyển xử lý": "forwarded", "Đang xử lý": "in_progress",
            "Đã có kết quả": "answered", "Đã công khai kết quả": "published",
            "Đã kết thúc": "closed", "Từ chối tiếp nhận": "rejected"}


def _national_fields() -> dict[str, str]:
    """Column names of the export file (CSV header, JSON keys), per field of the national form."""
    return {"case_code": "Mã phản ánh (pakn-bot)", "national_code": "Mã PAKN trên Cổng DVC quốc gia",
            "submitter_type": "Đối tượng gửi", "locality": "Địa phương",
            "receiving_unit": "Cơ quan tiếp nhận", "field": "Lĩnh vực", "name": "Họ và tên",
            "address": "Địa chỉ", "phone": "Số điện thoại", "email": "Thư điện tử",
            "title": "Tiêu đề", "content": "Nội dung", "attachments": "Tệp đính kèm"}


@dataclass(frozen=True)
class NationalAttachmentSettings:
    max_count: int = 5  # files listed per case; more are flagged to attach by hand
    max_bytes: int = 10 * 1024 * 1024


@dataclass(frozen=True)
class NationalLgspSettings:
    """The slot for a real connection (LGSP/NDXP, certificates): unused until access exists."""

    url: str = ""
    client_cert: str = ""  # paths to the certificate files, not their contents
    client_key: str = ""


@dataclass(frozen=True)
class NationalSettings:
    """The national PAKN system (Cổng DVC quốc gia, issue 19), read into
    routing.national.NationalConfig. Nothing here is verified against the national system (it
    publishes no specification for provinces): every name and code is configuration."""

    gateway: str = "disabled"  # disabled | export | lgsp (a slot: refuses until access exists)
    code_pattern: str = r"^[A-Za-z0-9][A-Za-z0-9._/-]{3,63}$"
    link_template: str = ""
    link_hosts: tuple[str, ...] = ("dichvucong.gov.vn",)
    entry_required_since: str = ""  # ISO date; older cases are not listed as still to enter
    submitter_type: str = "Cá nhân"
    locality: str = "Thành phố Hà Nội"
    unit_codes: Mapping[str, str] = field(default_factory=dict)  # agency id or "id|ward" -> code
    field_codes: Mapping[str, str] = field(default_factory=dict)  # procedure group id -> code
    statuses: Mapping[str, str] = field(default_factory=_national_statuses)
    fields: Mapping[str, str] = field(default_factory=_national_fields)
    title_limit: int = 200
    attachments: NationalAttachmentSettings = field(default_factory=NationalAttachmentSettings)
    lgsp: NationalLgspSettings = field(default_factory=NationalLgspSettings)


@dataclass(frozen=True)
class ReadySettings:
    """/readyz answers 503 when one of these ages is exceeded (seconds)."""

    scheduler_max_age_seconds: float = 120
    inbound_max_age_seconds: float = 60  # the oldest inbound message not processed yet
    outbox_max_age_seconds: float = 300  # the oldest outbox row still to send


@dataclass(frozen=True)
class ObservabilitySettings:
    """/metrics answers a request with "Authorization: Bearer $PAKN_METRICS_TOKEN" or from
    metrics_addresses (the client's own address behind proxy.trusted_hops); the scheduler writes
    its heartbeat every heartbeat_seconds."""

    metrics_token: str = secret()
    metrics_addresses: tuple[str, ...] = ("127.0.0.1", "::1")
    heartbeat_seconds: float = 30
    ready: ReadySettings = field(default_factory=ReadySettings)


@dataclass(frozen=True)
class LoggingSettings:
    """format: "text" (one line per record) or "json" (one JSON object per line); personal data
    is logged at DEBUG only, whatever the format."""

    format: str = "text"
    level: str = "INFO"


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/pakn.db"
    secret_key: str = secret()
    # Production (or PAKN_ENV=production): refuse to start with an unset secret key or a demo password.
    production: bool = False
    # Inbound messages processed in background threads; tests switch it off to process in line.
    background: bool = True
    server: ServerSettings = field(default_factory=ServerSettings)
    catalogue_dir: str = "catalogue"
    catalogue_check_seconds: float = 5.0
    max_body_bytes: int = 1024 * 1024
    uploads: UploadSettings = field(default_factory=UploadSettings)
    nlu: NluSettings = field(default_factory=NluSettings)
    deadlines: DeadlineSettings = field(default_factory=DeadlineSettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)
    proxy: ProxySettings = field(default_factory=ProxySettings)
    public: PublicSettings = field(default_factory=PublicSettings)
    hotline: HotlineSettings = field(default_factory=HotlineSettings)
    scheduler: SchedulerSettings = field(default_factory=SchedulerSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    staff_alerts: StaffAlertSettings = field(default_factory=StaffAlertSettings)
    inbound: InboundSettings = field(default_factory=InboundSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    channels: ChannelSettings = field(default_factory=ChannelSettings)
    national: NationalSettings = field(default_factory=NationalSettings)
    observability: ObservabilitySettings = field(default_factory=ObservabilitySettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
