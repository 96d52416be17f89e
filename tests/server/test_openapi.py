"""schemathesis against the server's own OpenAPI document, on both backends: no 5xx, ever,
and every answer matches what the document promises; and schemathesis's own command line with
``--checks all`` finds no failure (the document is as strict as the server's validation).

Cases come from schemathesis's hypothesis strategies, valid (positive) and invalid (negative)
per operation, driven by plain hypothesis: schemathesis's pytest plugin does not work with
pytest 9.2.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, example, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ihms_desk.sync import protocol as wire
from ihms_server.testing import EnrolledDevice, make_facility_and_enrol, run_server, temporary_database

OPERATIONS = ["POST /v1/events", "GET /v1/catalog", "POST /v1/enrol", "GET /v1/health",
              "GET /v1/standing", "POST /v1/epochs", "GET /v1/vouchers", "GET /v1/suggestions"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[EnrolledDevice]:
    with temporary_database(request.param, tmp_path_factory.mktemp("openapi")) as url:
        with run_server(url) as base_url:
            yield make_facility_and_enrol(url, base_url, "CHC-JPR-001")


@pytest.fixture(scope="module")
def api_schema(api: EnrolledDevice) -> Any:
    return schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")


def test_the_document_lists_every_sync_operation(api_schema: Any) -> None:
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert labels == set(OPERATIONS)


def test_the_document_lists_the_protocols_facility_types(api: EnrolledDevice) -> None:
    import requests

    document = requests.get(f"{api.base_url}/openapi.json", timeout=30).json()
    facility_type = document["components"]["schemas"]["FacilityModel"]["properties"]["type"]
    assert facility_type["enum"] == list(wire.FACILITY_TYPES)
    assert "UPHC" in facility_type["enum"] and "SC" in facility_type["enum"]


@pytest.mark.parametrize(("label", "mode"), [
    *((label, GenerationMode.POSITIVE) for label in OPERATIONS),
    # Health takes no input at all, so there is nothing invalid to send it.
    *((label, GenerationMode.NEGATIVE) for label in OPERATIONS if label != "GET /v1/health"),
])
def test_no_answer_is_a_server_error(api: EnrolledDevice, api_schema: Any, label: str,
                                     mode: GenerationMode) -> None:
    operation = api_schema.find_operation_by_label(label)

    @settings(max_examples=30, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.data_too_large])
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        # A valid protocol header and token let the generated data reach the real checks
        # (test_events and test_enrol cover missing and wrong ones).
        case.headers = {**(case.headers or {}), wire.PROTOCOL_HEADER: "1",
                        "Authorization": f"Bearer {api.token}"}
        case.call_and_validate(checks=[not_a_server_error, status_code_conformance,
                                       content_type_conformance, response_schema_conformance])

    check()


def test_dashboard_pages_never_answer_with_a_server_error(api: EnrolledDevice) -> None:
    """The HTML pages are not in the OpenAPI document; fuzz their two inputs directly."""
    import requests
    from hypothesis import strategies as st

    session = requests.Session()

    @settings(max_examples=60, deadline=None, database=None)
    @given(text=st.text(max_size=120))
    @example(text="\x00")  # PostgreSQL refuses NUL in text: once a 500 here
    def check(text: str) -> None:
        quoted = requests.utils.quote(text, safe="")
        for response in (session.get(f"{api.base_url}/", params={"district": text}, timeout=30),
                         session.get(f"{api.base_url}/facility/{quoted}", timeout=30),
                         session.get(f"{api.base_url}/refused", params={"district": text}, timeout=30),
                         session.get(f"{api.base_url}/facility/{quoted}/refused", timeout=30)):
            assert response.status_code < 500, (text, response.status_code)

    check()


def test_schemathesis_checks_all_finds_no_failure(api: EnrolledDevice, tmp_path: Path) -> None:
    """`st run --checks all`: also valid input accepted, invalid input refused, undeclared
    methods answered 405 with Allow, every status and header declared. The seed is fixed so a
    failure can be replayed; tests/server/schemathesis.toml says why 410 is a valid answer."""
    config = Path(__file__).with_name("schemathesis.toml")
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "--no-color", "run",
         f"{api.base_url}/openapi.json", "--checks", "all", "--max-examples", "30", "--seed", "20261202",
         "--workers", "1", "-H", f"{wire.PROTOCOL_HEADER}: 1", "-H", f"Authorization: Bearer {api.token}"],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)  # its cache goes there
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert re.search(r"(\d+) generated, \1 passed", run.stdout), run.stdout[-3000:]
