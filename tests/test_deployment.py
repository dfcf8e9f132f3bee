"""The deployment guide as far as this machine allows: the shipped nginx site (service/deploy/nginx-site.conf) in
front of `stemclaim serve` with a self-signed certificate, on loopback; the systemd unit and settings file name real
commands and settings."""

import http.client
import json
import shutil
import ssl
import subprocess
import time
from dataclasses import fields
from pathlib import Path

import pytest
from servers import ROOT, free_port, running_service

from service.settings import Settings

DEPLOY = ROOT / "service" / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.slow


def site_config(service_port: int, https_port: int, http_port: int, certificate: Path, key: Path) -> str:
    """The shipped site, with its ports and certificate paths pointed at this test's."""
    site = (DEPLOY / "nginx-site.conf").read_text()
    for old, new in (("server 127.0.0.1:8000;", f"server 127.0.0.1:{service_port};"),
                     ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
                     ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("/etc/ssl/stemclaim/fullchain.pem", str(certificate)),
                     ("/etc/ssl/stemclaim/privkey.pem", str(key))):
        assert site.count(old) == 1, f"the shipped site no longer has {old!r}"
        site = site.replace(old, new)
    return site


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """(https port, CA file) of nginx in front of a stemclaim service that trusts only it."""
    assert Path(NGINX).exists(), "Debian's nginx is needed: apt-get install -y nginx (tests/run.sh does)"
    work = tmp_path_factory.mktemp("nginx")
    certificate, key = work / "cert.pem", work / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out",
                    str(certificate)], check=True, capture_output=True, timeout=60)
    env = {"STEMCLAIM_TRUSTED_PROXIES": "127.0.0.1", "STEMCLAIM_RATE_LIMIT_PER_MINUTE": "3",
           "STEMCLAIM_SCORING_WORKERS": "1", "STEMCLAIM_DATA_DIR": str(work / "data")}
    with running_service(env) as base:
        service_port = int(base.rsplit(":", 1)[1])
        https_port, http_port = free_port(), free_port()
        (work / "site.conf").write_text(site_config(service_port, https_port, http_port, certificate, key))
        temp = {name: work / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
        (work / "nginx.conf").write_text(
            f"daemon off; pid {work}/nginx.pid; error_log {work}/error.log; worker_processes 1;\n"
            "events { worker_connections 64; }\n"
            f"http {{ access_log off; client_body_temp_path {temp['body']}; proxy_temp_path {temp['proxy']};\n"
            f"  fastcgi_temp_path {temp['fastcgi']}; uwsgi_temp_path {temp['uwsgi']}; scgi_temp_path {temp['scgi']};\n"
            f"  include {work}/site.conf; }}\n")
        user = ["-g", "user root;"] if Path("/proc/self").stat().st_uid == 0 else []
        nginx = subprocess.Popen([NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), *user],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    request(https_port, certificate, "GET", "/health")
                    break
                except OSError:
                    assert nginx.poll() is None, nginx.stderr.read().decode()
                    assert time.monotonic() < deadline, "nginx did not start"
                    time.sleep(0.2)
            yield https_port, http_port, certificate
        finally:
            nginx.terminate()
            nginx.wait(10)


def request(port: int, ca: Path, method: str, path: str, source: str = "127.0.0.1", body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, dict, str]:
    context = ssl.create_default_context(cafile=str(ca))
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def test_health_and_triage_answer_over_https_through_the_proxy(proxied):
    port, http_port, ca = proxied
    status, _, body = request(port, ca, "GET", "/health")
    assert status == 200 and json.loads(body)["service"] == "stemclaim"
    status, headers, body = request(port, ca, "GET", "/triage")
    assert status in (200, 401) and "text/html" in headers["Content-Type"] and "stemclaim" in body
    plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    plain.request("GET", "/health")
    assert plain.getresponse().getheader("Location").startswith("https://")
    plain.close()


def test_the_rate_limit_counts_each_real_client_not_the_proxy_or_a_forged_header(proxied):
    port, _, ca = proxied
    page = json.dumps({"html": "<p>Our bakery sells bread.</p>"}).encode()

    def assess(source: str, forged: str | None = None) -> int:
        headers = {"Content-Type": "application/json", **({"X-Forwarded-For": forged} if forged else {})}
        return request(port, ca, "POST", "/v1/assess", source, page, headers)[0]

    assert [assess("127.0.0.2") for _ in range(3)] == [200, 200, 200]
    assert assess("127.0.0.2") == 429
    assert assess("127.0.0.2", forged="203.0.113.9") == 429  # nginx replaces what the client claims
    assert assess("127.0.0.3") == 200  # another client has its own allowance: the service sees the real address


def test_the_systemd_unit_and_settings_file_name_real_commands_and_settings():
    unit = (DEPLOY / "stemclaim.service").read_text()
    commands = [line.split("=", 1)[1].split() for line in unit.splitlines() if line.startswith(("ExecStart", "ExecStartPre"))]
    assert [c[1:] for c in commands] == [["db", "upgrade"], ["serve"]]
    assert all(c[0] == "/opt/stemclaim/.venv/bin/stemclaim" for c in commands)
    from service.cli import build_parser

    for command in commands:
        build_parser().parse_args(command[1:])  # exits if the command were unknown
    names = {f"STEMCLAIM_{f.name.upper()}" for f in fields(Settings)}
    settings = [line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text().splitlines()
                if line and not line.startswith("#")]
    assert settings and set(settings) <= names, set(settings) - names
    assert "STEMCLAIM_TRUSTED_PROXIES=127.0.0.1" in (DEPLOY / "env.example").read_text()
