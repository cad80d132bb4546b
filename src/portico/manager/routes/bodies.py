"""The base of every JSON body the manager accepts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator


class Body(BaseModel):
    """Strings never hold NUL: no database column can store it (PostgreSQL refuses it)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value
