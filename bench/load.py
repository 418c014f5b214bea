"""The app under gunicorn (2 workers, 127.0.0.1 only) and a bounded load: N threads with keep-alive connections.

Every loop is bounded twice, by a deadline and by a request count, and every socket has a timeout.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.measure import percentile

MAX_REQUESTS_PER_THREAD = 50_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict, workers: int = 2) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "clauseten.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "sync", "--keep-alive", "30", "--log-level", "warning", "--timeout", "60"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {server.stderr.read().decode()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def worker_rss_mb(server: subprocess.Popen) -> list[float]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # our own session: gunicorn's master and its workers only
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def hammer(port: int, paths: list[str], token: str, seconds: float, concurrency: int) -> dict:
    """`concurrency` threads, each on its own keep-alive connection, for `seconds`; latencies in ms."""
    headers = {"Authorization": f"Bearer {token}", "Connection": "keep-alive"}
    deadline = time.monotonic() + seconds
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for count in range(MAX_REQUESTS_PER_THREAD):
            if time.monotonic() >= deadline:
                break
            path = paths[(count + number) % len(paths)]
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[number] += 1
            except (OSError, http.client.HTTPException):
                errors[number] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            latencies[number].append((time.perf_counter() - started) * 1000)
        connection.close()

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.monotonic() - started
    samples = [value for per_thread in latencies for value in per_thread]
    return {"requests": len(samples), "rps": len(samples) / elapsed, "errors": sum(errors),
            "p50": percentile(samples, 0.5) if samples else 0, "p99": percentile(samples, 0.99) if samples else 0,
            "seconds": elapsed}


def run(env: dict, token: str, record: str, seconds: float, concurrency: int = 16) -> dict:
    """Half the time on the list API, half on the record; then each worker's resident memory."""
    server, port = start_gunicorn(env)
    try:
        hammer(port, ["/api/v1/nonconformities"], token, min(2.0, seconds / 4), concurrency)  # warm both workers
        result = {
            "list": hammer(port, ["/api/v1/nonconformities"], token, seconds / 2, concurrency),
            "record": hammer(port, [f"/api/v1/nonconformities/{record}"], token, seconds / 2, concurrency),
            "concurrency": concurrency,
        }
        result["worker_rss_mb"] = worker_rss_mb(server)
        return result
    finally:
        stop(server)
