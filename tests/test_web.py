"""The web app's API over HTTP (Starlette's TestClient): reading, outline/timing, edits, builds with
progress, cancel, downloads, the access token, upload limits and hostile names."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install 'deliver[web]'")

with warnings.catch_warnings():  # Starlette ≥ 1.0 suggests its httpx fork; httpx itself still drives it
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from deliver.web import check_host, create_app, url_of
from deliver.web.app import Settings
from deliver.web.views import safe_name
from tests.conftest import SAMPLE
from tests.fakes import FakeEngine, swapped

SHORT = "关于工作的讲话\n\n同志们：\n\n一、抓好学习\n\n我们要认真学习，深刻领会精神。\n\n二、抓好落实\n\n我们要狠抓落实，务求实效。\n"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(tmp_path / "data", workers=2))) as test_client:
        yield test_client


def read(client: TestClient, data: bytes, name: str = "speech.txt") -> Any:
    return client.post(f"/api/read?name={name}", content=data)


def markdown_of(client: TestClient, text: str = SHORT) -> str:
    response = read(client, text.encode())
    assert response.status_code == 200, response.text
    markdown: str = response.json()["markdown"]
    return markdown


def finish(client: TestClient, job_id: str) -> list[dict[str, Any]]:
    """Every event the build's SSE stream sends, to its end."""
    import json

    events = []
    with client.stream("GET", f"/api/builds/{job_id}/events") as stream:
        for line in stream.iter_lines():
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
    return events


# ---------------------------------------------------------------- the page and reading


def test_the_page_and_its_files_are_served_with_a_policy_that_runs_only_its_own_script(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    for name in ("app.js", "app.css"):
        assert client.get(f"/static/{name}").status_code == 200
    assert client.get("/static/..%2Fapp.py").status_code == 404
    assert "http" not in client.get("/").text.replace("http-equiv", "")  # nothing fetched from elsewhere


def test_the_sample_reads_as_outline_and_timing(client: TestClient) -> None:
    data = read(client, SAMPLE.read_bytes(), "sample.txt").json()
    assert data["outline"]["title"] == "组织部长春节收心会暨组织工作务虚会讲话稿"
    assert data["markdown"].startswith("---\ndeliver: deck 1")
    assert len(data["timing"]["sections"]) == len(data["outline"]["sections"]) >= 3


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16"])
def test_legacy_encodings_read_as_the_cli_reads_them(client: TestClient, encoding: str) -> None:
    data = read(client, SHORT.encode(encoding)).json()
    assert data["outline"]["title"] == "关于工作的讲话"


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"", "empty.txt", "is empty"),
        (b"\x00\x01\x02\x03" * 200, "blob.txt", "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.doc", ".doc"),
    ],
)
def test_bad_uploads_are_refused_with_the_cli_error_line(
    client: TestClient, tmp_path: Path, data: bytes, name: str, words: str
) -> None:
    response = read(client, data, name)
    assert response.status_code == 400
    message = response.json()["error"]
    assert words in message and "Traceback" not in message
    (tmp_path / name).write_bytes(data)
    cli = subprocess.run(
        [sys.executable, "-m", "deliver", "outline", name], cwd=tmp_path, capture_output=True, text=True
    )
    assert cli.stderr.strip() == f"error: {message}"


def test_an_upload_over_the_limit_is_refused(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(tmp_path, max_upload=1000))) as small:
        response = read(small, SHORT.encode() * 20)
        assert response.status_code == 400 and "upload limit" in response.json()["error"]
        assert read(small, SHORT.encode()).status_code == 200


def test_a_path_traversal_file_name_stays_inside_a_fresh_folder(client: TestClient, tmp_path: Path) -> None:
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\win.ini") == "win.ini"
    assert safe_name("../..") == "speech.txt"
    assert safe_name("字/(空 格)!.txt") == "_空 格_.txt"
    assert read(client, SHORT.encode(), "字%2F(空 格)!.txt").status_code == 200
    response = read(client, SHORT.encode(), "..%2F..%2Fescaped.txt")
    assert response.status_code == 200
    assert not list(tmp_path.rglob("escaped.txt"))  # written in a scratch folder, then removed
    assert not (tmp_path.parent / "escaped.txt").exists()


# ---------------------------------------------------------------- outline, timing, edits


def test_the_target_replans_the_cuts(client: TestClient) -> None:
    markdown = markdown_of(client, SAMPLE.read_text(encoding="utf-8"))
    free = client.post("/api/view", json={"markdown": markdown}).json()["timing"]
    tight = client.post("/api/view", json={"markdown": markdown, "target": 3}).json()["timing"]
    assert free["target_seconds"] is None and tight["target_seconds"] == 180
    assert sum(s["cut_seconds"] or 0 for s in tight["sections"]) > 0
    assert (
        client.post("/api/view", json={"markdown": markdown, "target": "soon"}).json()["error"].startswith("--target")
    )


def test_a_headline_edit_is_an_edit_of_the_deck_markdown(client: TestClient) -> None:
    markdown = markdown_of(client)
    edited = client.post(
        "/api/edit", json={"markdown": markdown, "op": {"kind": "headline", "point": 0, "text": "新的标题"}}
    )
    assert edited.status_code == 200
    assert "### 新的标题" in edited.json()["markdown"]
    again = client.post("/api/view", json={"markdown": edited.json()["markdown"]}).json()
    assert again["outline"]["sections"][0]["points"][0]["headline"] == "新的标题"


def test_title_and_meta_edits_reach_the_front_matter(client: TestClient) -> None:
    markdown = markdown_of(client)
    for op in ({"kind": "title", "text": "新标题"}, {"kind": "meta", "key": "speaker", "text": "张三"}):
        markdown = client.post("/api/edit", json={"markdown": markdown, "op": op}).json()["markdown"]
    view = client.post("/api/view", json={"markdown": markdown}).json()
    assert view["outline"]["title"] == "新标题" and view["meta"]["speaker"] == "张三"


def test_a_meta_edit_keeps_the_fields_the_page_does_not_show(client: TestClient) -> None:
    markdown = markdown_of(client).replace("language: zh\n", "language: zh\nsubtitle: 一年的回顾\n", 1)
    for text in ("张三", ""):  # set, then emptied: the subtitle stays both times
        op = {"kind": "meta", "key": "speaker", "text": text}
        markdown = client.post("/api/edit", json={"markdown": markdown, "op": op}).json()["markdown"]
        assert "subtitle: 一年的回顾" in markdown
        assert ("speaker: 张三" in markdown) is bool(text)


def test_merge_split_and_part_breaks_change_the_slides(client: TestClient) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    markdown = markdown_of(client, text)

    def counts(md: str) -> list[int]:
        return [len(s["points"]) for s in client.post("/api/view", json={"markdown": md}).json()["outline"]["sections"]]

    before = counts(markdown)

    def edit(kind: str, point: int = 0) -> Any:
        return client.post("/api/edit", json={"markdown": markdown, "op": {"kind": kind, "point": point}}).json()

    assert counts(edit("merge")["markdown"]) == [before[0] - 1, *before[1:]]
    assert counts(edit("split", 1)["markdown"]) == [before[0] + 1, *before[1:]]
    assert "nothing to split" in edit("split", 0)["error"]  # the opening slide is one long sentence
    broken = client.post("/api/edit", json={"markdown": markdown, "op": {"kind": "break", "point": 1}}).json()
    assert counts(broken["markdown"]) == [1, before[0] - 1, *before[1:]]
    joined = client.post("/api/edit", json={"markdown": broken["markdown"], "op": {"kind": "break", "point": 1}})
    assert counts(joined.json()["markdown"]) == before


@pytest.mark.parametrize(
    "op",
    [{"kind": "headline", "point": 99, "text": "x"}, {"kind": "headline", "point": 0, "text": "  "},
     {"kind": "meta", "key": "__class__", "text": "x"}, {"kind": "rm -rf"}, "not an object"],
)  # fmt: skip
def test_bad_edits_are_refused_in_one_line(client: TestClient, op: Any) -> None:
    response = client.post("/api/edit", json={"markdown": markdown_of(client), "op": op})
    assert response.status_code == 400 and "\n" not in response.json()["error"]


def test_a_broken_deck_markdown_gets_its_line_number(client: TestClient) -> None:
    bad = "---\ndeliver: deck 1\nlanguage: zh\n---\n\n# 标题\n\n### 没有部分的幻灯片\n\n话。\n"
    response = client.post("/api/view", json={"markdown": bad})
    assert response.status_code in (200, 400)
    assert client.post("/api/view", content=b"{not json").json()["error"] == "the request is not JSON"


def test_themes_come_with_their_colours(client: TestClient) -> None:
    themes = client.get("/api/themes").json()["themes"]
    assert "default" in {t["name"] for t in themes}
    assert all(len(t["colors"]["background"] or "FFFFFF") == 6 for t in themes)


# ---------------------------------------------------------------- builds


def test_a_build_streams_progress_to_the_end_and_its_files_download(client: TestClient) -> None:
    with swapped(espeak=FakeEngine(name="espeak", delay=0.3)):
        text = SHORT.replace("务求实效", f"务求实效{time.time_ns()}")  # never in the synthesis cache: narration is seen
        job = client.post("/api/builds", json={"markdown": markdown_of(client, text), "engine": "espeak"}).json()
        events = finish(client, job["id"])
    assert events[-1]["state"] == "done", events[-1]
    assert any(e["stage"] == "narrating" and e["total"] > 0 for e in events)
    done = events[-1]
    assert {"deck.pptx", "deck-narrated.pptx", "audio/speech.mp3", "subtitles/speech.srt", "rehearsal.html"} <= set(
        done["files"]
    )
    archive = client.get(f"/api/builds/{job['id']}/files/{done['zip']}?download=1")
    assert archive.status_code == 200 and "attachment" in archive.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert any(n.endswith("deck.pptx") for n in names)
    from pptx import Presentation

    deck = client.get(f"/api/builds/{job['id']}/files/deck.pptx")
    assert len(Presentation(io.BytesIO(deck.content)).slides) >= 3
    assert client.get(f"/api/builds/{job['id']}/files/../job.json").status_code == 404
    assert client.get(f"/api/builds/{job['id']}/files/deck.md").status_code == 404  # not a package file


def test_a_bad_build_option_is_refused_before_queueing(client: TestClient) -> None:
    markdown = markdown_of(client)
    for options in ({"theme": "/etc/passwd"}, {"theme": "../themes/x.toml"}, {"engine": "nope"},
                    {"voice": "../../voice.onnx"}, {"pace": "warp"}, {"deck_fonts": "linux"}):  # fmt: skip
        response = client.post("/api/builds", json={"markdown": markdown, "audio": False, **options})
        assert response.status_code == 400, options
        assert response.json()["error"].startswith(("--theme", "--engine", "--voice", "--pace", "--deck-fonts"))


def test_the_deck_fonts_choice_reaches_the_deck(client: TestClient) -> None:
    markdown = markdown_of(client)
    for choice in ("windows", "installed"):
        job = client.post("/api/builds", json={"markdown": markdown, "audio": False, "deck_fonts": choice}).json()
        assert finish(client, job["id"])[-1]["state"] == "done"
        manifest = client.get(f"/api/builds/{job['id']}/files/manifest.json").json()
        assert manifest["options"]["deck_fonts"] == choice


def test_a_cancelled_build_leaves_no_package(client: TestClient, tmp_path: Path) -> None:
    slow = FakeEngine(name="espeak", delay=0.3)
    with swapped(espeak=slow):
        text = SHORT.replace("务求实效", f"务求实效{time.time_ns()}")  # never in the synthesis cache
        job = client.post("/api/builds", json={"markdown": markdown_of(client, text), "engine": "espeak"}).json()
        while client.get(f"/api/builds/{job['id']}").json()["state"] == "queued":
            time.sleep(0.05)
        assert client.post(f"/api/builds/{job['id']}/cancel").status_code == 200
        events = finish(client, job["id"])
    assert events[-1]["state"] == "cancelled"
    out = next((tmp_path / "data" / "jobs").glob(f"{job['id']}/out"), None)
    leftovers = [p.name for p in out.iterdir()] if out else []
    assert [name for name in leftovers if not name.startswith(".")] == []  # no package, no zip
    assert client.get(f"/api/builds/{job['id']}/files/deck.pptx").status_code == 404


def test_a_queued_build_shows_its_position_and_can_be_cancelled(tmp_path: Path) -> None:
    with (
        TestClient(create_app(Settings(tmp_path, workers=1))) as one,
        swapped(espeak=FakeEngine(name="espeak", delay=0.3)),
    ):
        first = one.post("/api/builds", json={"markdown": markdown_of(one, SHORT + "第一"), "engine": "espeak"}).json()
        second = one.post("/api/builds", json={"markdown": markdown_of(one, SHORT + "第二"), "engine": "espeak"}).json()
        assert second["position"] in (1, 2)
        assert one.post(f"/api/builds/{second['id']}/cancel").json()["state"] == "cancelled"
        one.post(f"/api/builds/{first['id']}/cancel")
        assert finish(one, first["id"])[-1]["state"] == "cancelled"


def test_two_users_build_the_same_speech_at_once_each_in_their_own_folder(client: TestClient) -> None:
    markdown = markdown_of(client)
    with swapped(espeak=FakeEngine(name="espeak", delay=0.02)):
        a = client.post("/api/builds", json={"markdown": markdown, "engine": "espeak"}).json()
        b = client.post("/api/builds", json={"markdown": markdown, "engine": "espeak", "theme": "dark"}).json()
        ends = [finish(client, a["id"])[-1], finish(client, b["id"])[-1]]
    assert [e["state"] for e in ends] == ["done", "done"], ends
    listed = client.get(f"/api/builds?ids={a['id']}").json()["builds"]
    assert [x["id"] for x in listed] == [a["id"]]  # a user sees only the builds whose ids they hold
    assert client.get("/api/builds").json()["builds"] == []
    assert client.get("/api/builds/nosuchbuild0000000000").status_code == 404
    assert client.get("/api/builds/..%2F..%2Fetc").status_code == 404


def test_a_finished_build_is_reopened_after_a_restart_and_removed_when_old(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(tmp_path))) as first:
        job = first.post("/api/builds", json={"markdown": markdown_of(first), "audio": False}).json()
        assert finish(first, job["id"])[-1]["state"] == "done"
    with TestClient(create_app(Settings(tmp_path))) as again:
        assert again.get(f"/api/builds/{job['id']}").json()["state"] == "done"
        assert again.get(f"/api/builds/{job['id']}/files/deck.pptx").status_code == 200
    with TestClient(create_app(Settings(tmp_path, keep_days=1e-9))) as later:
        assert later.get(f"/api/builds/{job['id']}").status_code == 404
    assert not (tmp_path / "jobs" / job["id"]).exists()


# ---------------------------------------------------------------- the access token


def test_an_office_server_needs_its_token(tmp_path: Path) -> None:
    token = "s3cret-office-token"
    with TestClient(create_app(Settings(tmp_path, token=token))) as office:
        missing = office.get("/")
        assert missing.status_code == 401 and "token" in missing.json()["error"]
        assert office.get("/?token=wrong-token").json()["error"] == "wrong access token"
        assert office.post("/api/read", content=b"x", headers={"x-deliver-token": "nope"}).status_code == 401
        assert office.get(f"/?token={token}").status_code == 200  # sets the cookie the page then uses
        assert office.get("/api/themes").status_code == 200
    with TestClient(create_app(Settings(tmp_path, token=token))) as fresh:
        assert fresh.get("/api/themes", headers={"x-deliver-token": token}).status_code == 200


def test_a_non_local_host_always_gets_a_token() -> None:
    assert check_host("127.0.0.1", None) is None
    made = check_host("0.0.0.0", None)
    assert made is not None and len(made) >= 16
    assert check_host("0.0.0.0", "my-long-token") == "my-long-token"
    with pytest.raises(Exception, match="--token"):
        check_host("0.0.0.0", "short")
    assert url_of("0.0.0.0", 8080, made) == f"http://127.0.0.1:8080/?token={made}"


# ---------------------------------------------------------------- the voice sample


def test_the_voice_sample_speaks_the_first_sentences_of_the_speech(client: TestClient) -> None:
    fake = FakeEngine(name="espeak")
    with swapped(espeak=fake):
        response = client.post("/api/sample", json={"markdown": markdown_of(client), "engine": "espeak", "rate": "10"})
    assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
    assert response.content[:4] == b"RIFF"
    (said,) = fake.calls  # what the narration says first, up to about five seconds (24 字)
    assert said.startswith("一、抓好学习\n我们要认真学习，深刻领会精神。") and "务求实效" in said


@pytest.mark.parametrize("options", [{"engine": "nope"}, {"voice": "/tmp/x.onnx"}, {"rate": "fast"}, {"rate": "+500"}])
def test_a_bad_voice_choice_is_refused_in_one_line(client: TestClient, options: dict[str, str]) -> None:
    response = client.post("/api/sample", json={"markdown": markdown_of(client), **options})
    assert response.status_code == 400
    assert response.json()["error"].startswith(("--engine", "--voice", "--voice-rate", "--rate"))


def test_serve_refuses_bad_options_in_one_line() -> None:
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    busy = str(taken.getsockname()[1])
    cases = (["--port", "99999"], ["--host", "0.0.0.0", "--token", "short"], ["--jobs", "-1"], ["--port", busy],
             ["--host", "192.0.2.123"])  # fmt: skip
    for args in cases:
        run = subprocess.run(
            [sys.executable, "-m", "deliver", "serve", "--no-browser", *args], capture_output=True, text=True
        )
        assert run.returncode != 0 and run.stderr.startswith("error: ") and run.stderr.count("\n") == 1, run.stderr
    taken.close()


def test_a_docx_upload_reads_with_its_headings(client: TestClient, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("关于学习的讲话", level=0)
    document.add_paragraph("同志们：")
    for title, words in (
        ("一、抓好学习", "我们要认真学习，深刻领会精神。"),
        ("二、抓好落实", "我们要狠抓落实，务求实效。"),
    ):
        document.add_heading(title, level=1)
        document.add_paragraph(words)
    path = tmp_path / "讲话.docx"
    document.save(str(path))
    data = read(client, path.read_bytes(), "讲话.docx").json()
    assert data["outline"]["title"] == "关于学习的讲话"
    assert [s["title"] for s in data["outline"]["sections"]][-2:] == ["一、抓好学习", "二、抓好落实"]


def test_an_unexpected_failure_is_one_line_not_a_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from deliver.web import views

    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(views, "view", broken)
    with TestClient(create_app(Settings(tmp_path)), raise_server_exceptions=False) as plain:
        response = plain.post("/api/view", json={"markdown": "x"})
        assert response.status_code == 500
        assert response.json() == {"error": "unexpected RuntimeError: disk on fire (report it)"}
        missing = plain.get("/no/such/page")
        assert missing.status_code == 404 and "error" in missing.json()
        assert plain.delete("/api/themes").status_code == 405


def test_voices_are_listed_per_language_and_engine(client: TestClient) -> None:
    with swapped(espeak=FakeEngine(name="espeak")):
        voices = client.get("/api/voices?lang=zh&engine=espeak").json()["voices"]
    assert [(v["engine"], v["name"], v["status"]) for v in voices] == [("espeak", "espeak-zh", "ready")]
    assert client.get("/api/voices?lang=fr").json()["error"].startswith("--lang")
    assert client.get("/api/voices?lang=zh&engine=nope").json()["error"].startswith("--engine")


def test_a_downloaded_deck_markdown_edited_by_hand_uploads_as_written(client: TestClient) -> None:
    markdown = client.post(
        "/api/edit",
        json={"markdown": markdown_of(client), "op": {"kind": "headline", "point": 1, "text": "页面里改的"}},
    ).json()["markdown"]
    by_hand = markdown.replace("### 页面里改的", "### 文件里改的")
    data = read(client, by_hand.encode(), "deck.md").json()
    assert data["markdown"] == by_hand  # read back and written again: the same file
    assert [p["headline"] for s in data["outline"]["sections"] for p in s["points"]][1] == "文件里改的"


def test_a_build_cut_off_by_a_stop_reopens_as_cancelled(tmp_path: Path) -> None:
    import json

    folder = tmp_path / "jobs" / "cutoffcutoffcutoff00"
    folder.mkdir(parents=True)
    record = {"id": folder.name, "options": {}, "title": "讲话", "state": "running", "finished": None, "created": 1.0}
    (folder / "job.json").write_text(json.dumps(record), encoding="utf-8")
    (tmp_path / "jobs" / "not-a-job").mkdir()  # a folder without a record is not a build
    with TestClient(create_app(Settings(tmp_path))) as again:
        job = again.get(f"/api/builds/{folder.name}").json()
        assert job["state"] == "cancelled" and job["message"] == "stopped when the server stopped"
    assert json.loads((folder / "job.json").read_text(encoding="utf-8"))["finished"] is not None
