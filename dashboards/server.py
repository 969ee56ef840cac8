"""Serving the dashboard: the one place that knows how.

``morale dashboard`` calls :func:`serve` (the process becomes the Solara
server); the browser tests, ``benchmarks/dashboard_speed.py`` and
``docs/screenshots.py`` call :func:`launch`, which starts ``morale dashboard``
in a subprocess on a free port, as a user would, and waits until it answers.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

HOST = "127.0.0.1"  # this machine only, unless asked otherwise
KERNEL_CULL_SECONDS = 120  # how long a closed tab's session outlives it (Solara's default: 24h)
KERNEL_CULL_TIMEOUT = f"{KERNEL_CULL_SECONDS}s"  # as Solara reads it
PORT = 8765
# Chromium as the tests and tools drive it: headless in a container, and no traffic of its own,
# so the offline check of the browser test sees only the dashboard's requests.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# A -W filter (python -W / PYTHONWARNINGS): action:message-start:category:module
SAMESITE_FILTER = "ignore:Cookies with samesite=none require https:UserWarning:solara.server.starlette"


def command(host: str = HOST, port: int = PORT) -> list[str]:
    """The Solara command line that serves ``dashboards.app``."""
    return [sys.executable, "-m", "solara", "run", "dashboards.app", "--host", host,
            "--port", str(port), "--no-open", "--production", "--log-level", "warning"]


MALLOC_THRESHOLD = "131072"  # bytes: glibc's default starting value, held fixed


def environment(scenario: str, lesson_path: Path | None = None) -> dict[str, str]:
    """The server's environment: the preset (and lesson) to open first; no telemetry."""
    env = {**os.environ, "MORALE_SCENARIO": scenario}
    if lesson_path is not None:
        env["MORALE_LESSON"] = str(lesson_path)
    # Solara serves its JavaScript/CSS through its own /_solara/cdn route, from the local
    # solara-assets package (so the page works offline); it must not phone home either.
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    # Solara's "This website runs on Solara" badge is fixed in the page's bottom-right corner,
    # over the charts (the Info panel credits Solara instead).
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    # A closed tab's session (its army and charts) is freed two minutes after the tab went away,
    # not Solara's 24 hours: a class opening, reloading and closing tabs all day would otherwise
    # keep every army in memory. A reload within two minutes finds its session; a later one
    # rebuilds the same run from the link in the address bar (dashboards/links.py).
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", KERNEL_CULL_TIMEOUT)
    # glibc gives each thread that allocates its own arena (up to 8 per core); a class's tabs
    # leave memory scattered over them that malloc_trim cannot return. Two arenas kept about half
    # as much after a class closed its tabs (docs/dashboard.md, "Under a class's load").
    env.setdefault("MALLOC_ARENA_MAX", "2")
    # Fixed thresholds (glibc otherwise raises its mmap threshold after each large free, so that
    # later large blocks come from the heap, where they stay): after three classes one after
    # another the server kept 353, 355 and 353 MB, a plateau (two arenas alone: 357, 357, 368).
    for variable in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
        env.setdefault(variable, MALLOC_THRESHOLD)
    # Only Solara's SameSite warning, printed for every page load (every tab) served over plain
    # http on a host other than "localhost" (127.0.0.1, or a classroom address). It is about
    # embedding the page in another site's iframe, which the dashboard never is: Solara falls
    # back to a SameSite=Lax session cookie, which is what a tab of its own needs. Other warnings
    # still show. (The filter matches the start of that message, from that module only.)
    env["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), SAMESITE_FILTER]))
    return env


ANNOUNCE = "MORALE_ANNOUNCE"  # the line the server prints once it is warm and about to listen


def announcement(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"unit-morale dashboard: open http://{shown}:{port}/ in a browser (Ctrl-C to stop)"


def warm_up(scenario: str) -> None:
    """Do once, before the first visitor, what the first visitor would otherwise wait for: load the
    compiled daily passes and build, step and draw a first army of the opening preset."""
    from dashboards import views
    from model.model import MoraleModel
    from model.scenarios import resolve

    model = MoraleModel(rng=0, **dict(resolve(scenario).overrides))
    model.step()
    views.unit_map(model)
    series = model.datacollector.model_vars
    views.line_chart("warm-up", [("desertion", "#000", series["desertion_rate"])])


TRIM_SECONDS = 60.0  # how often the server hands freed memory back to the system
# A file the server appends to at each of those times: the time and the armies (MoraleModel
# objects) still alive, so that a load test can tell closed sessions kept from memory kept
# (benchmarks/class_load.py sets it; unset, nothing is counted).
MEMORY_LOG = "MORALE_MEMORY_LOG"


def live_armies() -> int:
    """How many armies (``MoraleModel`` objects) are alive in this process."""
    import gc

    from model.model import MoraleModel

    return sum(isinstance(o, MoraleModel) for o in gc.get_objects())


def give_back_memory_regularly(every: float = TRIM_SECONDS) -> threading.Thread:
    """A daemon thread that, every ``every`` seconds, collects garbage and asks the C allocator to
    return freed memory to the system (glibc's ``malloc_trim``; nothing elsewhere).

    Solara frees a closed tab's session (its army, charts and widgets), but the memory stayed
    with the process: 8 tabs that had played for a minute left the server at 409 MB four
    minutes after they closed, against 308 MB before they opened (docs/dashboard.md).
    """
    import ctypes
    import ctypes.util
    import gc

    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None

    log = os.environ.get(MEMORY_LOG)

    def keep() -> None:
        while True:
            time.sleep(every)
            gc.collect()
            if trim is not None:
                trim(0)
            if log:
                with open(log, "a", encoding="utf-8") as out:
                    out.write(f"{time.time():.0f} {live_armies()}\n")

    thread = threading.Thread(target=keep, name="give-back-memory", daemon=True)
    thread.start()
    return thread


def announce_when_warm() -> None:
    """Called as the server loads the app, before it listens: warm up, then print the URL (the line
    ``morale dashboard`` asked for); nothing when the app is imported otherwise (tests, tools)."""
    line = os.environ.pop(ANNOUNCE, None)
    if line is None:
        return
    warm_up(os.environ.get("MORALE_SCENARIO", "baseline"))
    give_back_memory_regularly()
    print(line, flush=True)


def serve(scenario: str, lesson_path: Path | None = None, host: str = HOST, port: int = PORT) -> None:
    """Become the Solara server (no child process): Ctrl-C and a terminate signal reach it directly.

    The server warms up as it loads the app and only then prints the address to open
    (``announce_when_warm``), so that the first page a class opens does not wait for it.
    """
    sys.stdout.flush()
    env = {**environment(scenario, lesson_path), ANNOUNCE: announcement(host, port)}
    os.execve(sys.executable, command(host, port), env)


class AddressError(ValueError):
    """A host or port the dashboard cannot listen on; the message is one line."""


def check_address(host: str, port: int) -> bool:
    """Check that the server can listen on ``host:port`` before it starts; True if only this
    machine can reach it (every address of ``host`` is a loopback one).

    Raises AddressError for an empty host (it would mean every interface), a host that does
    not resolve or is not an address of this machine, and a port in use.
    """
    import ipaddress

    if not host.strip():
        raise AddressError(f"--host {host!r} is not allowed: give an address to listen on, such as "
                           f"{HOST} (this machine only) or 0.0.0.0 (every network interface)")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise AddressError(f"--host {host!r} is not allowed: it does not resolve to an address "
                           f"({getattr(exc, 'strerror', None) or exc}); give an address of this machine, "
                           f"such as {HOST}") from None
    family, kind, proto, _, address = found[0]
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        import errno

        if exc.errno == errno.EADDRINUSE:
            raise AddressError(f"--port {port} is not allowed: it is in use on {host}; choose another "
                               "port") from None
        raise AddressError(f"--host {host!r} is not allowed: this machine cannot listen on it "
                           f"({exc.strerror or exc}); give an address of this machine, such as "
                           f"{HOST}") from None
    return all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in found)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class ServerError(RuntimeError):
    """The dashboard did not start, or did not stop."""


@contextlib.contextmanager
def launch(*args: str, timeout: float = 90.0, log: Path | None = None) -> Iterator[str]:
    """Run ``morale dashboard ARGS`` on a free port until the block ends; yields its URL.

    The server's output (stdout and stderr) goes to the file ``log``, else to a temporary file
    (a pipe nobody reads would stop the server once it filled). Raises ServerError with the
    server's last output if it does not answer within ``timeout`` seconds, or if it is still
    running 15 s after being terminated.
    """
    port = free_port()
    script = Path(sys.executable).parent / "morale"
    with contextlib.ExitStack() as stack:
        if log is None:
            output = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
        else:
            output = stack.enter_context(open(log, "w+", encoding="utf-8"))

        def last_output() -> str:
            output.flush()
            output.seek(0)
            return output.read()[-2000:]

        proc = subprocess.Popen([str(script), "dashboard", "--port", str(port), *args],
                                stdout=output, stderr=subprocess.STDOUT, text=True)
        url = f"http://{HOST}:{port}/"
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                proc.wait()
                raise ServerError(f"dashboard did not start: {last_output()}")
            time.sleep(0.5)
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise ServerError("the dashboard did not stop when terminated") from None
