"""Schemathesis fuzzes the running service from its own OpenAPI schema: no 5xx, no response off its schema."""

import subprocess
import sys

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from servers import ROOT, running_service
from schemathesis.checks import (
    content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """`stemclaim serve` on a free loopback port with a fresh report store and a regulator token, rate limit
    raised so the fuzzer is not throttled. Yields the base URL and the token."""
    env = {"STEMCLAIM_RATE_LIMIT_PER_MINUTE": "100000", "STEMCLAIM_SCORING_WORKERS": "1",
           "STEMCLAIM_DATA_DIR": str(tmp_path_factory.mktemp("fuzz-data")), "PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    created = subprocess.run([sys.executable, "-m", "service.cli", "tokens", "create", "fuzzer"], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True)
    with running_service(env) as base:
        yield base, created.stdout.split()[-1]


@pytest.fixture(scope="module")
def api_schema(live_server):
    return schemathesis.openapi.from_url(f"{live_server[0]}/schema/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=100, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzz_api(case, live_server):
    case.call_and_validate(headers={"Authorization": f"Bearer {live_server[1]}"}, checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                   response_schema_conformance])
