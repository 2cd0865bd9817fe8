"""Build jobs of the web app: each in its own folder under the data dir, named by a random id (never a
path from the request), run by a bounded pool in queue order, cancellable, reported as progress, kept
for a number of days and then removed. A build is `pipeline.build`, with its lock and atomic package."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deliver import defaults
from deliver.errors import DeliverError, OptionError
from deliver.pipeline import BuildOptions, build
from deliver.voices import Prosody, parse_prosody

_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
RECORD = "job.json"


class Cancelled(Exception):
    """Raised from the progress callback: `build` discards its staging folder on the way out."""


@dataclass
class Job:
    id: str
    folder: Path
    options: dict[str, Any]
    title: str = ""
    state: str = "queued"  # queued, running, done, failed, cancelled
    stage: str = ""
    done: int = 0
    total: int = 0
    eta: float | None = None
    message: str = ""
    files: list[str] = field(default_factory=list)
    package: str = ""
    created: float = field(default_factory=time.time)
    finished: float | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    started: float | None = None
    step_started: float | None = None
    """When the current step began: its ETA comes from its own pace."""
    version: int = 0

    def public(self, position: int | None) -> dict[str, Any]:
        keys = ("id", "title", "state", "stage", "done", "total", "eta", "message", "files", "created", "finished")
        archive = self.package + ".zip" if self.state == "done" and self.package else None
        return {**{k: getattr(self, k) for k in keys}, "zip": archive, "position": position, "version": self.version}


class Jobs:
    """The job folders under `root` and the queue that builds them, `workers` at a time."""

    def __init__(self, root: Path, workers: int = 1, queue_limit: int = 20, keep_days: float = 7.0) -> None:
        self.root, self.queue_limit, self.keep_days = root, queue_limit, keep_days
        self.root.mkdir(parents=True, exist_ok=True)
        self._jobs: dict[str, Job] = {}
        self._queue: deque[Job] = deque()
        self._lock = threading.Condition()
        self._stopping = False
        self._load()
        self.expire()
        self._threads = [threading.Thread(target=self._work, daemon=True, name=f"build-{n}") for n in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, markdown: str, title: str, options: dict[str, Any]) -> Job:
        """Queue a build of this deck Markdown. Raises OptionError when the queue is full."""
        BuildOptions(**_build_kwargs(options, Path(".")))  # checked now: a bad option fails at once, not later
        self.expire()  # a long-running server clears old jobs as new ones come
        with self._lock:
            if len(self._queue) >= self.queue_limit:
                raise OptionError(f"the build queue is full ({self.queue_limit} waiting); try again in a few minutes")
            job_id = secrets.token_urlsafe(16)
            folder = self.root / job_id
            folder.mkdir()
            (folder / "deck.md").write_text(markdown, encoding="utf-8")
            job = Job(job_id, folder, options, title=title)
            self._jobs[job_id] = job
            self._queue.append(job)
            self._save(job)
            self._lock.notify_all()
            return job

    def get(self, job_id: str) -> Job | None:
        """The job of this id; None for an id that is not one (shaped wrong, unknown, expired)."""
        if not _ID.match(job_id):
            return None
        with self._lock:
            return self._jobs.get(job_id)

    def position(self, job: Job) -> int | None:
        """1 for the next job to start; None when not waiting."""
        with self._lock:
            return next((n + 1 for n, j in enumerate(self._queue) if j is job), None)

    def cancel(self, job: Job) -> None:
        with self._lock:
            job.cancel.set()
            if job in self._queue:
                self._queue.remove(job)
                self._finish(job, "cancelled", "cancelled")

    def file(self, job: Job, name: str) -> Path | None:
        """A file of the job's package by its manifest name; None for any other name."""
        if job.state != "done" or not job.package:
            return None
        out = (job.folder / "out").resolve()
        if name == job.package + ".zip":
            archive = out / name
            return archive if archive.is_file() else None
        if name not in job.files:
            return None
        package = out / job.package
        path = (package / name).resolve()
        return path if path.is_relative_to(package) and path.is_file() else None

    def expire(self) -> list[str]:
        """Remove finished jobs older than `keep_days`; returns their ids."""
        cutoff = time.time() - self.keep_days * 86400
        with self._lock:
            old = [j for j in self._jobs.values() if j.finished is not None and j.finished < cutoff]
            for job in old:
                del self._jobs[job.id]
        for job in old:
            shutil.rmtree(job.folder, ignore_errors=True)
        return [j.id for j in old]

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            for job in list(self._queue) + [j for j in self._jobs.values() if j.state == "running"]:
                job.cancel.set()
            self._lock.notify_all()

    def _work(self) -> None:
        while True:
            with self._lock:
                while not self._queue and not self._stopping:
                    self._lock.wait()
                if self._stopping:
                    return
                job = self._queue.popleft()
                job.state, job.started = "running", time.time()
                self._touch(job)
            self._run(job)

    def _run(self, job: Job) -> None:
        def progress(what: str, done: int, total: int) -> None:
            if job.cancel.is_set():
                raise Cancelled
            # Narration reports what it has done in words ("narrating section 2 of 9 · …"): one stage.
            stage = "narrating" if what.startswith(("narrating", "narration estimate")) else what
            with self._lock:
                if stage != job.stage:
                    job.step_started = time.time()
                job.stage, job.done, job.total = stage, done, total
                if stage != what:
                    job.message = what
                job.eta = _eta(job) if total else None
                self._touch(job)

        try:
            options = BuildOptions(**_build_kwargs(job.options, job.folder / "out"))
            result = build(job.folder / "deck.md", options, progress)
        except Cancelled:
            self._finish(job, "cancelled", "cancelled")
        except DeliverError as exc:
            self._finish(job, "failed", str(exc))
        except Exception as exc:  # the page gets one line, as the CLI's last-resort line
            self._finish(job, "failed", f"unexpected {type(exc).__name__}: {exc} (report it)")
        else:
            with self._lock:
                job.files, job.package, job.title = list(result.files), result.folder.name, result.speech.title
            self._finish(job, "done", "")

    def _finish(self, job: Job, state: str, message: str) -> None:
        with self._lock:
            job.state, job.message, job.finished = state, message, time.time()
            job.eta = None
            self._touch(job)
            self._save(job)

    def _touch(self, job: Job) -> None:
        job.version += 1
        self._lock.notify_all()

    def _save(self, job: Job) -> None:
        record = {k: getattr(job, k) for k in ("id", "options", "title", "state", "message", "files", "package")}
        record |= {"created": job.created, "finished": job.finished}
        tmp = job.folder / (RECORD + ".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        tmp.replace(job.folder / RECORD)

    def _load(self) -> None:
        """Jobs of earlier runs: finished ones are reopened; one cut off by a stop is marked so."""
        for record in self.root.glob(f"*/{RECORD}"):
            try:
                data = json.loads(record.read_text(encoding="utf-8"))
                job = Job(data["id"], record.parent, data["options"], title=data.get("title", ""))
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if job.id != record.parent.name or not _ID.match(job.id):
                continue
            job.state, job.message = data.get("state", "failed"), data.get("message", "")
            job.files, job.package = list(data.get("files", [])), data.get("package", "")
            job.created, job.finished = data.get("created", 0.0), data.get("finished") or time.time()
            if job.state in ("queued", "running"):
                job.state, job.message = "cancelled", "stopped when the server stopped"
                self._save(job)  # its end is now: it expires like any finished job
            self._jobs[job.id] = job


def _eta(job: Job) -> float | None:
    """Seconds left, from the pace of the counted step so far."""
    if not job.step_started or job.done <= 0:
        return None
    elapsed = time.time() - job.step_started
    return round(elapsed / job.done * (job.total - job.done), 1)


def check_voice_name(voice: object) -> str | None:
    """A voice named by the page: a name only, never a voice file's path. Raises OptionError."""
    if voice in (None, ""):
        return None
    if not isinstance(voice, str) or re.search(r"[/\\]|\.\.|\.onnx$", voice):
        raise OptionError(f"--voice {voice!r}: give a voice name (see: deliver voices)")
    return voice


def voice_rate(rate: object) -> Prosody:
    """The voice's speed change in percent (0 = its own speed), checked as `--voice-rate` is."""
    if rate in (None, "", 0):
        return Prosody()
    if not isinstance(rate, (int, str)) or not re.fullmatch(r"[+-]?\d{1,3}", str(rate).strip().removesuffix("%")):
        raise OptionError(f"--voice-rate {rate!r}: write it like +10%")
    return parse_prosody(f"{int(str(rate).strip().removesuffix('%')):+d}%", None, None)


def _build_kwargs(options: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    """BuildOptions keywords from the page's choices: a fixed set, a built-in theme by name and a voice
    by name only (a file path from the request would read a file of the server's). Raises OptionError."""
    from deliver.slides import list_themes

    theme = str(options.get("theme") or defaults.THEME)
    if theme not in {name for name, _ in list_themes()}:
        raise OptionError(f"--theme {theme!r}: not a built-in theme (see: deliver themes)")
    voice = check_voice_name(options.get("voice"))
    try:
        target = float(options["target"]) if options.get("target") not in (None, "") else None
    except (TypeError, ValueError):
        raise OptionError(f"--target {options.get('target')!r}: give minutes as a number, e.g. 8") from None
    return {
        "out_dir": out_dir,
        "theme": theme,
        "engine": str(options.get("engine") or defaults.ENGINE),
        "voice": voice,
        "pace": str(options["pace"]) if options.get("pace") else None,
        "target_minutes": target,
        "audio": bool(options.get("audio", True)),
        "prosody": voice_rate(options.get("rate")),
        "deck_fonts": str(options.get("deck_fonts") or defaults.DECK_FONTS),  # BuildOptions checks the choice
        "force": True,
    }
