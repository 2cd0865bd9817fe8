"""The web app's routes (Starlette): the page and its files, reading an upload, outline + timing of a deck
Markdown, edits, themes, and builds (queue, progress over SSE, cancel, files). Every error reaches the
page as the CLI's one-line message in JSON {"error": …}; never a trace."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from deliver.errors import DeliverError, InputError
from deliver.model import Language
from deliver.voices import check_engine_name
from deliver.web import views
from deliver.web.jobs import Job, Jobs, check_voice_name, voice_rate

STATIC = {"": ("index.html", "text/html"), "app.js": ("app.js", "text/javascript"),
          "app.css": ("app.css", "text/css")}  # fmt: skip
"""Every file the page is made of (shipped in deliver/web/static): nothing fetched from anywhere else."""
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
          "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'")  # fmt: skip
"""The page may run only its own script: speech text shown as text can never become markup that runs."""
PACKAGE_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                  "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; "
                  "base-uri 'none'")  # fmt: skip
"""A package's own files (the rehearsal page inlines its script and data, as it must to work offline from a
folder): still nothing fetched from outside this server."""
COOKIE = "deliver_token"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    token: str | None = None
    max_upload: int = 5 * 2**20
    workers: int = 1
    queue_limit: int = 20
    keep_days: float = 7.0


def error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def create_app(settings: Settings) -> Starlette:
    jobs = Jobs(settings.data_dir / "jobs", settings.workers, settings.queue_limit, settings.keep_days)
    scratch = settings.data_dir / "uploads"
    routes = [
        Route("/", _page, methods=["GET"]),
        Route("/static/{name}", _page, methods=["GET"]),
        Route("/api/read", _read, methods=["POST"]),
        Route("/api/view", _view, methods=["POST"]),
        Route("/api/edit", _edit, methods=["POST"]),
        Route("/api/themes", _themes, methods=["GET"]),
        Route("/api/sample", _sample, methods=["POST"]),
        Route("/api/voices", _voices, methods=["GET"]),
        Route("/api/builds", _submit, methods=["POST"]),
        Route("/api/builds", _list, methods=["GET"]),
        Route("/api/builds/{id}", _status, methods=["GET"]),
        Route("/api/builds/{id}/events", _events, methods=["GET"]),
        Route("/api/builds/{id}/cancel", _cancel, methods=["POST"]),
        Route("/api/builds/{id}/files/{name:path}", _file, methods=["GET"]),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        threading.Thread(target=views.warm_up, args=(scratch,), daemon=True, name="warm-up").start()
        yield
        jobs.stop()

    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(BaseHTTPMiddleware, dispatch=_guard)])
    app.state.jobs, app.state.settings, app.state.scratch = jobs, settings, scratch
    app.add_exception_handler(DeliverError, _deliver_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_exception_handler(404, _not_found)
    app.add_exception_handler(405, _not_allowed)
    return app


async def _guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """The access token (office server), then the page's security headers on every answer."""
    token: str | None = request.app.state.settings.token
    given = request.query_params.get("token") or request.headers.get("x-deliver-token") or request.cookies.get(COOKIE)
    if token is not None and not (given and secrets.compare_digest(given.encode(), token.encode())):
        reason = "this server needs its access token: open the link with ?token=… that `deliver serve` printed"
        return error(reason if not given else "wrong access token", 401)
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if token is not None and request.query_params.get("token"):
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
    return response


async def _deliver_error(request: Request, exc: Exception) -> Response:
    return error(str(exc))


async def _unexpected(request: Request, exc: Exception) -> Response:
    return error(f"unexpected {type(exc).__name__}: {exc} (report it)", 500)


async def _not_found(request: Request, exc: Exception) -> Response:
    return error("not found (a build is only found by its own link)", 404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return error("method not allowed", 405)


async def _page(request: Request) -> Response:
    name = request.path_params.get("name", "")
    if name not in STATIC:
        return error("not found", 404)
    file, kind = STATIC[name]
    body = resources.files("deliver.web").joinpath("static", file).read_bytes()
    return Response(body, media_type=kind, headers={"Cache-Control": "no-cache"})


async def _body(request: Request) -> bytes:
    """The request body, refused past the upload limit before it is all read."""
    limit: int = request.app.state.settings.max_upload
    too_big = InputError(f"larger than the upload limit of {limit / 2**20:g} MB; that is not a speech")
    if int(request.headers.get("content-length") or 0) > limit:
        raise too_big
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise too_big
    return bytes(data)


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await _body(request))
    except (ValueError, UnicodeDecodeError):
        raise InputError("the request is not JSON") from None
    if not isinstance(data, dict):
        raise InputError("the request is not a JSON object")
    return data


def _markdown(data: dict[str, Any]) -> str:
    markdown = data.get("markdown")
    if not isinstance(markdown, str):
        raise InputError("no deck Markdown in the request")
    return markdown


def _target(data: dict[str, Any]) -> float | None:
    raw = data.get("target")
    if raw in (None, ""):
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise InputError(f"--target {raw!r}: give minutes as a number, e.g. 8") from None


async def _read(request: Request) -> Response:
    """The raw body is the file (its name in ?name=); pasted text comes as a .txt."""
    data = await _body(request)
    name = request.query_params.get("name") or "speech.txt"
    markdown = await asyncio.to_thread(views.read_upload, data, name, request.app.state.scratch)
    return JSONResponse(await asyncio.to_thread(views.view, markdown, None, None))


async def _view(request: Request) -> Response:
    data = await _json(request)
    pace = str(data["pace"]) if data.get("pace") else None
    return JSONResponse(await asyncio.to_thread(views.view, _markdown(data), _target(data), pace))


async def _edit(request: Request) -> Response:
    data = await _json(request)
    op = data.get("op")
    if not isinstance(op, dict):
        raise InputError("no edit in the request")
    markdown = await asyncio.to_thread(views.edit, _markdown(data), op)
    pace = str(data["pace"]) if data.get("pace") else None
    return JSONResponse(await asyncio.to_thread(views.view, markdown, _target(data), pace))


async def _themes(request: Request) -> Response:
    from dataclasses import asdict

    from deliver.slides import list_themes, load_theme

    found = []
    for name, description in list_themes():
        try:
            colors = asdict(load_theme(name).palette)
        except DeliverError:
            continue
        found.append({"name": name, "description": description, "colors": colors})
    return JSONResponse({"themes": found})


async def _voices(request: Request) -> Response:
    """The voices of every engine (or one) for a language, and whether each is ready here (`deliver voices`)."""
    from deliver.pipeline import engine_folders
    from deliver.voices import voice_table

    asked = request.query_params.get("lang")
    languages: dict[str | None, Language] = {"zh": "zh", "en": "en"}
    if asked not in languages:
        raise InputError(f"--lang {asked!r}: choose zh or en")
    language = languages[asked]
    engine = check_engine_name(request.query_params.get("engine") or "auto")
    rows = await asyncio.to_thread(voice_table, engine_folders(), None if engine == "auto" else engine, language)
    keys = ("engine", "name", "language", "label", "status")
    return JSONResponse({"voices": [dict(zip(keys, row, strict=True)) for row in rows if row[1]]})


async def _sample(request: Request) -> Response:
    """A few seconds of the speech's first sentences in the chosen voice (no build, nothing stored)."""
    data = await _json(request)
    speech, _settings = await asyncio.to_thread(views.parse_deck, _markdown(data))
    engine = str(data.get("engine") or "auto")
    check_engine_name(engine)
    rate = voice_rate(data.get("rate")).rate
    voice = check_voice_name(data.get("voice"))
    # in a thread with its own loop, as narration runs: an engine that blocks never stalls the server
    audio, kind = await asyncio.to_thread(asyncio.run, views.sample(speech, engine, voice, rate))
    return Response(audio, media_type=kind, headers={"Cache-Control": "no-store"})


async def _submit(request: Request) -> Response:
    data = await _json(request)
    markdown = _markdown(data)
    speech, _settings = await asyncio.to_thread(views.parse_deck, markdown)
    keys = ("theme", "engine", "voice", "pace", "target", "audio", "rate", "deck_fonts")
    job = request.app.state.jobs.submit(markdown, speech.title, {k: data[k] for k in keys if k in data})
    return JSONResponse(_public(request, job))


def _job(request: Request) -> Job:
    job: Job | None = request.app.state.jobs.get(request.path_params["id"])
    if job is None:
        raise _NoJob
    return job


class _NoJob(InputError):
    def __init__(self) -> None:
        super().__init__("no such build here (it may have expired)")


def _public(request: Request, job: Job) -> dict[str, Any]:
    public: dict[str, Any] = job.public(request.app.state.jobs.position(job))
    return public


async def _list(request: Request) -> Response:
    """The builds whose ids the page remembers (?ids=a,b): a build is never listed to anyone without its id."""
    wanted = [i for i in request.query_params.get("ids", "").split(",") if i][:100]
    found = [request.app.state.jobs.get(i) for i in wanted]
    return JSONResponse({"builds": [_public(request, j) for j in found if j is not None]})


async def _status(request: Request) -> Response:
    try:
        return JSONResponse(_public(request, _job(request)))
    except _NoJob as exc:
        return error(str(exc), 404)


async def _cancel(request: Request) -> Response:
    try:
        job = _job(request)
    except _NoJob as exc:
        return error(str(exc), 404)
    request.app.state.jobs.cancel(job)
    return JSONResponse(_public(request, job))


async def _events(request: Request) -> Response:
    """Server-sent events: the job's state each time it changes, until it is finished."""
    try:
        job = _job(request)
    except _NoJob as exc:
        return error(str(exc), 404)

    async def stream() -> AsyncIterator[str]:
        version = -1
        while True:
            if job.version != version:
                version = job.version
                yield f"data: {json.dumps(_public(request, job), ensure_ascii=False)}\n\n"
                if job.state in ("done", "failed", "cancelled"):
                    return
            # polled, not waited on in a thread: many open pages must not use up the worker threads
            await asyncio.sleep(0.2)
            if await request.is_disconnected():
                return

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


async def _file(request: Request) -> Response:
    try:
        job = _job(request)
    except _NoJob as exc:
        return error(str(exc), 404)
    path = request.app.state.jobs.file(job, request.path_params["name"])
    if path is None:
        return error("no such file in this build", 404)
    download = request.query_params.get("download") == "1"
    return FileResponse(path, filename=path.name if download else None, headers={"Content-Security-Policy": PACKAGE_POLICY},
                        content_disposition_type="attachment" if download else "inline")  # fmt: skip
