"""The arrival stamp: the kernel's receive time of a request's data, else the app's clock, outermost."""

from __future__ import annotations

import socket
import time
from datetime import UTC, datetime

from quiz.arrival import ENVIRON_KEY, REAL_TIME_KEY, ArrivalStamp, StampedSocket, arrived
from tests.helpers.clock import T0


def connected() -> tuple[socket.socket, StampedSocket]:
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    listener.close()
    return client, StampedSocket(server)


def test_a_connection_keeps_when_the_kernel_received_its_data_not_when_it_was_read():
    client, server = connected()
    try:
        client.sendall(b"POST /live/123456/answer HTTP/1.1\r\n\r\n")
        sent = time.time()
        time.sleep(0.3)  # the worker is busy: the request waits in the machine
        assert server.recv(1024).startswith(b"POST")
        assert server.received is not None
        assert abs(server.received - sent) < 0.1  # it reached the server when it was sent ...
        assert time.time() - server.received >= 0.3  # ... not when the worker read it
        server.forget()
        assert server.received is None  # the next request is stamped by its own data
        client.sendall(b"more")
        assert server.recv(1024) == b"more" and server.received is not None
    finally:
        client.close()
        server.close()


def test_the_kernel_stamp_counts_on_the_real_clock_and_the_app_clock_otherwise():
    client, server = connected()
    try:
        client.sendall(b"x")
        server.recv(16)
        environ = {"gunicorn.socket": server}
        ArrivalStamp(lambda env, start: env, lambda: T0, lambda: True)(environ, None)
        assert arrived(environ, datetime.now) == datetime.fromtimestamp(server.received, UTC)
        ArrivalStamp(lambda env, start: env, lambda: T0, lambda: False)(environ, None)
        assert environ[ENVIRON_KEY] == T0 and environ[REAL_TIME_KEY] is False
        assert arrived(environ, datetime.now) == T0  # a test's set clock: the kernel's would not match
    finally:
        client.close()
        server.close()


def test_without_a_stamp_the_caller_s_clock_answers():
    assert arrived({}, lambda: T0) == T0
