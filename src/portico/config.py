"""Settings models and loading: one TOML file, overridden by PORTICO_<SECTION>__<KEY> variables.

Key names follow Backend.AI's webserver config where the concept exists.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

_ENV_PREFIX = "PORTICO_"


class ConfigError(Exception):
    """A configuration problem, worded as the one line the operator needs to read."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def default_data_dir() -> Path:
    """Where the data lives when no configuration names a place: the same from any folder."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "portico"


class GeneralConfig(_Section):
    data_dir: Path = Field(default_factory=default_data_dir)

    @field_validator("data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # A relative path from the file was resolved against the file already; one from the
        # environment is taken from where the command runs, once, here.
        return value.expanduser().resolve()


def origin_of(url: str) -> str:
    """scheme://host[:port] of an http(s) URL; a ValueError names anything else."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not an http(s) URL")
    return f"{parts.scheme}://{parts.netloc}"


def _check_networks(value: list[str]) -> list[str]:
    for item in value:
        ipaddress.ip_network(item, strict=False)
    return value


class ServiceConfig(_Section):
    ip: str = "127.0.0.1"
    port: int = Field(8090, ge=0, le=65535)
    public_url: str = ""
    static_path: str = ""
    # Proxies in front of the webserver (a TLS terminator) whose X-Forwarded-Proto, -Host and
    # -For are believed. Empty: the webserver is the edge and believes nobody.
    trusted_proxies: list[str] = Field(default_factory=list)
    # Other webservers the log-in dialog may be pointed at (when [api] text does not pin it):
    # the page may connect to these origins and to no other.
    allowed_endpoints: list[str] = Field(default_factory=list)
    # Each process (webserver and manager alike) serves at most this many requests at once and
    # answers the rest 503 with Retry-After at once; a request not answered within
    # request_deadline seconds is ended with 503.
    max_in_flight: int = Field(1000, gt=0)
    request_deadline: float = Field(30.0, gt=0, le=3600)
    # A connection must send a complete request head this many seconds after it opens (or
    # after its previous answer), or it is closed: slow and silent sockets do not pile up.
    header_timeout: float = Field(10.0, gt=0, le=600)
    # At most this many kept-alive connections of a server wait idle (75 s at most each); the
    # one idle longest is closed to make room.
    max_idle_connections: int = Field(1000, gt=0)
    # Seconds an idle kept-alive connection stays open: longer than clients keep theirs idle
    # (Backend.AI's webserver and SDK: 15 s; portico's relay: 30 s).
    keep_alive: float = Field(75.0, gt=0, le=3600)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return _check_networks(value)

    @field_validator("allowed_endpoints")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        return [origin_of(url) for url in value]


class ApiConfig(_Section):
    endpoint: str = "http://127.0.0.1:8081"
    domain: str = "default"
    text: str = ""


class ManagerConfig(_Section):
    ip: str = "127.0.0.1"
    port: int = Field(8081, ge=0, le=65535)
    # Other proxies whose X-Forwarded-For is believed. A portico webserver needs no entry: it
    # proves itself with a MAC made with the server secret.
    trusted_proxies: list[str] = Field(default_factory=list)
    hashing_workers: int = Field(0, ge=0, description="0 = one per CPU core")
    # Accept HMAC-SHA1 request signatures (only very old Backend.AI clients send them).
    allow_sha1_signatures: bool = False
    # A verified API key is kept in memory this long, so a signed call needs no database query.
    # Changes reach every replica at once through Redis; without Redis, a change made by another
    # process (the CLI, another manager) is seen within this time. 0 = always ask the database.
    credential_cache_seconds: float = Field(10.0, ge=0, le=300)
    # Block ends and expiries are compared on the database's clock; a manager whose own clock
    # is off from it by more than this many seconds is not ready (and says so in the log).
    max_clock_skew: float = Field(30.0, gt=0)

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return _check_networks(value)


class DbConfig(_Section):
    url: str = ""
    # Deadlines, in seconds, so that a database that hangs is answered 503 this soon instead of
    # holding every request for as long as it hangs: one statement (PostgreSQL's own
    # statement_timeout and the driver's wait; SQLite's busy timeout), waiting for a pooled
    # connection, and opening one.
    statement_timeout: float = Field(10.0, gt=0, le=600)
    pool_timeout: float = Field(5.0, gt=0, le=600)
    connect_timeout: float = Field(5.0, gt=0, le=600)


class RedisConfig(_Section):
    url: str = ""
    # Seconds to connect, and to wait for any one answer: a hung Redis is an error (503) this
    # soon, never a request that waits as long as the hang.
    connect_timeout: float = Field(2.0, gt=0, le=60)
    socket_timeout: float = Field(5.0, gt=0, le=300)


class SessionConfig(_Section):
    store: Literal["sql", "redis"] = "sql"
    max_age: int = Field(604800, gt=0)
    idle_timeout: int = Field(86400, gt=0)
    # A webserver keeps a session it read in memory this long, so a relayed call needs no store
    # read. Only where every ended session reaches it at once: with [redis] url set (a message
    # on one channel), or under `portico serve` (one store for both parts). 0 = always read.
    cache_seconds: float = Field(5.0, ge=0, le=60)
    login_allowed_fail_count: int = Field(10, gt=0)
    login_block_time: int = Field(1200, gt=0)
    # A client address may fail this many log-ins within the window before it is refused too.
    # "account": failures block the account from everywhere (Backend.AI's rule).
    # "account_and_address": they block it only from the address they came from, so a stranger
    # cannot lock a user out (NIST SP 800-63B 5.2.2, Authelia).
    lockout_scope: Literal["account", "account_and_address"] = "account"
    login_address_fail_limit: int = Field(100, gt=0)
    login_address_window: int = Field(600, gt=0)


class AuthConfig(_Section):
    bcrypt_rounds: int = Field(12, ge=4, le=31)
    password_policy: Literal["backendai", "nist"] = "backendai"  # noqa: S105 (a mode name)
    # Live checks of a candidate password (the console's checklist asks as the user types).
    password_check_rate: str = "120/minute"  # noqa: S105 (a rate)
    # A second factor at log-in (an authenticator app, with recovery codes). "off": neither
    # offered nor asked for (Backend.AI's enable_2FA = false); "optional": each account may
    # enrol one (enable_2FA = true); "required": an account without one must enrol right after
    # its password is accepted, and gets no session before (force_2FA = true).
    two_factor: Literal["off", "optional", "required"] = "optional"
    # Passkeys (WebAuthn): registered from the profile, they log in without a password and
    # stand for both factors. The relying party is [service] public_url's host name, so they
    # work only where that is a name (not an IP address) served over https or on localhost.
    passkeys: bool = True
    # Adding or removing a passkey, turning an authenticator app on, renewing recovery codes and
    # replacing the API keypair need the password or a second factor given this recently.
    step_up_seconds: int = Field(300, gt=0, le=86400)

    @field_validator("password_check_rate")
    @classmethod
    def _rate(cls, value: str) -> str:
        return _parse_rate(value)


class SignupConfig(_Section):
    mode: Literal["closed", "invite", "open"] = "closed"
    email_verification: bool = True
    approval: bool = False
    # At most this many "somebody tried to sign up with your address" mails per address.
    notice_rate: str = "1/15minutes"

    @field_validator("notice_rate")
    @classmethod
    def _rate(cls, value: str) -> str:
        return _parse_rate(value)


class RecoveryConfig(_Section):
    enabled: bool = False
    token_ttl: int = Field(1800, gt=0)
    # With recovery on: a blocked user may ask the log-in dialog for an e-mailed link that
    # lifts the block of that account once (it expires with the block).
    unlock_link: bool = True


def _parse_rate(value: str) -> str:
    """A rate as the `limits` library writes it ("3/15minutes"); ValueError otherwise."""
    from limits import parse

    parse(value)
    return value


class ConsentConfig(_Section):
    # Empty = the documents shipped with portico. A path may contain {lang} (en, ja, ko).
    terms_path: str = ""
    terms_version: str = "1"
    privacy_path: str = ""
    privacy_version: str = "1"


class EmailConfig(_Section):
    backend: Literal["console", "file", "smtp"] = "console"
    from_address: str = "portico@localhost"
    file_dir: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(25, ge=0, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    # One SMTP delivery may take this long. A mail claimed by a sender that died is sent by
    # another this much (plus 15 s) later.
    send_timeout: int = Field(30, gt=0, le=600)
    # Sign-ups and requests for verification or password-change e-mails: per requested address,
    # and per client address.
    rate_per_address: str = "3/15minutes"
    rate_per_client: str = "30/15minutes"

    @field_validator("rate_per_address", "rate_per_client")
    @classmethod
    def _rate(cls, value: str) -> str:
        return _parse_rate(value)


class AgentConfig(_Section):
    # The manager reports the machine it runs on as an agent of the default resource group.
    local: bool = True
    interval: float = Field(5.0, gt=0)
    # A node whose last report is older than this is shown as lost.
    lost_after: float = Field(20.0, gt=0)
    # For `portico agent` on another node: the credential from `portico agent-credential create`.
    token: str = ""


class LoggingConfig(_Section):
    # "text" for people, "json" (one object per line) for log collectors.
    format: Literal["text", "json"] = "text"


class MetricsConfig(_Section):
    # Who may read /metrics on either service (the Prometheus scraper); by default this machine.
    allowed: list[str] = Field(default_factory=lambda: ["127.0.0.1/32", "::1/128"])

    @field_validator("allowed")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        return _check_networks(value)


class AuditConfig(_Section):
    # Audit entries older than this are deleted.
    retention_days: int = Field(365, gt=0)


class SecurityConfig(_Section):
    cookie_secure: Literal["auto", "true", "false"] = "auto"
    allowed_origins: list[str] = Field(default_factory=list)
    secret_key: str = ""
    # Strict-Transport-Security max-age on https answers (and on every answer when [service]
    # public_url is https); 0 = not sent.
    hsts_max_age: int = Field(31536000, ge=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=_ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
    )

    general: GeneralConfig = Field(default_factory=GeneralConfig)
    service: ServiceConfig = Field(default_factory=ServiceConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    manager: ManagerConfig = Field(default_factory=ManagerConfig)
    db: DbConfig = Field(default_factory=DbConfig)
    redis: RedisConfig = Field(default_factory=RedisConfig)
    session: SessionConfig = Field(default_factory=SessionConfig)
    auth: AuthConfig = Field(default_factory=AuthConfig)
    signup: SignupConfig = Field(default_factory=SignupConfig)
    recovery: RecoveryConfig = Field(default_factory=RecoveryConfig)
    consent: ConsentConfig = Field(default_factory=ConsentConfig)
    email: EmailConfig = Field(default_factory=EmailConfig)
    agent: AgentConfig = Field(default_factory=AgentConfig)
    security: SecurityConfig = Field(default_factory=SecurityConfig)
    audit: AuditConfig = Field(default_factory=AuditConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init arguments; the environment outranks them.
        return env_settings, init_settings

    @property
    def database_url(self) -> str:
        if self.db.url:
            return self.db.url
        return f"sqlite+aiosqlite:///{(self.general.data_dir / 'portico.db').resolve()}"


CONFIG_VARIABLE = "PORTICO_CONFIG"
# Settings that name files or folders: relative ones in a file are read from the file's folder.
_PATHS = {
    "general": ("data_dir",),
    "service": ("static_path",),
    "consent": ("terms_path", "privacy_path"),
    "email": ("file_dir",),
}


def config_candidates() -> list[Path]:
    """The default places of the configuration file, in order (the first that exists wins)."""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return [Path(base) / "portico" / "portico.toml", Path("/etc/portico/portico.toml")]


def find_config(explicit: Path | str | None = None) -> Path | None:
    """The configuration file: `--config`, else $PORTICO_CONFIG (empty: none at all), else the
    first default place that exists, else none (every setting at its default)."""
    if explicit is not None:
        return Path(explicit)
    named = os.environ.get(CONFIG_VARIABLE)
    if named is not None:
        return Path(named) if named else None
    return next((path for path in config_candidates() if path.is_file()), None)


def load_settings(path: Path | str | None = None, **overrides: Any) -> Settings:
    """Read the TOML file (if any), apply the environment, validate; ConfigError when bad."""
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path).expanduser()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
        _anchor_paths(data, path.resolve().parent)
    for section, values in overrides.items():
        data.setdefault(section, {}).update(values)
    _check_environment_names()
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from exc


def _anchor_paths(data: dict[str, Any], folder: Path) -> None:
    """Relative paths in the file mean the same wherever the command runs: from its folder."""
    for section, keys in _PATHS.items():
        values = data.get(section)
        if not isinstance(values, dict):
            continue
        for key in keys:
            value = values.get(key)
            if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
                values[key] = str(folder / value)


def _check_environment_names() -> None:
    """pydantic-settings ignores variables for unknown sections; an operator's typo must not."""
    for name in os.environ:
        if not name.startswith(_ENV_PREFIX) or name == CONFIG_VARIABLE:
            continue
        section, _, key = name[len(_ENV_PREFIX) :].lower().partition("__")
        field = Settings.model_fields.get(section)
        if field is None or not key:
            raise ConfigError(f"config: unknown environment variable {name}")
        model = field.annotation
        if (
            isinstance(model, type)
            and issubclass(model, BaseModel)
            and key not in model.model_fields
        ):
            raise ConfigError(f"config: unknown environment variable {name}")


def _one_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"config: unknown key '{where}'"
    return f"config: bad value for '{where}': {error['msg']}"


__all__ = ["ConfigError", "Settings", "find_config", "load_settings"]
