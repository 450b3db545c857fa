"""Simulated students against the dashboard, over Streamlit's own websocket protocol.

Each student does what a browser does: loads the page (cookies), opens a
websocket to ``/_stcore/stream``, sends ``BackMsg`` protobufs (``rerun_script``
with the page's hash and the widget states, ``file_urls_request`` for an
upload) and reads ``ForwardMsg`` protobufs until the script run is over. The
scenario, repeated until the time is up::

    open the app → Train page: click Train (defaults) → Weights → Predict → upload a photo

Run from the repository root::

    python -m bench.loadtest --students 10 --minutes 3          # starts its own server
    python -m bench.loadtest --url http://127.0.0.1:8501 --pid 1234 --students 3 --minutes 1

It prints p50 / p95 / max per action, the errors, the server's RSS and CPU
over time (``/proc/PID/status`` and ``/proc/PID/stat`` of the server and its
children, when it knows the PID) and the load average. It only talks to
127.0.0.1 / localhost, and every loop is bounded in time and count. The
exit status is 1 if any action failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import http.client
import io
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, FileURLs, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from deploy.cluster import replica_command
from deploy.cluster import server_env as cluster_server_env

ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
#: Widget keys and page url paths the scenario relies on (nothing else of the pages).
TRAIN_BUTTON, PHOTO_UPLOADER = "train_go", "predict_photos"
PAGES = ("data", "train", "weights", "predict", "why_standardize", "math")
ACTIONS = ("open", "train_page", "train", "train_first_chart", "weights", "predict", "upload")
PAGE_ACTIONS = ("open", "train_page", "weights", "predict")
ERROR_ALERT = 1  # Alert.Format.ERROR
RERUN_STATUS = 2  # ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN: another run follows
COMPILE_ERROR = 1


class ActionError(Exception):
    """One failed action, with a one-line reason."""


# -- one simulated browser -----------------------------------------------------


@dataclass
class RunResult:
    """What one script run sent back."""

    seconds: float
    first_chart: float | None = None
    errors: list[str] = field(default_factory=list)
    elements: dict[str, int] = field(default_factory=dict)


class Student:
    """A browser tab on the dashboard: cookies, one websocket session, the widgets it has seen."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        parts = urllib.parse.urlsplit(self.base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.session_id = ""
        self.pages: dict[str, str] = {}  # url path → page_script_hash
        self.page = ""
        self.widgets: dict[str, str] = {}  # user key → element id on the current page

    # HTTP (blocking, run in a thread) -------------------------------------------
    def _http(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            h = dict(headers or {})
            if self.cookies:
                h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, self.prefix + path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            for name, value in resp.getheaders():
                if name.lower() == "set-cookie":
                    k, _, rest = value.partition("=")
                    self.cookies[k.strip()] = rest.split(";", 1)[0]
            return resp.status, data
        finally:
            conn.close()

    async def http(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        return await asyncio.to_thread(self._http, method, path, body, headers)

    # websocket --------------------------------------------------------------------
    async def open(self) -> RunResult:
        """Load the page and its cookies, connect, and run the default page."""
        start = time.perf_counter()
        for path in ("/", "/_stcore/health"):
            status, _ = await self.http("GET", path)
            if status != 200:
                raise ActionError(f"GET {path} answered HTTP {status}")
        ws_url = f"ws://{self.host}:{self.port}{self.prefix}/_stcore/stream"
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
        self.ws = await asyncio.wait_for(
            websockets.connect(
                ws_url,
                additional_headers=headers,
                subprotocols=["streamlit"],
                max_size=256 * 2**20,
                open_timeout=self.timeout,
                ping_interval=20,
                ping_timeout=self.timeout,
            ),
            self.timeout,
        )
        result = await self.rerun(page=None)
        result.seconds = time.perf_counter() - start
        return result

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)
            self.ws = None

    async def send(self, msg: BackMsg) -> None:
        if self.ws is None:
            raise ActionError("not connected")
        await self.ws.send(msg.SerializeToString())

    async def receive(self, deadline: float) -> ForwardMsg:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise ActionError(f"no answer within {self.timeout:g} s")
        try:
            data = await asyncio.wait_for(self.ws.recv(), left)
        except TimeoutError:
            raise ActionError(f"no answer within {self.timeout:g} s") from None
        except websockets.ConnectionClosed as exc:
            raise ActionError(f"the server closed the websocket ({exc.code})") from None
        msg = ForwardMsg()
        msg.ParseFromString(data)
        return msg

    def _learn_pages(self, pages) -> None:
        """Page hashes by url path; the default page (url path "") also by its name."""
        for page in pages:
            if page.url_pathname:
                self.pages[page.url_pathname] = page.page_script_hash
            else:
                self.pages.setdefault(page.page_name.strip().lower().replace(" ", "_"), page.page_script_hash)

    def _note(self, msg: ForwardMsg, result: RunResult, start: float) -> None:
        """Remember pages and widget ids; record charts and errors."""
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            self._learn_pages(msg.new_session.app_pages)
        elif kind == "navigation":
            self._learn_pages(msg.navigation.app_pages)
            if msg.navigation.page_script_hash:
                self.page = next((p for p, h in self.pages.items() if h == msg.navigation.page_script_hash), self.page)
        elif kind == "page_not_found":
            result.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            etype = element.WhichOneof("type")
            if etype is None:
                return
            body = getattr(element, etype)
            result.elements[etype] = result.elements.get(etype, 0) + 1
            if etype == "exception":
                result.errors.append(f"exception on the page: {body.type}: {body.message[:160]}")
            elif etype == "alert" and body.format == ERROR_ALERT:
                result.errors.append(f"error shown: {body.body[:160]}")
            elif etype == "plotly_chart" and result.first_chart is None:
                result.first_chart = time.perf_counter() - start
            if "id" in body.DESCRIPTOR.fields_by_name and body.id:
                key = body.id.rsplit("-", 1)[-1]
                self.widgets[key] = body.id

    async def rerun(self, page: str | None, widgets: list[WidgetState] | None = None) -> RunResult:
        """Run the script (on ``page``, or the current one) with these widget states; wait for its end."""
        start = time.perf_counter()
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        if page is not None:
            if page not in self.pages:
                raise ActionError(f"the app has no page {page!r} (it has {sorted(self.pages)})")
            state.page_script_hash = self.pages[page]
            state.page_name = page
            self.page = page
        elif self.page in self.pages:
            state.page_script_hash = self.pages[self.page]
            state.page_name = self.page
        for w in widgets or []:
            state.widget_states.widgets.append(w)
        if page is not None:
            self.widgets = {}
        await self.send(msg)
        result = RunResult(0.0)
        deadline = start + self.timeout
        while True:
            fwd = await self.receive(deadline)
            self._note(fwd, result, start)
            if fwd.WhichOneof("type") == "script_finished":
                status = fwd.script_finished
                if status == COMPILE_ERROR:
                    result.errors.append("the script failed to compile")
                if status != RERUN_STATUS:
                    break
        result.seconds = time.perf_counter() - start
        return result

    def widget(self, key: str) -> str:
        if key not in self.widgets:
            raise ActionError(f"no widget with key {key!r} on page {self.page!r}")
        return self.widgets[key]

    async def click(self, key: str) -> RunResult:
        state = WidgetState(id=self.widget(key), trigger_value=True)
        return await self.rerun(page=None, widgets=[state])

    async def upload(self, key: str, name: str, data: bytes, mime: str) -> RunResult:
        """The browser's upload: ask for URLs, PUT the file, rerun with the uploader's new state."""
        start = time.perf_counter()
        widget_id = self.widget(key)
        request = BackMsg()
        request.file_urls_request.request_id = uuid.uuid4().hex
        request.file_urls_request.file_names.append(name)
        request.file_urls_request.session_id = self.session_id
        await self.send(request)
        deadline = start + self.timeout
        while True:
            fwd = await self.receive(deadline)
            if (
                fwd.WhichOneof("type") == "file_urls_response"
                and fwd.file_urls_response.response_id == request.file_urls_request.request_id
            ):
                break
        response = fwd.file_urls_response
        if response.error_msg or not response.file_urls:
            raise ActionError(f"upload refused: {response.error_msg or 'no upload URL'}")
        urls = response.file_urls[0]
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
                f"Content-Type: {mime}\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        if "_streamlit_xsrf" in self.cookies:
            headers["X-Xsrftoken"] = self.cookies["_streamlit_xsrf"]
        path = urllib.parse.urlsplit(urls.upload_url).path
        if self.prefix and path.startswith(self.prefix):
            path = path[len(self.prefix) :]
        status, text = await self.http("PUT", path, body, headers)
        if status not in (200, 204):
            raise ActionError(f"PUT of the photo answered HTTP {status}: {text[:120]!r}")
        info = UploadedFileInfo(
            name=name,
            size=len(data),
            file_id=urls.file_id,
            file_urls=FileURLs(file_id=urls.file_id, upload_url=urls.upload_url, delete_url=urls.delete_url),
        )
        state = WidgetState(id=widget_id, file_uploader_state_value=FileUploaderState(uploaded_file_info=[info]))
        result = await self.rerun(page=None, widgets=[state])
        result.seconds = time.perf_counter() - start
        if not (result.elements.get("plotly_chart") or result.elements.get("imgs")):
            result.errors.append("the uploaded photo got no answer (no chart or image on the page)")
        return result


def photo_png(seed: int) -> bytes:
    """A 320×240 PNG photo-like picture (gradients and noise), different per seed."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:240, 0:320]
    base = np.stack([x * 255 // 320, y * 255 // 240, (x + y) * 255 // 560], axis=-1)
    noise = rng.integers(0, 60, size=base.shape)
    image = Image.fromarray(((base + noise) % 256).astype(np.uint8))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# -- the scenario ----------------------------------------------------------------


@dataclass
class Stats:
    """Times and errors of every action, shared by the students."""

    times: dict[str, list[float]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    errors: list[tuple[float, int, str, str]] = field(default_factory=list)
    cycles: int = 0

    def record(self, action: str, result: RunResult, student: int, t0: float) -> None:
        self.times[action].append(result.seconds)
        if result.first_chart is not None and action == "train":
            self.times["train_first_chart"].append(result.first_chart)
        for e in result.errors:
            self.errors.append((time.perf_counter() - t0, student, action, e))


async def scenario_step(student: Student, action: str, i: int, photo: bytes) -> RunResult:
    """One action of the scenario."""
    if action == "train":
        return await student.click(TRAIN_BUTTON)
    if action == "upload":
        return await student.upload(PHOTO_UPLOADER, f"photo{i}.png", photo, "image/png")
    return await student.rerun({"train_page": "train"}.get(action, action))


async def student_loop(
    i: int,
    base_url: str,
    stop_at: float,
    stats: Stats,
    t0: float,
    timeout: float,
    think: float,
    reopen: bool,
    max_cycles: int,
) -> None:
    """One student: open the app, then Train → Weights → Predict → upload, until ``stop_at``."""
    photo = photo_png(i)
    student = Student(base_url, timeout)
    action = "open"
    try:
        for cycle in range(max_cycles):
            if time.perf_counter() >= stop_at:
                break
            if cycle == 0 or reopen:
                await student.close()
                student = Student(base_url, timeout)
                action = "open"
                stats.record("open", await student.open(), i, t0)
            for action in ("train_page", "train", "weights", "predict", "upload"):
                if time.perf_counter() >= stop_at:
                    return
                stats.record(action, await scenario_step(student, action, i, photo), i, t0)
                await asyncio.sleep(think)
            stats.cycles += 1
    except ActionError as exc:
        stats.errors.append((time.perf_counter() - t0, i, action, str(exc)))
    except (OSError, websockets.WebSocketException) as exc:
        stats.errors.append((time.perf_counter() - t0, i, action, f"{type(exc).__name__}: {exc}"))
    finally:
        await student.close()


async def run_students(
    base_url: str,
    students: int,
    seconds: float,
    timeout: float,
    think: float,
    ramp: float,
    reopen: bool,
    max_cycles: int,
) -> Stats:
    stats = Stats()
    t0 = time.perf_counter()
    stop_at = t0 + seconds

    async def delayed(i: int) -> None:
        await asyncio.sleep(ramp * i / max(students, 1))
        await student_loop(i, base_url, stop_at, stats, t0, timeout, think, reopen, max_cycles)

    tasks = [asyncio.create_task(delayed(i)) for i in range(students)]
    # Hard bound: the time, plus one action's timeout for the last actions to end.
    _, pending = await asyncio.wait(tasks, timeout=seconds + ramp + timeout + 30)
    for task in pending:
        task.cancel()
        stats.errors.append((time.perf_counter() - t0, -1, "?", "a student was still busy at the hard deadline"))
    await asyncio.gather(*pending, return_exceptions=True)
    return stats


# -- the server: start, sample, stop ---------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base_url: str, seconds: float, proc: subprocess.Popen | None = None) -> None:
    """Poll ``/_stcore/health`` until it answers ok (bounded)."""
    parts = urllib.parse.urlsplit(base_url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode}")
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=2)
        try:
            conn.request("GET", parts.path.rstrip("/") + "/_stcore/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.3)
    raise RuntimeError(f"{base_url} did not answer /_stcore/health within {seconds:g} s")


def server_env(base: dict[str, str] | None = None, blas_threads: int = 1) -> dict[str, str]:
    """The environment of a server process, as a class server runs (``deploy.cluster.SERVER_ENV``)."""
    env = cluster_server_env(base)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(blas_threads)
    return env


@contextlib.contextmanager
def started_server(app: str, log_dir: Path, extra: list[str] | None = None):
    """Start the dashboard on a free 127.0.0.1 port; yield (url, process); stop it by PID."""
    port = free_port()
    log = open(log_dir / f"streamlit-{port}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        replica_command(port, app, extra),
        cwd=ROOT,
        env=server_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, 60, proc)
        yield url, proc
    finally:
        stop_process(proc)
        log.close()


def stop_process(proc: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM the process, then SIGKILL it after ``grace`` seconds."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc/PID/task/*/children)."""
    out, todo = [], [pid]
    while todo and len(out) < 1000:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in task.read_text().split()]
    return out


def rss_and_ticks(pids: list[int]) -> tuple[int, int]:
    """Summed VmRSS (bytes) and utime + stime (clock ticks) of these processes."""
    rss = ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) * 1024
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return rss, ticks


class Monitor:
    """Samples the server's RSS and CPU every ``period`` seconds in a thread."""

    def __init__(self, pids: list[int], period: float = 1.0) -> None:
        self.roots = pids
        self.period = period
        self.samples: list[tuple[float, int, float, float]] = []  # t, rss, cpu % of one core, load 1 min
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.t0 = time.perf_counter()

    def _pids(self) -> list[int]:
        return [p for root in self.roots for p in process_tree(root)]

    def _loop(self) -> None:
        hz = os.sysconf("SC_CLK_TCK")
        _, last_ticks = rss_and_ticks(self._pids())
        last = time.perf_counter()
        while not self._stop.wait(self.period):
            rss, ticks = rss_and_ticks(self._pids())
            now = time.perf_counter()
            cpu = 100.0 * (ticks - last_ticks) / hz / max(now - last, 1e-6)
            self.samples.append((now - self.t0, rss, cpu, load_average()[0]))
            last, last_ticks = now, ticks

    def start(self) -> Monitor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def between(self, a: float, b: float) -> list[tuple[float, int, float, float]]:
        return [s for s in self.samples if a <= s[0] <= b]


def load_average() -> tuple[float, float, float]:
    with open("/proc/loadavg", encoding="ascii") as f:
        one, five, fifteen = f.read().split()[:3]
    return float(one), float(five), float(fifteen)


# -- report ----------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(stats: Stats) -> dict[str, dict[str, float]]:
    rows = {}
    pages = [t for a in PAGE_ACTIONS for t in stats.times[a]]
    for name, values in [*stats.times.items(), ("page clicks (all)", pages)]:
        rows[name] = {
            "n": len(values),
            "p50": percentile(values, 0.5),
            "p95": percentile(values, 0.95),
            "max": max(values) if values else math.nan,
            "mean": statistics.fmean(values) if values else math.nan,
        }
    return rows


def summary_from_json(path: Path) -> dict[str, dict[str, float]]:
    """The per-action rows of a ``--json`` file."""
    return json.loads(Path(path).read_text(encoding="utf-8"))["summary"]


def fmt(x: float) -> str:
    return "–" if math.isnan(x) else f"{x:.2f}"


def report(
    args: argparse.Namespace,
    stats: Stats,
    monitor: Monitor | None,
    phases: dict[str, float],
    load_start: tuple[float, float, float],
    load_end: tuple[float, float, float],
    target: str,
) -> str:
    lines = [
        f"# Load test — {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        (
            f"target {target}; {args.students} students for {args.minutes:g} min (ramp {args.ramp:g} s, "
            f"think {args.think:g} s); {stats.cycles} full cycles; CPUs {os.cpu_count()}"
        ),
        (
            f"load average (1/5/15 min) at start {load_start[0]:.2f} / {load_start[1]:.2f} / "
            f"{load_start[2]:.2f}, at end {load_end[0]:.2f} / {load_end[1]:.2f} / {load_end[2]:.2f}"
        ),
        "",
        "| action | n | p50 s | p95 s | max s | mean s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in summary(stats).items():
        lines.append(
            f"| {name} | {row['n']} | {fmt(row['p50'])} | {fmt(row['p95'])} | {fmt(row['max'])} | {fmt(row['mean'])} |"
        )
    lines += ["", f"errors: {len(stats.errors)}"]
    for t, who, action, text in stats.errors[:20]:
        lines.append(f"  {t:7.1f} s  student {who}  {action}: {text}")
    if len(stats.errors) > 20:
        lines.append(f"  … and {len(stats.errors) - 20} more")
    if monitor is not None and monitor.samples:
        mb = 2**20
        idle = monitor.between(0, phases["students"]) or monitor.samples[:1]
        busy = monitor.between(phases["students"], phases["left"]) or monitor.samples
        after = monitor.between(phases["left"], math.inf)
        idle_rss = max(s[1] for s in idle)
        lines += [
            "",
            "| server | RSS MB | CPU % (of one core) |",
            "| --- | ---: | ---: |",
            f"| idle before the students | {idle_rss / mb:.0f} | {statistics.fmean(s[2] for s in idle):.0f} |",
            (
                f"| peak with the students | {max(s[1] for s in busy) / mb:.0f} | "
                f"{max(s[2] for s in busy):.0f} (mean {statistics.fmean(s[2] for s in busy):.0f}) |"
            ),
        ]
        if after:
            last = after[-1]
            lines.append(
                f"| {last[0] - phases['left']:.0f} s after they left | {last[1] / mb:.0f} "
                f"({100 * (last[1] / idle_rss - 1):+.0f} % vs idle) | {last[2]:.0f} |"
            )
        lines += [
            "",
            "server over time (every ~10 %):",
            "| t s | RSS MB | CPU % | load 1 min |",
            "| ---: | ---: | ---: | ---: |",
        ]
        step = max(1, len(monitor.samples) // 10)
        for t, rss, cpu, load in monitor.samples[::step] + monitor.samples[-1:]:
            lines.append(f"| {t:.0f} | {rss / mb:.0f} | {cpu:.0f} | {load:.2f} |")
    return "\n".join(lines)


# -- command line ----------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Simulated students over Streamlit's websocket protocol.")
    p.add_argument("--students", type=int, default=3, help="concurrent students (1–200, default 3)")
    p.add_argument("--minutes", type=float, default=0.5, help="how long students keep working (≤ 60, default 0.5)")
    p.add_argument(
        "--url",
        default=None,
        help="an already running app, e.g. http://127.0.0.1:8501 (default: start one on a free 127.0.0.1 port)",
    )
    p.add_argument(
        "--pid",
        type=int,
        action="append",
        default=[],
        help="PID of the server(s) behind --url to sample RSS/CPU (repeatable)",
    )
    p.add_argument("--app", default="serve.py", help="script the started server runs (default serve.py)")
    p.add_argument("--ramp", type=float, default=5.0, help="seconds over which students arrive (default 5)")
    p.add_argument("--think", type=float, default=1.0, help="pause between a student's actions, s (default 1)")
    p.add_argument("--timeout", type=float, default=180.0, help="one action's time limit, s (default 180)")
    p.add_argument("--idle", type=float, default=5.0, help="seconds sampled before students arrive (default 5)")
    p.add_argument(
        "--cooldown", type=float, default=0.0, help="seconds the server is sampled after the students left (default 0)"
    )
    p.add_argument(
        "--no-warm",
        dest="warm",
        action="store_false",
        help="measure idle RSS on servers nobody visited yet (default: after one scenario cycle on each --pid)",
    )
    p.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="seconds to wait after the warm-up visit before idle is sampled; the session TTL (120) + 70 "
        "lets the server free the warm-up student first (default 0)",
    )
    p.add_argument("--reopen", action="store_true", help="open a new session every cycle")
    p.add_argument("--max-cycles", type=int, default=1000, help="cycles per student at most (default 1000)")
    p.add_argument("--json", type=Path, default=None, help="also write the numbers to this JSON file")
    args = p.parse_args(argv)
    if not 1 <= args.students <= 200:
        p.error(f"--students must be from 1 to 200; got {args.students}")
    if not 0 < args.minutes <= 60:
        p.error(f"--minutes must be > 0 and ≤ 60; got {args.minutes}")
    if not 0 <= args.settle <= 1800:
        p.error(f"--settle must be from 0 to 1800; got {args.settle}")
    if not 0 <= args.cooldown <= 1800:
        p.error(f"--cooldown must be from 0 to 1800; got {args.cooldown}")
    if args.url is not None:
        host = urllib.parse.urlsplit(args.url).hostname
        if host not in LOCAL_HOSTS:
            p.error(f"--url must point at 127.0.0.1 or localhost; got host {host!r}")
    return args


async def warm_up(url: str, timeout: float) -> None:
    """One student goes through the scenario once and leaves: the server has imported what every page needs."""
    stats = Stats()
    await student_loop(10_000, url, time.perf_counter() + timeout, stats, time.perf_counter(), timeout, 0.0, False, 1)
    if stats.errors:
        raise SystemExit(f"the warm-up visit failed: {stats.errors[0][3]}")


def busiest(before: list[int], after: list[int]) -> int:
    """Index of the server whose CPU ticks grew most between two readings (the one a visit landed on)."""
    if len(before) != len(after) or not before:
        raise ValueError(f"expected two readings of the same servers; got {len(before)} and {len(after)}")
    grown = [b - a for a, b in zip(before, after, strict=True)]
    return grown.index(max(grown))


def server_ticks(pids: list[int]) -> list[int]:
    """CPU ticks so far of each server (with its children)."""
    return [rss_and_ticks(process_tree(pid))[1] for pid in pids]


def warm_every(url: str, pids: list[int], timeout: float) -> list[int]:
    """Warm-up visits until every server behind ``url`` has served one; the PIDs none reached.

    Behind nginx a new student lands on a replica its random cookie hashes to, so one visit warms one
    replica. The replica a visit landed on is the one whose CPU time grew most (a visit trains three runs).
    At most 4 visits per server.
    """
    if len(pids) < 2:
        asyncio.run(warm_up(url, timeout))
        return []
    cold = set(range(len(pids)))
    for _ in range(4 * len(pids)):
        before = server_ticks(pids)
        asyncio.run(warm_up(url, timeout))
        cold.discard(busiest(before, server_ticks(pids)))
        if not cold:
            break
    return [pids[i] for i in sorted(cold)]


def run(args: argparse.Namespace, url: str, pids: list[int]) -> tuple[str, Stats, dict]:
    if args.warm:  # a full visit per server first, so "idle" is servers that have served every page of the scenario
        cold = warm_every(url, pids, args.timeout)
        if cold:
            print(f"warning: no warm-up visit reached server(s) {cold}; their idle RSS is a cold start", flush=True)
        time.sleep(args.settle)
    monitor = Monitor(pids).start() if pids else None
    phases = {"start": 0.0}
    time.sleep(args.idle)
    phases["students"] = time.perf_counter() - monitor.t0 if monitor else 0.0
    load_start = load_average()
    stats = asyncio.run(
        run_students(
            url, args.students, args.minutes * 60, args.timeout, args.think, args.ramp, args.reopen, args.max_cycles
        )
    )
    load_end = load_average()
    phases["left"] = time.perf_counter() - monitor.t0 if monitor else 0.0
    if monitor is not None:
        time.sleep(args.cooldown)
        monitor.stop()
    text = report(args, stats, monitor, phases, load_start, load_end, url)
    numbers = {
        "summary": summary(stats),
        "errors": stats.errors,
        "cycles": stats.cycles,
        "load_start": load_start,
        "load_end": load_end,
        "samples": monitor.samples if monitor else [],
        "phases": phases,
    }
    return text, stats, numbers


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.url is not None:
        wait_healthy(args.url, 30)
        text, stats, numbers = run(args, args.url, args.pid)
    else:
        with (
            tempfile.TemporaryDirectory(prefix="logreg-load-") as tmp,
            started_server(args.app, Path(tmp)) as (url, proc),
        ):
            text, stats, numbers = run(args, url, [proc.pid])
    print(text, flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(numbers, indent=1, default=str))
    return 1 if stats.errors else 0


if __name__ == "__main__":
    sys.exit(main())
