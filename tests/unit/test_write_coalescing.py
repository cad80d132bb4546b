"""A response's head and body leave in one write, over a real loopback connection; nothing is
lost, reordered or held back at close."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn

from portico.serving.runner import http_server
from portico.serving.write_coalescing import (
    FLUSH_BYTES,
    CoalescingHttpToolsProtocol,
    CoalescingTransport,
)
from tests.support.services import free_port


class _Counted:
    """The real transport, counting the writes that reach it."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.writes: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))
        self.transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class _Received:
    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.data += await reader.read()  # to EOF
        self.closed.set()
        writer.close()


@pytest.fixture
async def connection() -> AsyncIterator[tuple[CoalescingTransport, _Counted, _Received]]:
    received = _Received()
    server = await asyncio.start_server(received.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport, _ = await asyncio.get_running_loop().create_connection(
        asyncio.Protocol, "127.0.0.1", port
    )
    counted = _Counted(transport)  # type: ignore[arg-type]
    yield CoalescingTransport(counted), counted, received  # type: ignore[arg-type]
    transport.close()
    server.close()
    await server.wait_closed()


async def test_writes_of_one_turn_leave_together_in_order(connection) -> None:
    coalescing, counted, received = connection
    coalescing.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    coalescing.write(b"{}")
    assert counted.writes == []  # still this turn of the loop
    await asyncio.sleep(0)
    assert counted.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    coalescing.write(b"next")  # a later turn: a write of its own
    await asyncio.sleep(0)
    coalescing.close()
    await asyncio.wait_for(received.closed.wait(), 5)
    assert bytes(received.data) == b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}next"
    assert len(counted.writes) == 2


async def test_a_large_body_is_not_held_back(connection) -> None:
    coalescing, counted, received = connection
    body = b"x" * FLUSH_BYTES
    coalescing.write(b"head\r\n\r\n")
    coalescing.write(body)
    assert counted.writes == [b"head\r\n\r\n" + body]  # at once, within the turn
    assert coalescing.get_write_buffer_size() == counted.transport.get_write_buffer_size()
    coalescing.close()
    await asyncio.wait_for(received.closed.wait(), 5)
    assert bytes(received.data) == b"head\r\n\r\n" + body


async def test_close_sends_what_waits_first(connection) -> None:
    coalescing, _, received = connection
    coalescing.write(b"last words")
    assert coalescing.get_write_buffer_size() >= len(b"last words")
    coalescing.close()
    await asyncio.wait_for(received.closed.wait(), 5)
    assert bytes(received.data) == b"last words"
    assert coalescing.is_closing()


async def test_uvicorn_serves_with_it_keep_alive_and_streaming() -> None:
    """Through portico's server settings: many answers on one kept-alive connection, small and
    streamed ones, each whole."""

    async def app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/stream":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            for i in range(50):
                await send({"type": "http.response.body", "body": b"%d," % i, "more_body": True})
                await asyncio.sleep(0)
            await send({"type": "http.response.body", "body": b"end"})
            return
        body = scope["path"].encode()
        headers = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    port = free_port()
    server: uvicorn.Server = http_server(app, "127.0.0.1", port)
    serving = asyncio.create_task(server.serve())
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(100):
                if server.started:
                    break
                await asyncio.sleep(0.05)
            answers = [await client.get(f"/n{i}") for i in range(20)]
            assert [a.text for a in answers] == [f"/n{i}" for i in range(20)]
            streamed = await client.get("/stream")
            assert streamed.text == "".join(f"{i}," for i in range(50)) + "end"
            assert (await client.get("/after")).text == "/after"
    finally:
        server.should_exit = True
        await serving


async def test_uvicorn_still_writes_through_the_transport_it_is_handed() -> None:
    """portico subclasses uvicorn's private HttpToolsProtocol and hands it a transport of its
    own at connection_made. If a uvicorn release stops writing a response through that
    transport, this fails (the pin in pyproject.toml says which releases were tried)."""
    writes: list[_Counted] = []

    class Counting(CoalescingHttpToolsProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            counted = _Counted(transport)
            writes.append(counted)
            super().connection_made(counted)  # type: ignore[arg-type]

    async def app(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b'{"ok": true}'
        headers = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, http=Counting, log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(100):
            if server.started:
                break
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            answers = [await client.get(f"/n{i}") for i in range(5)]
        assert [a.json() for a in answers] == [{"ok": True}] * 5
        [connection] = writes  # one kept-alive connection
        # Each answer, head and body, reached the socket as one write.
        assert len(connection.writes) == 5
        assert all(
            w.startswith(b"HTTP/1.1 200") and w.endswith(b"true}") for w in connection.writes
        )
    finally:
        server.should_exit = True
        await serving
