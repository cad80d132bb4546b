"""`[logging] format = "json"`: one JSON object per line, for log collectors.

Every field goes through json.dumps, so a hostile path or user agent cannot break a line or
forge another. Access-log lines (uvicorn's) carry their parts as fields.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# The loggers whose handlers get the format: portico's (the root) and uvicorn's.
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        if (
            record.name == "uvicorn.access"
            and isinstance(record.args, tuple)
            and len(record.args) == 5
        ):
            client, method, path, version, status = record.args
            line.update(
                client=client, method=method, path=path, http_version=version, status=status
            )
            line["message"] = f"{method} {path} {status}"
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def use_log_format(fmt: str) -> None:
    """Put the chosen format on every handler of portico's and uvicorn's loggers (call it after
    uvicorn configured its own)."""
    if fmt != "json":
        return
    formatter = JsonFormatter()
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            handler.setFormatter(formatter)
