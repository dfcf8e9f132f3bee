"""The HTTP service: every endpoint, every error, limits, CORS and privacy, on apps built by `create_app`."""

import json
import logging
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from litestar.testing import TestClient
from servers import ROOT, running_service
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from model.artifact import ARTIFACT_DIR
from service.app import StartupError, create_app
from service.settings import EXTENSION_ORIGIN, Settings

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
CLINIC = (FIXTURES / "clinic_overclaim.html").read_text()
HOSPITAL = (FIXTURES / "hospital_careful.html").read_text()
PROBLEM_KEYS = {"type", "title", "status", "detail"}


def client(**settings) -> TestClient:
    data_dir = Path(tempfile.mkdtemp(prefix="stemclaim-test-"))
    return TestClient(create_app(Settings(**{"scoring_workers": 1, "data_dir": data_dir, **settings})))


@pytest.fixture(scope="module")
def api():
    with client(cors_origins=(EXTENSION_ORIGIN, "https://triage.example")) as c:
        yield c


def is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert set(body) == PROBLEM_KEYS and body["status"] == status
    return body


def test_health_criteria_model_and_openapi(api):
    health = api.get("/health").json()
    model = api.get("/v1/model").json()
    assert health == {"service": "stemclaim", "status": "ok", "model_version": model["version"],
                      "checks": {"scoring": "ok", "store": "ok"}}
    assert len(model["sha256"]) == 64 and model["rubric_version"] == "1"
    assert {"hit", "applicable", "moderate", "high"} == set(model["thresholds"])
    assert "spearman" in model["metrics"] and "scikit_learn" in model["trained_with"]
    # the figures to quote are the real pages', with their intervals, and each criterion's record there
    manifest = json.loads((ROOT / "model" / "artifacts" / "manifest.json").read_text("utf-8"))
    real = model["real_pages"]
    assert real["pages"] == manifest["metrics"]["real"]["pages"]
    assert real["metrics"]["spearman"] == manifest["metrics"]["real"]["spearman"]
    low, high = real["intervals"]["spearman"]
    assert low <= real["metrics"]["spearman"] <= high
    assert real["readers"] == manifest["metrics"]["real_readers"]  # a second careful reader's figures, for scale
    assert real["readers"]["spearman"] > real["metrics"]["spearman"]
    record = real["criteria"]["cure_claim"]
    assert set(real["criteria"]) == {c["id"] for c in api.get("/v1/criteria").json()["criteria"]}
    assert record == {k: manifest["metrics"]["real"]["per_criterion"]["cure_claim"][k]
                      for k in ("labelled", "named", "precision", "recall")}
    rubric = api.get("/v1/criteria").json()
    assert len(rubric["criteria"]) == 16 and rubric["rubric_version"] == "1"
    assert all(c["description"] and c["sources"] for c in rubric["criteria"])
    assert "not a finding that the provider broke any law" in rubric["disclaimer"]
    spec = api.get("/schema/openapi.json").json()
    assert {"/v1/assess", "/v1/assess/batch", "/v1/criteria", "/v1/model", "/health"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["regulatorToken"] == {
        "type": "http", "scheme": "bearer", "description": "A regulator's token from `stemclaim tokens create`"}
    assert spec["paths"]["/v1/reports"]["get"]["security"] == [{"regulatorToken": []}]
    assess = spec["paths"]["/v1/assess"]["post"]
    assert {"application/json", "text/html"} == set(assess["requestBody"]["content"])
    assert {"200", "400", "413", "415", "422", "429", "503"} <= set(assess["responses"])
    # Problem examples are real problems of their status, each type a page the service serves; none are random.
    assert "examples" not in spec["components"]["schemas"]["Problem"]
    for status, response in assess["responses"].items():
        if status == "200":
            continue
        [example] = response["content"]["application/problem+json"]["examples"].values()
        value = example["value"]
        assert value["status"] == int(status) and value["type"] == f"/problems/{example['summary']}"
        assert api.get(value["type"]).status_code == 200 and value["detail"].endswith(".")



def test_api_docs_page_loads_everything_from_the_service_itself(api):
    import re

    page = api.get("/schema")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    references = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(references) >= 4 and not [r for r in references if "//" in r]  # no CDN, no fonts from outside
    for reference in references:
        asset = api.get(reference)
        assert asset.status_code == 200 and len(asset.content) > 100, reference
    assert "/schema/assets" not in str(api.get("/schema/openapi.json").json()["paths"])

def test_assess_json_strips_query_and_fragment(api):
    body = api.post("/v1/assess", json={"html": CLINIC, "url": "https://Clinic.example/ms?utm=1&id=2#top"}).json()
    assert body["url"] == "https://clinic.example/ms"  # host names are case-insensitive: kept in lower case
    assert body["level"] == "high" and body["applicable"] is True
    assert {"score", "grade", "criteria", "headline", "summary", "text_length", "model"} <= set(body)
    cure = next(c for c in body["criteria"] if c["id"] == "cure_claim")
    assert cure["hit"] and cure["evidence"]


def test_assess_raw_html_with_url_query_parameter(api):
    response = api.post("/v1/assess?url=http://h.example/p?x=1", content=HOSPITAL.encode(),
                        headers={"content-type": "text/html; charset=utf-8"})
    assert response.status_code == 200
    assert response.json()["level"] == "low" and response.json()["url"] == "http://h.example/p"


def test_raw_html_honours_meta_charset(api):
    page = b'<html><head><meta charset="windows-1252"></head><body><p>Stem cells \x93cure\x94 MS</p></body></html>'
    response = api.post("/v1/assess", content=page, headers={"content-type": "text/html"})
    assert response.json()["text_length"] == len("Stem cells \u201ccure\u201d MS")


@pytest.mark.parametrize("charset", ["idna", "punycode", "rot13", "no-such-charset"])
def test_a_charset_that_is_not_a_text_encoding_falls_back_to_the_page(api, charset):
    page = b'<html><head><meta charset="windows-1252"></head><body><p>Stem cells \x93cure\x94 MS</p></body></html>'
    response = api.post("/v1/assess", content=page, headers={"content-type": f"text/html; charset={charset}"})
    assert response.status_code == 200
    assert response.json()["text_length"] == len("Stem cells \u201ccure\u201d MS")


@pytest.mark.parametrize(
    ("body", "content_type", "status", "fragment"),
    [
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b'{"url": "https://a.example"}', "application/json", 422, "missing required field `html`"),
        (b'{"html": 42}', "application/json", 422, "Expected `str`"),
        (b'{"html": "<p>x</p>", "extra": 1}', "application/json", 422, "unknown field"),
        (b'["<p>x</p>"]', "application/json", 422, "Expected `object`"),
        (b'{"html": "<p>x</p>", "url": "javascript:alert(1)"}', "application/json", 422, "http or https"),
        (b'{"html": "<p>x</p>", "url": "not a url"}', "application/json", 422, "http or https"),
        (b"\x00\x01binary\x00" * 50, "text/html", 422, "binary"),
        (b'{"html": "' + b"\\u0000\\u0001binary" * 50 + b'"}', "application/json", 422, "binary"),
        (b"hello", "text/plain", 415, "Send JSON"),
        (b"hello", "application/x-www-form-urlencoded", 415, "Send JSON"),
    ],
    ids=["malformed", "missing-html", "wrong-type", "unknown-field", "array", "js-url", "bad-url", "binary",
         "binary-in-json", "plain", "form"],
)
def test_bad_single_requests_get_problems(api, body, content_type, status, fragment):
    detail = is_problem(api.post("/v1/assess", content=body, headers={"content-type": content_type}), status)["detail"]
    assert fragment in detail


def test_batch_keeps_order_and_isolates_failures(api):
    pages = [{"html": CLINIC, "url": "https://a.example/1?x"}, {"html": "<p>x</p>", "url": "ftp://nope"},
             {"html": HOSPITAL}]
    results = api.post("/v1/assess/batch", json={"pages": pages}).json()["results"]
    assert [r["outcome"] for r in results] == ["assessment", "problem", "assessment"]
    assert results[0]["level"] == "high" and results[0]["url"] == "https://a.example/1"
    assert results[1]["status"] == 422 and set(results[1]) == PROBLEM_KEYS | {"outcome"}
    assert results[2]["level"] == "low"


@pytest.mark.parametrize(
    ("payload", "status"),
    [({"pages": [{"html": "<p>x</p>"}] * 21}, 422), ({"pages": []}, 422), ({"pages": [{"url": "x"}]}, 422),
     ({"page": []}, 422)],
    ids=["over-20", "empty", "missing-html", "wrong-key"],
)
def test_bad_batches_get_problems(api, payload, status):
    is_problem(api.post("/v1/assess/batch", json=payload), status)


def test_batch_needs_json(api):
    is_problem(api.post("/v1/assess/batch", content=b"<p>x</p>", headers={"content-type": "text/html"}), 415)


def test_unknown_path_and_method_are_problems(api):
    is_problem(api.get("/v1/nothing"), 404)
    is_problem(api.get("/v1/assess"), 405)


def test_cors_allows_only_configured_origins(api):
    allowed = api.options("/v1/assess", headers={"Origin": EXTENSION_ORIGIN, "Access-Control-Request-Method": "POST"})
    assert allowed.headers["access-control-allow-origin"] == EXTENSION_ORIGIN
    other = api.options("/v1/assess", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in other.headers
    simple = api.post("/v1/assess", json={"html": "<p>x</p>"}, headers={"Origin": "https://triage.example"})
    assert simple.headers["access-control-allow-origin"] == "https://triage.example"
    assert "*" not in simple.headers.get("access-control-allow-origin", "")


@pytest.mark.parametrize("url", ["https://evil\x1b[31m.example/p", "https://a\x7fb.example/p",
                                 "https://x.example/%0A%1Bforged"])
def test_control_characters_never_reach_the_log_raw(api, caplog, url):
    with caplog.at_level(logging.DEBUG):
        api.post("/v1/assess", json={"html": "<p>Stem cells for MS</p>", "url": url})
        api.post("/v1/assess%1B%0Aforged", json={"html": "<p>x</p>"})
    for record in caplog.records:
        message = record.getMessage()
        assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in message), repr(message)


def test_page_text_is_never_logged(api, caplog):
    marker = "Zyxwv stem cells cure multiple sclerosis for quokka patients."
    with caplog.at_level(logging.DEBUG):
        api.post("/v1/assess", json={"html": f"<p>{marker}</p>", "url": "https://private.example/p?token=secret"})
        api.post("/v1/assess", content=f"<p>{marker}</p>".encode(), headers={"content-type": "text/html"})
        api.post("/v1/assess", content=b'{"html": "Zyxwv', headers={"content-type": "application/json"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /v1/assess 200" in logged and "host=private.example" in logged
    assert "Zyxwv" not in logged and "quokka" not in logged and "secret" not in logged


def test_body_over_the_limit_is_413():
    with client(max_body_bytes=10_000) as c:
        body = is_problem(c.post("/v1/assess", content=b"<p>x</p>" * 5000, headers={"content-type": "text/html"}), 413)
        assert body["title"] == "Request Entity Too Large" and "limit of 10,000 bytes" in body["detail"]
        assert c.post("/v1/assess", content=b"<p>x</p>" * 100, headers={"content-type": "text/html"}).status_code == 200


@pytest.mark.slow
def test_rate_limit_is_429_with_retry_after():
    with client(rate_limit_per_minute=3) as c:
        codes = [c.post("/v1/assess", json={"html": "<p>x</p>"}).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        limited = c.post("/v1/assess/batch", json={"pages": [{"html": "<p>x</p>"}]})
        is_problem(limited, 429)
        assert int(limited.headers["retry-after"]) >= 1
        assert c.get("/health").status_code == 200  # reading endpoints are not limited


def test_health_is_503_naming_the_store_when_it_is_down(api, monkeypatch):
    broken = sessionmaker(create_engine("sqlite:////nonexistent-dir/stemclaim.db"))
    monkeypatch.setattr(api.app.state, "sessions", broken)
    response = api.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable" and response.json()["checks"] == {"scoring": "ok",
                                                                                         "store": "unavailable"}


def test_a_batch_costs_one_rate_limit_token_per_page():
    page = {"html": "<p>x</p>"}
    with client(rate_limit_per_minute=5) as c:
        assert c.post("/v1/assess/batch", json={"pages": [page] * 4}).status_code == 200
        assert c.post("/v1/assess", json=page).status_code == 200
        is_problem(c.post("/v1/assess/batch", json={"pages": [page] * 2}), 429)


@pytest.mark.slow
def test_forwarded_for_header_does_not_pick_a_new_client(tmp_path):
    env = {"STEMCLAIM_RATE_LIMIT_PER_MINUTE": "2", "STEMCLAIM_SCORING_WORKERS": "1", "STEMCLAIM_DATA_DIR": str(tmp_path)}
    with running_service(env) as base:
        codes = []
        for i in range(4):
            request = urllib.request.Request(f"{base}/v1/assess", data=b'{"html": "<p>x</p>"}', method="POST",
                                             headers={"Content-Type": "application/json",
                                                      "X-Forwarded-For": f"203.0.113.{i}"})
            try:
                codes.append(urllib.request.urlopen(request, timeout=30).status)
            except urllib.error.HTTPError as exc:
                codes.append(exc.code)
    assert codes[:2] == [200, 200] and codes[2:] == [429, 429]


@pytest.mark.slow
def test_full_queue_is_503_and_the_others_still_land():
    big = "<p>Stem cell clinics advertise treatments for multiple sclerosis to patients.</p>" * 30_000
    with client(queue_size=0) as c, ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(lambda _: c.post("/v1/assess", json={"html": big}), range(6)))
    codes = sorted(r.status_code for r in responses)
    assert 200 in codes and 503 in codes and set(codes) <= {200, 503}
    full = next(r for r in responses if r.status_code == 503)
    assert is_problem(full, 503)["type"].endswith("queue-full") and full.headers["retry-after"]


@pytest.mark.slow
def test_slow_scoring_times_out_with_a_problem():
    big = "<p>Stem cell clinics advertise treatments for multiple sclerosis to patients.</p>" * 30_000
    with client(request_timeout_seconds=0.01) as c:
        response = c.post("/v1/assess", json={"html": big})
        assert is_problem(response, 503)["type"].endswith("scoring-timeout")
        assert response.headers["retry-after"]


def test_tag_soup_is_a_422_naming_the_limit(api):
    body = is_problem(api.post("/v1/assess", content=b"<b>x" * 100_001, headers={"content-type": "text/html"}), 422)
    assert body["type"].endswith("page-too-complex") and "100,000 tags" in body["detail"]


@pytest.mark.slow
def test_a_page_that_times_out_does_not_hold_up_the_next_one():
    big = "".join(f"<p>Clinic {i} advertises stem cells for multiple sclerosis to patient {i * 7}.</p>"
                  for i in range(55_000))  # ~4.6 MB of distinct sentences: seconds of scoring
    with client(request_timeout_seconds=1.0) as c:
        assert is_problem(c.post("/v1/assess", json={"html": big}), 503)["type"].endswith("scoring-timeout")
        # the worker still busy with the big page is replaced, so a small page is scored at once
        small = c.post("/v1/assess", json={"html": HOSPITAL})
        assert small.status_code == 200, small.text
        assert c.get("/health").json()["checks"]["scoring"] == "ok"


def test_bad_artifact_stops_start_up(tmp_path):
    shutil.copytree(ARTIFACT_DIR, tmp_path / "artifacts")
    model_file = next((tmp_path / "artifacts").glob("*.npz"))
    model_file.write_bytes(model_file.read_bytes()[:-10])
    with pytest.raises(ExceptionGroup) as failure:
        with client(artifact_dir=tmp_path / "artifacts"):
            pass
    assert failure.group_contains(StartupError, match="cannot start: refusing to load .* does not match the manifest")


def test_the_scoring_pool_is_sized_for_the_machine_by_default():
    assert Settings().scoring_workers == len(os.sched_getaffinity(0))
    assert Settings.from_env({"STEMCLAIM_SCORING_WORKERS": "3"}).scoring_workers == 3


def test_settings_come_from_the_environment():
    settings = Settings.from_env({"STEMCLAIM_PORT": "9001", "STEMCLAIM_CORS_ORIGINS": "moz-extension://abc, https://x.example",
                                  "STEMCLAIM_MAX_BODY_BYTES": "1000", "STEMCLAIM_REQUEST_TIMEOUT_SECONDS": "2.5"},
                                 host="0.0.0.0")
    assert settings.port == 9001 and settings.host == "0.0.0.0" and settings.max_body_bytes == 1000
    assert settings.cors_origins == ("moz-extension://abc", "https://x.example")
    assert settings.request_timeout_seconds == 2.5
    assert Settings().max_body_bytes == 5_000_000 and "*" not in Settings().cors_origins
    with pytest.raises(ValueError, match="STEMCLAIM_PORT"):
        Settings.from_env({"STEMCLAIM_PORT": "eighty"})


def test_every_problem_type_is_a_page_the_service_serves(api):
    """Each kind of problem the code can raise resolves to a page describing it."""
    import re

    from service.problems import KINDS

    raised = {kind for path in (ROOT / "service").rglob("*.py")
              for kind in re.findall(r'kind ?= ?"([a-z-]+)"', path.read_text("utf-8"))}
    assert raised and raised <= set(KINDS), raised - set(KINDS)
    for kind in raised:
        page = api.get(f"/problems/{kind}")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert KINDS[kind].split(";")[0].split(" (")[0][:30].replace("'", "&#x27;") in page.text
    problem = api.post("/v1/assess", content=b"{nope", headers={"content-type": "application/json"}).json()
    assert problem["type"] == "/problems/malformed-json" and api.get(problem["type"]).status_code == 200
    assert api.get("/problems/not-a-kind").status_code == 404


def _session_members(session: int) -> list[int]:
    """Processes still alive in a session (field 6 of /proc/PID/stat)."""
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == session and fields[0] != "Z":
                members.append(int(entry.name))
    return members


@pytest.mark.slow
def test_serve_with_two_workers_logs_from_each_and_stops_every_child(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from servers import free_port

    port, log = free_port(), tmp_path / "serve.log"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "STEMCLAIM_DATA_DIR": str(tmp_path),
           "STEMCLAIM_SCORING_WORKERS": "1"}
    with log.open("w") as sink:
        server = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", "2"],
                                  cwd=ROOT, env=env, stdout=sink, stderr=sink, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while log.read_text().count(" loaded (sha256 ") < 2:  # each server process loads its scoring pool
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        for _ in range(4):
            request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/assess", data=b'{"html": "<p>x</p>"}',
                                             headers={"Content-Type": "application/json"}, method="POST")
            assert urllib.request.urlopen(request, timeout=60).status == 200
        time.sleep(1)
        workers = {line.split("[", 1)[1].split("]", 1)[0] for line in log.read_text().splitlines()
                   if " loaded (sha256 " in line}
        assert len(workers) == 2 and log.read_text().count("POST /v1/assess 200") == 4
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(60)
    deadline = time.monotonic() + 20
    while (left := _session_members(server.pid)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left == [], f"still running after the server stopped: {left}"
    assert "leaked semaphore" not in log.read_text()


@pytest.mark.slow
def test_a_body_that_stops_arriving_gets_a_408(tmp_path):
    import socket
    import time

    env = {"STEMCLAIM_BODY_TIMEOUT_SECONDS": "1", "STEMCLAIM_SCORING_WORKERS": "1", "STEMCLAIM_DATA_DIR": str(tmp_path)}
    with running_service(env) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=15) as connection:
            connection.sendall(b"POST /v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               b"Content-Length: 1000\r\n\r\n{\"html\": \"")
            started, answer = time.monotonic(), b""
            while chunk := connection.recv(4096):  # the server closes the connection after its answer
                answer += chunk
        answer = answer.decode("latin-1")
        assert answer.startswith("HTTP/1.1 408"), answer
        assert "slow-body" in answer and time.monotonic() - started < 10


@pytest.mark.slow
def test_headers_that_trickle_in_get_a_408_and_a_prompt_client_is_unaffected(tmp_path):
    import socket
    import time

    def exchange(connection: socket.socket) -> str:
        answer = b""
        while chunk := connection.recv(4096):  # the server closes the connection after its answer
            answer += chunk
        return answer.decode("latin-1")

    env = {"STEMCLAIM_HEADER_TIMEOUT_SECONDS": "1.5", "STEMCLAIM_SCORING_WORKERS": "1",
           "STEMCLAIM_DATA_DIR": str(tmp_path)}
    with running_service(env) as base:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=15) as slow:
            started = time.monotonic()
            for piece in (b"GET /health HTTP/1.1\r\n", b"Host: x\r\n", b"X-A: 1\r\n", b"X-B: 2\r\n"):
                slow.sendall(piece)  # a byte now and then: each keeps uvicorn's keep-alive timer from firing
                time.sleep(0.35)
            # The last piece went at 1.05 s, well before the 1.5 s timeout: a piece arriving as the server closes would
            # make its kernel reset the connection, and the reset can discard the 408 before the client reads it.
            answer = exchange(slow)
        assert answer.startswith("HTTP/1.1 408"), answer
        assert "slow-headers" in answer and time.monotonic() - started < 6
        # A client that sends its request promptly, even after a pause on a kept-alive connection, is served.
        import http.client

        prompt = http.client.HTTPConnection(host, int(port), timeout=15)
        try:
            prompt.request("GET", "/health")
            first = prompt.getresponse()
            assert first.status == 200 and first.read()
            kept = prompt.sock
            time.sleep(1.0)
            prompt.request("GET", "/health")
            assert prompt.getresponse().status == 200 and prompt.sock is kept  # the same connection, still open
        finally:
            prompt.close()


@pytest.mark.slow
def test_connections_beyond_the_limit_get_a_503(tmp_path):
    import socket

    env = {"STEMCLAIM_MAX_CONNECTIONS": "3", "STEMCLAIM_SCORING_WORKERS": "1", "STEMCLAIM_DATA_DIR": str(tmp_path)}
    with running_service(env) as base:
        host, port = base.removeprefix("http://").split(":")
        held = [socket.create_connection((host, int(port)), timeout=15) for _ in range(3)]  # open, sending nothing
        try:
            with socket.create_connection((host, int(port)), timeout=15) as extra:
                extra.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                assert extra.recv(4096).startswith(b"HTTP/1.1 503")
        finally:
            for connection in held:
                connection.close()
        time.sleep(0.5)
        assert urllib.request.urlopen(f"{base}/health", timeout=10).status == 200  # freed again
