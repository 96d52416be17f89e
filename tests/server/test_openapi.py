"""schemathesis against the server's own OpenAPI document, on both backends: no 5xx, ever,
and every answer matches what the document promises."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ihms_desk.sync import protocol as wire
from ihms_server.testing import EnrolledDevice, make_facility_and_enrol, run_server, temporary_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[EnrolledDevice]:
    with temporary_database(request.param, tmp_path_factory.mktemp("openapi")) as url:
        with run_server(url) as base_url:
            yield make_facility_and_enrol(url, base_url, "CHC-JPR-001")


@pytest.fixture(scope="module")
def api_schema(api: EnrolledDevice) -> Any:
    return schemathesis.openapi.from_url(f"{api.base_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_no_answer_is_a_server_error(case: Any, api: EnrolledDevice) -> None:
    # A valid protocol header and token let the generated data reach the real checks
    # (test_events and test_enrol cover missing and wrong ones).
    case.headers = {**(case.headers or {}), wire.PROTOCOL_HEADER: "1",
                    "Authorization": f"Bearer {api.token}"}
    case.call_and_validate(checks=[not_a_server_error, status_code_conformance,
                                   content_type_conformance, response_schema_conformance])
