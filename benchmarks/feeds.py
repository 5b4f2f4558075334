"""Load benchmark of the calendar feed server on loopback.

Starts the real server (`scheduler.feeds.serve.serve`) in a child process, then drives it from
this process with C concurrent keep-alive HTTP/1.1 connections (asyncio protocols over raw
sockets, one request in flight per connection) fetching feeds with a mix of reader, site and
group tokens. Two runs:

* `saturate`: closed loop, each connection sends its next request as soon as the previous answer
  is in. Gives the most the server can do; latency is then mostly queueing (Little's law:
  mean latency = connections / throughput).
* `paced`: the same connections offer a fixed total rate (`--rate`, default 1000 req/s) on a
  fixed schedule, and latency is measured from when each request was *due*, so a stalled
  server is not hidden by clients waiting politely (no coordinated omission).

It prints a Markdown table: requests/s, p50/p99/max latency, errors, and the CPU seconds used by
the server and by the client (to show the client is not the bottleneck).

    .venv/bin/python benchmarks/feeds.py --seconds 10 --connections 200 --rate 1000

The server reads the real store: `prepare_source` solves and publishes the French regional
example (October 2026) and issues a token for every reader, site and the group.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scheduler.feeds.app import FeedSource  # noqa: E402
from scheduler.store.records import FeedKind  # noqa: E402

MIX = {FeedKind.reader: 0.80, FeedKind.site: 0.15, FeedKind.group: 0.05}  # share of requests


# --- The source: the real store with the French regional example published. ---

SCENARIO = ROOT / "scenarios" / "fr_regional.yaml"


def prepare_source(workdir: Path) -> dict[FeedKind, list[str]]:
    """Solve and publish the French example into a store under `workdir`; issue a token per calendar."""
    from scheduler.io.scenario_yaml import load_scenario
    from scheduler.solver import solve
    from scheduler.store import Store
    from scheduler.store.records import FeedTarget

    scenario = load_scenario(SCENARIO)
    roster = solve(scenario, time_limit=20, workers=2, seed=0).roster
    by_kind: dict[FeedKind, list[str]] = {}
    with Store(workdir / "store.sqlite3") as store:
        store.publish(scenario, roster, by="benchmark", base_number=None, note="feeds benchmark")
        targets = [FeedTarget(FeedKind.reader, r.id) for r in scenario.radiologists]
        targets += [FeedTarget(FeedKind.site, s.id) for s in scenario.sites]
        targets.append(FeedTarget(FeedKind.group, ""))
        for target in targets:
            token, _ = store.issue_token(target, by="benchmark")
            by_kind.setdefault(target.kind, []).append(token)
    return by_kind


def open_source(workdir: Path) -> FeedSource:
    """Open the FeedSource the server uses (runs in the server process)."""
    from scheduler.feeds.store_source import StoreFeedSource

    return StoreFeedSource(workdir / "store.sqlite3")


# --- Server child ---


def run_server(workdir: Path, port: int, http: str) -> None:
    """The child: serve the app over `open_source(workdir)`; access lines go to stderr."""
    from scheduler.feeds.app import make_app
    from scheduler.feeds.serve import serve

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    overrides = {} if http == "h11" else {"http": http}
    serve(make_app(open_source(workdir)), host="127.0.0.1", port=port, limit_concurrency=2000, **overrides)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start listening")


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- Client ---


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    recording: bool = False

    def error(self, what: str) -> None:
        if self.recording:
            self.errors[what] = self.errors.get(what, 0) + 1


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection with at most one request in flight."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.head: tuple[int, int] | None = None  # (status, content length) of the response being read
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("connection closed"))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.head is None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            status = int(head[9:12])
            at = head.find(b"content-length:")
            length = int(head[at + 15 : head.find(b"\r\n", at)]) if at >= 0 else 0
            self.head = (status, length)
            del self.buffer[: end + 4]
        status, length = self.head
        if len(self.buffer) >= length:
            del self.buffer[:length]
            self.head = None
            if self.waiter is not None and not self.waiter.done():
                self.waiter.set_result(status)

    async def request(self, raw: bytes) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter


def build_requests(tokens: dict[FeedKind, list[str]]) -> list[bytes]:
    """A shuffled pool of raw requests following MIX (cycled through by the clients)."""
    rng = random.Random(7)
    pool: list[bytes] = []
    for kind, share in MIX.items():
        for _ in range(int(share * 2000)):
            token = rng.choice(tokens[kind])
            pool.append(
                f"GET /feeds/{token}.ics HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: feeds-bench\r\n"
                "Accept: text/calendar\r\n\r\n".encode()
            )
    rng.shuffle(pool)
    return pool


async def client(
    port: int, pool: list[bytes], offset: int, tally: Tally, stop_at: float, interval: float | None, start_at: float
) -> None:
    """One connection's loop; `interval` None = closed loop, else one request due every `interval` s."""
    loop = asyncio.get_running_loop()
    _, conn = await loop.create_connection(Connection, "127.0.0.1", port)
    index = offset
    due = start_at
    while True:
        if interval is not None:
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        now = loop.time()
        if now >= stop_at:
            break
        sent_at = due if interval is not None else now
        if conn.closed:
            tally.error("reconnect")
            _, conn = await loop.create_connection(Connection, "127.0.0.1", port)
        try:
            status = await asyncio.wait_for(conn.request(pool[index % len(pool)]), timeout=5.0)
        except (TimeoutError, ConnectionError) as exc:
            tally.error(type(exc).__name__)
            conn.transport.close()  # type: ignore[union-attr]
            _, conn = await loop.create_connection(Connection, "127.0.0.1", port)
            status = None
        if tally.recording:
            if status == 200:
                tally.ok += 1
                tally.latencies.append(loop.time() - sent_at)
            elif status is not None:
                tally.error(f"HTTP {status}")
        index += 1
        if interval is not None:
            due += interval
    conn.transport.close()  # type: ignore[union-attr]


async def drive(port: int, pool: list[bytes], connections: int, seconds: float, warmup: float, rate: float | None):
    """Run `connections` clients for warmup + seconds; return (tally, measured wall seconds)."""
    loop = asyncio.get_running_loop()
    tally = Tally()
    start = loop.time() + 0.2
    stop = start + warmup + seconds
    interval = connections / rate if rate else None
    rng = random.Random(11)
    tasks = [
        asyncio.create_task(
            client(
                port,
                pool,
                rng.randrange(len(pool)),
                tally,
                stop,
                interval,
                start + (rng.random() * interval if interval else 0.0),
            )
        )
        for _ in range(connections)
    ]
    await asyncio.sleep(start + warmup - loop.time())
    tally.recording = True
    began = loop.time()
    await asyncio.sleep(max(0.0, stop - loop.time()))
    tally.recording = False
    elapsed = loop.time() - began
    await asyncio.gather(*tasks, return_exceptions=True)
    return tally, elapsed


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def measure(port: int, server_pid: int, pool: list[bytes], args: argparse.Namespace, rate: float | None) -> dict:
    cpu_server, cpu_client, wall = process_cpu_seconds(server_pid), self_cpu_seconds(), time.monotonic()
    tally, elapsed = asyncio.run(drive(port, pool, args.connections, args.seconds, args.warmup, rate))
    wall = time.monotonic() - wall
    lat = sorted(tally.latencies)
    return {
        "run": "saturate" if rate is None else f"paced {rate:g}/s",
        "rps": tally.ok / elapsed,
        "p50": percentile(lat, 0.50) * 1000,
        "p99": percentile(lat, 0.99) * 1000,
        "max": (lat[-1] if lat else float("nan")) * 1000,
        "mean": (statistics.fmean(lat) if lat else float("nan")) * 1000,
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors),
        "server_cpu": (process_cpu_seconds(server_pid) - cpu_server) / wall,
        "client_cpu": (self_cpu_seconds() - cpu_client) / wall,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--rate", type=float, default=1000.0, help="offered req/s of the paced run (0: skip it)")
    parser.add_argument("--http", default="h11", help="uvicorn HTTP implementation (h11 is what serve() uses)")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        run_server(args.serve, args.port, args.http)
        return 0

    resource.setrlimit(resource.RLIMIT_NOFILE, (4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    with tempfile.TemporaryDirectory(prefix="feeds-bench-") as tmp:
        workdir = Path(tmp)
        tokens = prepare_source(workdir)
        source = open_source(workdir)
        sizes = {k: statistics.mean(len(source.feed(source.lookup(t)).body) for t in ts) for k, ts in tokens.items()}
        pool = build_requests(tokens)
        port = free_port()
        log_path = workdir / "server.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, __file__, "--serve", str(workdir), "--port", str(port), "--http", args.http],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        try:
            wait_listening(port, proc)
            rows = [measure(port, proc.pid, pool, args, None)]
            if args.rate > 0:
                rows.append(measure(port, proc.pid, pool, args, args.rate))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        logged = log_path.read_text(errors="replace")
        leaked = sum(token in logged for group in tokens.values() for token in group)
        access_lines = logged.count("/feeds/<redacted>.ics")

    print(
        f"\nFeed server, uvicorn http={args.http}, {args.connections} keep-alive connections, "
        f"{args.seconds:g} s per run (after {args.warmup:g} s warm-up), {os.cpu_count()} CPUs; request mix "
        + ", ".join(f"{MIX[k]:.0%} {k.value} (~{sizes[k] / 1024:.0f} KiB)" for k in MIX)
        + "\n"
    )
    print("| run | req/s | p50 ms | p99 ms | max ms | errors | server CPU | client CPU |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['run']} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} | {row['max']:.1f} "
            f"| {row['errors']} | {row['server_cpu']:.0%} | {row['client_cpu']:.0%} |"
        )
    for row in rows:
        if row["error_kinds"]:
            print(f"\n{row['run']} errors: {json.dumps(row['error_kinds'])}")
    print(f"\nServer log: {access_lines} redacted access lines, tokens found in it: {leaked}")
    return 1 if leaked or any(row["errors"] for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
