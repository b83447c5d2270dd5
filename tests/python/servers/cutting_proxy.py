"""A TCP proxy on 127.0.0.1 that cuts the line after N request bytes: a server dying, or a flaky network.
With `flip_byte_at` it instead corrupts one request byte in flight (a bad NIC or middlebox).

Forwards to a real server (moto, nginx). Once `cut_after_bytes` bytes went upstream it closes
every connection and, unless `flaky`, its listening socket too, so retries meet a refused
connection (the server died). With `flaky=True` only the connections of that moment are cut
and later ones are forwarded again (a network hiccup a retry should survive).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class CuttingProxy:
    def __init__(
        self, target_port: int, cut_after_bytes: int, flaky: bool = False, flip_byte_at: int | None = None
    ) -> None:
        self.target_port = target_port
        self.cut_after_bytes = cut_after_bytes
        self.flip_byte_at = flip_byte_at
        self.flaky = flaky
        self.cuts = 0
        self.sent = 0
        self.cut = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.cut.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(
                target=self._pipe, args=(client, upstream, True), daemon=True
            ).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, False), daemon=True
            ).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, counts: bool) -> None:
        try:
            while data := source.recv(65536):
                if counts:
                    with self._lock:
                        offset = (self.flip_byte_at or -1) - self.sent
                        if 0 <= offset < len(data):
                            data = data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :]
                        self.sent += len(data)
                        over = self.sent >= self.cut_after_bytes and not (self.flaky and self.cuts)
                    if over:
                        self.cut_connections() if self.flaky else self.stop()
                        return
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut_connections(self) -> None:
        """Drop the open connections; keep listening (flaky network)."""
        with self._lock:
            self.cuts += 1
            sockets, self._sockets = self._sockets, []
        _close(sockets)

    def stop(self) -> None:
        """Drop everything and stop listening (the server died)."""
        self.cut_connections()
        self.cut.set()
        _close([self.listener])


def _close(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        try:
            sock.close()
        except OSError:
            pass


@contextmanager
def cutting_proxy(
    target_port: int, cut_after_bytes: int, flaky: bool = False, flip_byte_at: int | None = None
) -> Iterator[CuttingProxy]:
    proxy = CuttingProxy(target_port, cut_after_bytes, flaky, flip_byte_at)
    try:
        yield proxy
    finally:
        proxy.stop()
