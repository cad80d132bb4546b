"""Builds the manager's services from settings; the app, the CLI and tests share it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

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
from portico.manager.services.links import public_base, site_name
from portico.manager.services.log_in import LogInService
from portico.manager.services.owner_notices import OwnerNotices
from portico.manager.services.passkeys import PasskeyService
from portico.manager.services.projects import ProjectService
from portico.manager.services.rate_limits import RateLimit, limits_storage
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

    async def close(self) -> None:
        await self.log_in.settle()
        await self.accounts.password_check.settle()
        self.pool.close()
        await self.browser_sessions.close()
        await self.credentials.close()
        await self.used_signatures.close()
        await self.engine.dispose()


log = logging.getLogger(__name__)
PASSKEY_CHALLENGE_RATE = "30/minute"


async def build_services(
    settings: Settings, *, migrate: bool = True, single_process: bool = False
) -> ManagerServices:
    """`single_process`: the webserver runs in this process and shares the session store."""
    if migrate:
        await upgrade_database(settings.database_url)
    engine = create_engine(settings.database_url, Deadlines.of(settings.db))
    database = database_factory(engine)
    secret = load_or_create_server_secret(settings.security.secret_key, settings.general.data_dir)
    keypair_box = SecretBox(secret, "keypair-secret")
    pool = HashingPool(
        PasswordHashers(settings.auth.bcrypt_rounds), settings.manager.hashing_workers
    )
    clock = DatabaseClock(settings.manager.max_clock_skew)
    try:
        await clock.sync(engine)
    except Exception:  # the database is down: the sync loop measures it once it is back
        log.warning("could not read the database's clock at start")
    lockout = LoginLockout(
        database,
        allowed_failures=settings.session.login_allowed_fail_count,
        block_seconds=settings.session.login_block_time,
        clock=clock,
    )
    storage = limits_storage(settings.redis)
    # Counters in a shared store are named by pseudonyms, never by addresses.
    names = Pseudonyms(secret, "rate-limit-key")
    throttle = AddressThrottle(
        storage,
        names,
        failures=settings.session.login_address_fail_limit,
        window_seconds=settings.session.login_address_window,
    )
    consent = ConsentService(database, settings.consent)
    audit = AuditLog(database)
    accounts = AccountService(
        database,
        pool=pool,
        policy=PasswordPolicy(settings.auth.password_policy),
        password_check=PasswordCheck(pool, lockout, throttle, scope=settings.session.lockout_scope),
        box=keypair_box,
        audit=audit,
    )
    tokens = TokenService(database, clock)
    outbox = Outbox(
        database,
        transport_for(settings.email, settings.general.data_dir),
        settings.email.from_address,
        SecretBox(secret, "mail-link"),
        clock,
        send_timeout=settings.email.send_timeout,
    )
    notices = OwnerNotices(
        outbox, audit, site=site_name(settings), public_base=public_base(settings)
    )
    two_factor = TwoFactorService(
        database,
        mode=settings.auth.two_factor,
        box=SecretBox(secret, "totp-secret"),
        recovery_key=derived_key(secret, "recovery-code"),
        tokens=tokens,
        notices=notices,
        site=site_name(settings),
        clock=clock,
    )
    passkeys = PasskeyService(
        database,
        enabled=settings.auth.passkeys,
        public_base=public_base(settings),
        site=site_name(settings),
        tokens=tokens,
        notices=notices,
    )
    log_in = LogInService(
        database,
        accounts=accounts,
        consent=consent,
        audit=audit,
        box=keypair_box,
        two_factor=two_factor,
        passkeys=passkeys,
    )
    browser_sessions = build_session_store(settings, single_process=single_process)
    credentials = CredentialCache(
        settings.manager.credential_cache_seconds,
        redis_url=settings.redis.url,
        redis_timeouts=RedisTimeouts.of(settings.redis),
    )
    passwords = PasswordChanges(
        accounts=accounts,
        browser_sessions=browser_sessions,
        credentials=credentials,
        outbox=outbox,
        box=keypair_box,
        site=site_name(settings),
        public_base=public_base(settings),
    )
    agents = AgentService(database, lost_after=settings.agent.lost_after, clock=clock)
    mail_limits = {
        "per_address": RateLimit(storage, settings.email.rate_per_address, "mail-address", names),
        "per_client": RateLimit(storage, settings.email.rate_per_client, "mail-client", names),
    }
    signup = SignupService(
        settings,
        database,
        accounts=accounts,
        tokens=tokens,
        consent=consent,
        outbox=outbox,
        notices=RateLimit(storage, settings.signup.notice_rate, "signup-notice", names),
        **mail_limits,
    )
    replays = used_signatures(settings.redis, database, clock)
    return ManagerServices(
        settings=settings,
        engine=engine,
        clock=clock,
        database=database,
        pool=pool,
        lockout=lockout,
        accounts=accounts,
        authenticator=RequestAuthenticator(
            database,
            keypair_box,
            credentials,
            replays,
            clock.now,
            allow_sha1=settings.manager.allow_sha1_signatures,
        ),
        used_signatures=replays,
        trusted_proxies=parse_networks(settings.manager.trusted_proxies),
        forwarding=ForwardingKey(secret),
        tokens=tokens,
        consent=consent,
        outbox=outbox,
        signup=signup,
        recovery=RecoveryService(
            settings,
            database,
            accounts=accounts,
            tokens=tokens,
            outbox=outbox,
            passwords=passwords,
            passkeys=passkeys,
            **mail_limits,
        ),
        unlock=UnlockLinks(
            settings,
            database,
            accounts=accounts,
            tokens=tokens,
            outbox=outbox,
            lockout=lockout,
            **mail_limits,
        ),
        browser_sessions=browser_sessions,
        agents=agents,
        resources=ResourceService(database),
        summary=SummaryService(database, agents, browser_sessions),
        limits_storage=storage,
        passwords=passwords,
        credentials=credentials,
        password_checks=RateLimit(
            storage, settings.auth.password_check_rate, "password-check", names
        ),
        # Each anonymous passkey log-in asks for a challenge (a stored token): per address.
        passkey_challenges=RateLimit(storage, PASSKEY_CHALLENGE_RATE, "passkey-challenge", names),
        audit=audit,
        log_in=log_in,
        two_factor=two_factor,
        passkeys=passkeys,
        step_up=StepUpService(
            database,
            password_check=accounts.password_check,
            two_factor=two_factor,
            seconds=settings.auth.step_up_seconds,
            clock=clock,
        ),
        projects=ProjectService(database),
        administration=Administration(
            database,
            accounts=accounts,
            signup=signup,
            browser_sessions=browser_sessions,
            credentials=credentials,
            two_factor=two_factor,
            passkeys=passkeys,
        ),
    )
