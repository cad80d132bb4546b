"""Step-up ("sudo mode"): an action that adds or removes an authenticator, or hands out a new
API keypair, needs the password or a second factor given again within `seconds`, so that a
minute at an unlocked machine or a stolen cookie cannot plant a lasting way in.

A step-up belongs to its holder: the browser session a portico webserver vouches for, or the
API key of a client that signs its own calls. Giving the password is checked as a log-in is
(lock-out included); a code counts against the account alone and is used up. A password
change ends every step-up of the account.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portico.db.models import StepUp, User
from portico.db.results import rows_changed
from portico.db.upsert import insert_ignoring_conflicts
from portico.manager.credentials.authentication import PasswordCheck
from portico.manager.errors import InvalidRequest, StepUpRequired
from portico.manager.services.audit import Actor
from portico.manager.services.two_factor import CodeProof, TwoFactorService

_T = StepUp.__table__


def holder_of(session_hash: str | None, access_key: str) -> str:
    """Who a step-up belongs to: the browser session, else the signing API key."""
    return f"session:{session_hash}" if session_hash else f"key:{access_key}"


async def end_step_ups(db: AsyncSession, user_id: uuid.UUID) -> None:
    """In the caller's transaction (a password change): no step-up of the account survives."""
    await db.execute(delete(StepUp).where(StepUp.user_id == user_id))


class StepUpService:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        *,
        password_check: PasswordCheck,
        two_factor: TwoFactorService,
        seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._database = database
        self._password_check = password_check
        self._two_factor = two_factor
        self.seconds = seconds
        self._clock = clock

    async def methods(self, user_id: uuid.UUID) -> tuple[str, ...]:
        """What the account can step up with."""
        state = await self._two_factor.state(user_id)
        return ("password", "totp") if state.enabled else ("password",)

    async def require(self, user_id: uuid.UUID, holder: str) -> None:
        """Raise StepUpRequired unless `holder` stepped up for this account recently."""
        async with self._database() as db:
            at = await db.scalar(
                select(_T.c.verified_at).where(_T.c.holder == holder, _T.c.user_id == user_id)
            )
        if at is None or self._clock() - at > self.seconds:
            raise StepUpRequired(self.seconds, await self.methods(user_id))

    async def prove(
        self,
        user: User,
        holder: str,
        who: Actor,
        *,
        password: str | None = None,
        code: str | None = None,
    ) -> float:
        """Check the password (as a log-in is) or a code (counted on the account, then used
        up); on success the holder is stepped up until the moment returned."""
        if bool(password) == bool(code):
            raise InvalidRequest("Send either the password or a code.")
        if password:
            await self._password_check.check(user, user.email, password, who.client_address)
        else:
            proof: list[CodeProof | None] = []

            async def check() -> None:
                proof.append(await self._two_factor.verify_at_log_in(user, code))

            await self._password_check.check_code(user, check)
            if not proof or proof[0] is None:  # the account has no authenticator app
                raise InvalidRequest("This account has no authenticator app: give the password.")
            async with self._database.begin() as db:
                await self._two_factor.spend(db, user, proof[0], who)
            self._two_factor.spent()
        now = self._clock()
        async with self._database.begin() as db:
            await db.execute(
                insert_ignoring_conflicts(db, _T, holder=holder, user_id=user.uuid, verified_at=now)
            )
            await db.execute(
                update(_T).where(_T.c.holder == holder).values(user_id=user.uuid, verified_at=now)
            )
        return now + self.seconds

    async def purge(self) -> int:
        """Forget step-ups that can no longer count."""
        async with self._database.begin() as db:
            result = await db.execute(
                delete(_T).where(_T.c.verified_at < self._clock() - self.seconds)
            )
        return rows_changed(result)
