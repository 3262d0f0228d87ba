"""Starting and stopping the real servers the local stack is made of, on loopback ports."""

import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any


class LoopbackHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 that serves on a daemon thread and takes a client
    hanging up mid-answer (a browser closing a tab) in its stride.

    Each connection gets its own thread, and the listen backlog holds a burst of connections
    (the default of 5 made the kernel refuse a burst of 50 while the server accepted them).
    """

    daemon_threads = True
    request_queue_size = 1024

    def serve_in_background(self) -> threading.Thread:
        """Serve on a daemon thread until `shutdown()`."""
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore a client that went away; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_serving(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Block until `url` answers HTTP (any status), or fail if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@dataclass
class Server:
    """A server running as a child process."""

    name: str
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        """Stop the server and wait for it to go."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(name: str, args: list[str], port: int, log: Path, probe_path: str = "/") -> Server:
    """Run `python -m <args>` with output to `log`, and wait until it serves on `port`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", *args], stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url + probe_path, process)
    except Exception:
        Server(name, url, process).stop()
        raise
    return Server(name, url, process)


def start_moto(port: int, log: Path) -> Server:
    """moto's server (one request at a time: see local/moto_server.py): DynamoDB, S3 and
    Secrets Manager on one loopback port."""
    return start_server("moto", ["local.moto_server", "-p", str(port)], port, log, "/moto-api/")


def start_localstripe(port: int, log: Path) -> Server:
    """localstripe, a stateful fake Stripe API, started with an empty store."""
    return start_server(
        "localstripe",
        ["localstripe", "--port", str(port), "--from-scratch"],
        port,
        log,
        "/js.stripe.com/v3/",
    )
