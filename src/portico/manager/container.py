"""Builds the manager's services from settings; the app, the CLI and tests share it.

One small builder per area hands its services to the next; everything that holds something
open (the engine, the hashing threads, Redis connections, background work) is entered in one
AsyncExitStack as it is made, so a failure half-way closes what was made so far, and `close`
closes all of it in the reverse order."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

from limits.aio.storage import Storage
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from portico.asgi.client_address import Network, parse_networks
from portico.common.redis_client import RedisTimeouts
from portico.common.sealing import Pseudonyms, SecretBox, derived_key, load_or_create_server_secret
from portico.config import Settings
from portico.db.clock import DatabaseClock
from portico.db.deadlines import Deadlines
from portico.db.engine import create_engine, database_factory
from portico.db.migrate import upgrade_database
from portico.manager.credentials.authentication import PasswordCheck
from portico.manager.credentials.hashers import PasswordHashers
from portico.manager.credentials.hashing_pool import HashingPool
from portico.manager.credentials.lockout import LoginLockout
from portico.manager.credentials.password_policy import PasswordPolicy
from portico.manager.credentials.passwords import PasswordChanges
from portico.manager.credentials.step_up import StepUpService
from portico.manager.credentials.tokens import TokenService
from portico.manager.mail.outbox import Outbox
from portico.manager.mail.transports import transport_for
from portico.manager.services.accounts import AccountService
from portico.manager.services.address_throttle import AddressThrottle
from portico.manager.services.administration import Administration
from portico.manager.services.agents import AgentService
from portico.manager.services.audit import AuditLog
from portico.manager.services.consent import ConsentService
from portico.manager.services.credential_cache import CredentialCache
from portico.manager.services.directory import Directory
from portico.manager.services.links import public_base, site_name
from portico.manager.services.log_in import LogInService
from portico.manager.services.own_sessions import OwnSessions
from portico.manager.services.owner_notices import OwnerNotices
from portico.manager.services.passkeys import PasskeyService
from portico.manager.services.projects import ProjectService
from portico.manager.services.rate_limits import RateLimit, close_storage, limits_storage
from portico.manager.services.recovery import RecoveryService
from portico.manager.services.request_auth import RequestAuthenticator
from portico.manager.services.resources import ResourceService
from portico.manager.services.signup import SignupService
from portico.manager.services.summary import SummaryService
from portico.manager.services.two_factor import TwoFactorService
from portico.manager.services.unlock import UnlockLinks
from portico.manager.services.used_signatures import UsedSignatures, used_signatures
from portico.sessions.factory import build_session_store
from portico.sessions.store import SessionStore
from portico.wire.forwarding import ForwardingKey


@dataclass
class ManagerServices:
    settings: Settings
    engine: AsyncEngine
    clock: DatabaseClock
    database: async_sessionmaker[AsyncSession]
    pool: HashingPool
    lockout: LoginLockout
    password_check: PasswordCheck
    password_policy: PasswordPolicy
    accounts: AccountService
    authenticator: RequestAuthenticator
    used_signatures: UsedSignatures
    trusted_proxies: list[Network]
    forwarding: ForwardingKey
    tokens: TokenService
    consent: ConsentService
    outbox: Outbox
    signup: SignupService
    recovery: RecoveryService
    unlock: UnlockLinks
    browser_sessions: SessionStore
    own_sessions: OwnSessions
    directory: Directory
    agents: AgentService
    resources: ResourceService
    summary: SummaryService
    passwords: PasswordChanges
    limits_storage: Storage
    credentials: CredentialCache
    password_checks: RateLimit
    passkey_challenges: RateLimit
    audit: AuditLog
    log_in: LogInService
    two_factor: TwoFactorService
    passkeys: PasskeyService
    step_up: StepUpService
    projects: ProjectService
    administration: Administration
    _open: AsyncExitStack = field(default_factory=AsyncExitStack, repr=False)

    async def close(self) -> None:
        await self._open.aclose()


log = logging.getLogger(__name__)
PASSKEY_CHALLENGE_RATE = "30/minute"


@dataclass(frozen=True)
class _Foundation:
    """What every area builds on: the database, the server secret, the clock, the counters."""

    settings: Settings
    engine: AsyncEngine
    database: async_sessionmaker[AsyncSession]
    secret: str
    clock: DatabaseClock
    storage: Storage
    names: Pseudonyms
    audit: AuditLog

    @property
    def site(self) -> str:
        return site_name(self.settings)

    @property
    def public_base(self) -> str:
        return public_base(self.settings)

    def rate(self, rate: str, namespace: str) -> RateLimit:
        return RateLimit(self.storage, rate, namespace, self.names)


async def _foundation(settings: Settings, open_: AsyncExitStack) -> _Foundation:
    engine = create_engine(settings.database_url, Deadlines.of(settings.db))
    open_.push_async_callback(engine.dispose)
    clock = DatabaseClock(settings.manager.max_clock_skew)
    try:
        await clock.sync(engine)
    except Exception:  # the database is down: the sync loop measures it once it is back
        log.warning("could not read the database's clock at start")
    storage = limits_storage(settings.redis)
    open_.push_async_callback(close_storage, storage)
    database = database_factory(engine)
    secret = load_or_create_server_secret(settings.security.secret_key, settings.general.data_dir)
    return _Foundation(
        settings=settings,
        engine=engine,
        database=database,
        secret=secret,
        clock=clock,
        storage=storage,
        # Counters in a shared store are named by pseudonyms, never by addresses.
        names=Pseudonyms(secret, "rate-limit-key"),
        audit=AuditLog(database),
    )


@dataclass(frozen=True)
class _Credentials:
    pool: HashingPool
    lockout: LoginLockout
    password_check: PasswordCheck
    policy: PasswordPolicy
    keypair_box: SecretBox
    accounts: AccountService
    tokens: TokenService


def _credentials(base: _Foundation, open_: AsyncExitStack) -> _Credentials:
    settings = base.settings
    pool = HashingPool(
        PasswordHashers(settings.auth.bcrypt_rounds), settings.manager.hashing_workers
    )
    open_.callback(pool.close)
    lockout = LoginLockout(
        base.database,
        allowed_failures=settings.session.login_allowed_fail_count,
        block_seconds=settings.session.login_block_time,
        clock=base.clock,
    )
    throttle = AddressThrottle(
        base.storage,
        base.names,
        failures=settings.session.login_address_fail_limit,
        window_seconds=settings.session.login_address_window,
    )
    password_check = PasswordCheck(pool, lockout, throttle, scope=settings.session.lockout_scope)
    open_.push_async_callback(password_check.settle)  # returned lock-out slots
    policy = PasswordPolicy(settings.auth.password_policy)
    keypair_box = SecretBox(base.secret, "keypair-secret")
    accounts = AccountService(
        base.database,
        pool=pool,
        policy=policy,
        password_check=password_check,
        box=keypair_box,
        audit=base.audit,
    )
    return _Credentials(
        pool=pool,
        lockout=lockout,
        password_check=password_check,
        policy=policy,
        keypair_box=keypair_box,
        accounts=accounts,
        tokens=TokenService(base.database, base.clock),
    )


@dataclass(frozen=True)
class _Mail:
    outbox: Outbox
    notices: OwnerNotices
    per_address: RateLimit
    per_client: RateLimit


def _mail(base: _Foundation) -> _Mail:
    settings = base.settings
    outbox = Outbox(
        base.database,
        transport_for(settings.email, settings.general.data_dir),
        settings.email.from_address,
        SecretBox(base.secret, "mail-link"),
        base.clock,
        send_timeout=settings.email.send_timeout,
    )
    return _Mail(
        outbox=outbox,
        notices=OwnerNotices(outbox, base.audit, site=base.site, public_base=base.public_base),
        per_address=base.rate(settings.email.rate_per_address, "mail-address"),
        per_client=base.rate(settings.email.rate_per_client, "mail-client"),
    )


@dataclass(frozen=True)
class _Factors:
    two_factor: TwoFactorService
    passkeys: PasskeyService
    step_up: StepUpService


def _factors(base: _Foundation, creds: _Credentials, mail: _Mail) -> _Factors:
    settings = base.settings
    two_factor = TwoFactorService(
        base.database,
        mode=settings.auth.two_factor,
        box=SecretBox(base.secret, "totp-secret"),
        recovery_key=derived_key(base.secret, "recovery-code"),
        tokens=creds.tokens,
        notices=mail.notices,
        password_check=creds.password_check,
        site=base.site,
        clock=base.clock,
    )
    return _Factors(
        two_factor=two_factor,
        passkeys=PasskeyService(
            base.database,
            enabled=settings.auth.passkeys,
            public_base=base.public_base,
            site=base.site,
            tokens=creds.tokens,
            notices=mail.notices,
        ),
        step_up=StepUpService(
            base.database,
            password_check=creds.password_check,
            two_factor=two_factor,
            seconds=settings.auth.step_up_seconds,
            clock=base.clock,
        ),
    )


@dataclass(frozen=True)
class _Sessions:
    browser_sessions: SessionStore
    credentials: CredentialCache
    used_signatures: UsedSignatures


def _sessions(base: _Foundation, open_: AsyncExitStack, single_process: bool) -> _Sessions:
    settings = base.settings
    browser_sessions = build_session_store(settings, single_process=single_process)
    open_.push_async_callback(browser_sessions.close)
    credentials = CredentialCache(
        settings.manager.credential_cache_seconds,
        redis_url=settings.redis.url,
        redis_timeouts=RedisTimeouts.of(settings.redis),
    )
    open_.push_async_callback(credentials.close)
    replays = used_signatures(settings.redis, base.database, base.clock)
    open_.push_async_callback(replays.close)
    return _Sessions(browser_sessions, credentials, replays)


async def build_services(
    settings: Settings, *, migrate: bool = True, single_process: bool = False
) -> ManagerServices:
    """`single_process`: the webserver runs in this process and shares the session store."""
    if migrate:
        await upgrade_database(settings.database_url)
    async with AsyncExitStack() as open_:
        base = await _foundation(settings, open_)
        creds = _credentials(base, open_)
        mail = _mail(base)
        factors = _factors(base, creds, mail)
        held = _sessions(base, open_, single_process)
        database, accounts, tokens = base.database, creds.accounts, creds.tokens
        consent = ConsentService(database, settings.consent)
        log_in = LogInService(
            database,
            accounts=accounts,
            password_check=creds.password_check,
            pool=creds.pool,
            consent=consent,
            audit=base.audit,
            box=creds.keypair_box,
            two_factor=factors.two_factor,
            passkeys=factors.passkeys,
        )
        open_.push_async_callback(log_in.settle)  # its bookkeeping after an answer
        passwords = PasswordChanges(
            database,
            accounts=accounts,
            pool=creds.pool,
            policy=creds.policy,
            password_check=creds.password_check,
            audit=base.audit,
            browser_sessions=held.browser_sessions,
            credentials=held.credentials,
            outbox=mail.outbox,
            box=creds.keypair_box,
            site=base.site,
            public_base=base.public_base,
        )
        flow = {
            "accounts": accounts,
            "audit": base.audit,
            "tokens": tokens,
            "outbox": mail.outbox,
            "per_address": mail.per_address,
            "per_client": mail.per_client,
        }
        signup = SignupService(
            settings,
            database,
            consent=consent,
            notices=base.rate(settings.signup.notice_rate, "signup-notice"),
            policy=creds.policy,
            pool=creds.pool,
            **flow,
        )
        agents = AgentService(database, lost_after=settings.agent.lost_after, clock=base.clock)
        services = ManagerServices(
            settings=settings,
            engine=base.engine,
            clock=base.clock,
            database=database,
            pool=creds.pool,
            lockout=creds.lockout,
            password_check=creds.password_check,
            password_policy=creds.policy,
            accounts=accounts,
            authenticator=RequestAuthenticator(
                database,
                creds.keypair_box,
                held.credentials,
                held.used_signatures,
                base.clock.now,
                allow_sha1=settings.manager.allow_sha1_signatures,
            ),
            used_signatures=held.used_signatures,
            trusted_proxies=parse_networks(settings.manager.trusted_proxies),
            forwarding=ForwardingKey(base.secret),
            tokens=tokens,
            consent=consent,
            outbox=mail.outbox,
            signup=signup,
            recovery=RecoveryService(
                settings,
                database,
                passwords=passwords,
                passkeys=factors.passkeys,
                pool=creds.pool,
                **flow,
            ),
            unlock=UnlockLinks(
                settings,
                database,
                lockout=creds.lockout,
                password_check=creds.password_check,
                **flow,
            ),
            browser_sessions=held.browser_sessions,
            own_sessions=OwnSessions(
                accounts=accounts, browser_sessions=held.browser_sessions, audit=base.audit
            ),
            directory=Directory(database),
            agents=agents,
            resources=ResourceService(database),
            summary=SummaryService(database, agents, held.browser_sessions),
            limits_storage=base.storage,
            passwords=passwords,
            credentials=held.credentials,
            password_checks=base.rate(settings.auth.password_check_rate, "password-check"),
            # Each anonymous passkey log-in asks for a challenge (a stored token): per address.
            passkey_challenges=base.rate(PASSKEY_CHALLENGE_RATE, "passkey-challenge"),
            audit=base.audit,
            log_in=log_in,
            two_factor=factors.two_factor,
            passkeys=factors.passkeys,
            step_up=factors.step_up,
            projects=ProjectService(database),
            administration=Administration(
                database,
                accounts=accounts,
                audit=base.audit,
                outbox=mail.outbox,
                signup=signup,
                browser_sessions=held.browser_sessions,
                credentials=held.credentials,
                two_factor=factors.two_factor,
                passkeys=factors.passkeys,
            ),
            _open=open_.pop_all(),
        )
    return services
