"""Builds the manager's services from settings; the app, the CLI and tests share it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from portico.config import Settings
from portico.db.engine import create_engine, session_factory
from portico.db.migrate import upgrade
from portico.manager.client_address import Network, parse_networks
from portico.manager.services.accounts import AccountService
from portico.manager.services.address_throttle import AddressThrottle
from portico.manager.services.hashers import PasswordHashers
from portico.manager.services.hashing_pool import HashingPool
from portico.manager.services.lockout import LoginLockout
from portico.manager.services.password_policy import PasswordPolicy
from portico.manager.services.request_auth import RequestAuthenticator
from portico.sealing import SecretBox, load_or_create_server_secret


@dataclass
class ManagerServices:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker
    pool: HashingPool
    lockout: LoginLockout
    accounts: AccountService
    authenticator: RequestAuthenticator
    trusted_proxies: list[Network]

    async def close(self) -> None:
        self.pool.close()
        await self.engine.dispose()


async def build_services(settings: Settings, *, migrate: bool = True) -> ManagerServices:
    engine = create_engine(settings.database_url)
    if migrate:
        await upgrade(engine)
    sessions = session_factory(engine)
    secret = load_or_create_server_secret(settings.security.secret_key, settings.general.data_dir)
    box = SecretBox(secret, "keypair-secret")
    pool = HashingPool(
        PasswordHashers(settings.auth.bcrypt_rounds), settings.manager.hashing_workers
    )
    lockout = LoginLockout(
        sessions,
        allowed_failures=settings.session.login_allowed_fail_count,
        block_seconds=settings.session.login_block_time,
    )
    throttle = AddressThrottle(
        failures=settings.session.login_address_fail_limit,
        window_seconds=settings.session.login_address_window,
        redis_url=settings.redis.url,
    )
    accounts = AccountService(
        sessions,
        pool=pool,
        policy=PasswordPolicy(settings.auth.password_policy),
        lockout=lockout,
        throttle=throttle,
        box=box,
    )
    return ManagerServices(
        settings=settings,
        engine=engine,
        sessions=sessions,
        pool=pool,
        lockout=lockout,
        accounts=accounts,
        authenticator=RequestAuthenticator(sessions, box),
        trusted_proxies=parse_networks(settings.manager.trusted_proxies),
    )
