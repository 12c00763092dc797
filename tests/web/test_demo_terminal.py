"""Issue 18, item 11: `gridbot demo` speaks to a person in the terminal, the rest goes to a file."""
from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.test_demo_holders import RESIDENT

WAIT_S = 60.0
ANSI = re.compile(r"\x1b\[")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Terminal:
    """What `gridbot demo` writes to the person's terminal, line by line as it comes."""

    def __init__(self, process: subprocess.Popen):
        self.process, self.lines, self._queue = process, [], queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)   # the end of the output

    def rest(self) -> list[str]:
        """Every line until the process has closed its output."""
        rest = []
        while (line := self._queue.get(timeout=WAIT_S)) is not None:
            rest.append(line)
        self.lines += rest
        return rest

    def until(self, pattern: str) -> str:
        while True:
            try:
                line = self._queue.get(timeout=WAIT_S)
                assert line is not None, f"the demo ended; it wrote: {self.lines}"
            except queue.Empty:
                pytest.fail(f"no line matching {pattern!r} in {WAIT_S} s; so far: {self.lines}")
            self.lines.append(line)
            if re.search(pattern, line):
                return line


@pytest.fixture
def demo_terminal(tmp_path: Path) -> Iterator[tuple[Terminal, str, Path]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDBOT_")}
    process = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "demo", "--port", str(port)],
        cwd=tmp_path, env={**env, "PYTHONPATH": str(Path(__file__).parents[2])},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield Terminal(process), f"http://127.0.0.1:{port}", tmp_path / ".demo" / "gridbot.log"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            process.kill()


def file_a_report(base: str) -> None:
    with httpx.Client(base_url=base, timeout=WAIT_S) as client:
        for n, body in enumerate(({"text": "/start", "name": "王阿姨"}, {"button": "consent:yes"},
                                  {"button": "role:resident"}, {"button": "home:skip"},
                                  {"text": "/report"}, {"button": "cat:P02"},
                                  {"text": "路口的井盖松了"}, {"button": "skip:"},
                                  {"text": "锦江畔3号楼"}, {"text": "跳过"},
                                  {"button": "confirm:"})):
            client.post(f"/api/chat/{RESIDENT}/send", json={**body, "id": f"t{n}"})
            client.get(f"/api/chat/{RESIDENT}/messages")   # as the page polls


def test_the_terminal_tells_a_person_the_pages_each_order_and_nothing_else(demo_terminal):
    terminal, base, log_file = demo_terminal
    terminal.until(r"Ctrl-C")
    start = "\n".join(terminal.lines)
    assert f"{base}/" in start and f"{base}/echo-wall" in start
    assert re.search(r"UTC[+-]\d\d:\d\d", start), "the times' zone is stated"

    file_a_report(base)
    filed = terminal.until(r"WG-\d{8}-\d{4} 提交")

    assert "井盖破损松动" in filed and "梁红" in filed, filed   # what, and who holds it now
    assert all(not line.lstrip().startswith("{") for line in terminal.lines), terminal.lines
    assert not any(ANSI.search(line) for line in terminal.lines), terminal.lines
    assert not any("without a leader" in line or "GET /" in line for line in terminal.lines)
    assert len(terminal.lines) <= 8, terminal.lines
    written = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert any(line["logger"] == "uvicorn.access" for line in written)   # kept, in the file
    assert not any("color_message" in line for line in written)

    terminal.process.send_signal(signal.SIGINT)   # Ctrl-C: a quiet stop
    assert terminal.process.wait(timeout=WAIT_S) == 0
    assert not any("Traceback" in line or "error" in line for line in terminal.rest())
