"""Process, port and pid-file helpers shared by the stack's services."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from grid_intel.stack.errors import PortInUse, StackError


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now (the OS picks it), for a server started next."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def listener_pid(port: int) -> int | None:
    """The pid listening on a local TCP port, when the OS tells us."""
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
                return conn.pid
    except (psutil.AccessDenied, OSError):
        return None
    return None


def ensure_port_free(service: str, port: int, setting: str) -> None:
    """Fail at once, naming the holder and the setting to change, if the port is taken."""
    if not port_open("127.0.0.1", port):
        return
    pid = listener_pid(port)
    holder = f"pid {pid} ({_cmd(pid)})" if pid else "another program"
    raise PortInUse(
        f"{service}: port {port} on 127.0.0.1 is already used by {holder}. "
        f"Stop that program or choose another port with {setting}=<port>."
    )


def _cmd(pid: int) -> str:
    try:
        return " ".join(psutil.Process(pid).cmdline())[:80]
    except psutil.Error:
        return "unknown"


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@dataclass(frozen=True)
class PidRecord:
    """What `up` started, so `down` stops only that."""

    pid: int
    port: int
    started_at: float
    command: str

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> PidRecord | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None


def spawn(
    cmd: Sequence[str],
    log_path: Path,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start a detached daemon whose output goes to a log file."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(
            list(cmd),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until(
    ready: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    log_path: Path,
    proc: subprocess.Popen[bytes] | None = None,
    interval: float = 0.25,
) -> None:
    """Poll `ready` until it holds; fail fast if the process dies, with its log tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if proc is not None and proc.poll() is not None:
            raise StackError(
                f"{what} exited with code {proc.returncode} while starting. "
                f"Last lines of {log_path}:\n{log_tail(log_path)}"
            )
        time.sleep(interval)
    raise StackError(
        f"{what} did not become ready within {timeout:.0f}s. "
        f"Last lines of {log_path}:\n{log_tail(log_path)}"
    )


def terminate(pid: int, *, timeout: float = 30.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left after `timeout`.

    Descendants that left the group (`dagster dev` starts its code servers in
    sessions of their own) are stopped too.
    """
    if not alive(pid):
        return
    try:
        strays = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        strays = []
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, signal.SIGTERM)
    try:
        psutil.Process(pid).wait(timeout)
    except psutil.TimeoutExpired:
        os.killpg(pid, signal.SIGKILL)
    except psutil.Error:
        pass
    for child in strays:
        with suppress(psutil.Error):
            child.terminate()
    _, left = psutil.wait_procs(strays, timeout=10)
    for child in left:
        with suppress(psutil.Error):
            child.kill()


def require_tool(name: str, hint: str) -> str:
    """Path of an executable on PATH, or a StackError saying how to install it."""
    from shutil import which

    path = which(name)
    if path is None:
        raise StackError(f"`{name}` is not on PATH: {hint}")
    return path


def run_checked(cmd: Sequence[str], *, what: str, timeout: float, **kwargs: object) -> str:
    """Run a set-up command; on failure raise a StackError with its output."""
    try:
        done = subprocess.run(
            list(cmd), capture_output=True, text=True, timeout=timeout, check=False, **kwargs
        )
    except subprocess.TimeoutExpired as exc:
        raise StackError(f"{what} timed out after {timeout:.0f}s: {' '.join(cmd)}") from exc
    if done.returncode != 0:
        out = (done.stdout + done.stderr).strip()[-2000:]
        raise StackError(f"{what} failed (exit {done.returncode}): {' '.join(cmd)}\n{out}")
    return done.stdout


class Daemon:
    """A background process the stack starts: its pid file, log, launch and halt."""

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self.name = name
        self.log = root / f"{name}.log"
        self.pidfile = root / "pid.json"

    def running(self) -> bool:
        rec = PidRecord.load(self.pidfile)
        return rec is not None and alive(rec.pid)

    def launch(
        self,
        cmd: Sequence[str],
        *,
        port: int,
        ready: Callable[[], bool],
        timeout: float,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """Start the process, remember it, and wait until `ready` (failing fast if it dies)."""
        proc = spawn(cmd, self.log, cwd=cwd, env=env)
        PidRecord(proc.pid, port, time.time(), " ".join(cmd[:4])).save(self.pidfile)
        wait_until(
            ready, timeout=timeout, what=self.name, log_path=self.log, proc=proc, interval=0.5
        )

    def halt(self, progress: Callable[[str], None], timeout: float = 30.0) -> str:
        """Stop the process if this stack started it; never touch anything else."""
        rec = PidRecord.load(self.pidfile)
        said = "not running"
        if rec is not None and alive(rec.pid):
            progress(f"{self.name}: stopping")
            terminate(rec.pid, timeout=timeout)
            said = "stopped"
        self.pidfile.unlink(missing_ok=True)
        return said
