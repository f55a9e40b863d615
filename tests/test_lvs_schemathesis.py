"""Property-based tests of the LVS API against its own description (/api/v1/openapi.json):
whatever schemathesis sends, with a valid, a wrong or no verificatiecode, the answer is never a
5xx and always matches the spec (documented status code, body valid against its schema)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import lvs_support
from tests.lvs_support import bearer, koppeling

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SETTINGS = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))  # fmt: skip


@pytest.fixture
def api_schema(app, world):  # type: ignore[no-untyped-def]
    pad = lvs_support.XSD
    assert pad.exists(), f"the OSO schema is missing: {pad}"
    app.config.update(OSO_XSD_PATH=str(pad), API_LIMIT_PER_KOPPELING="100000 per minute",
                      API_LIMIT_AUTH_FAILURES="100000 per minute",
                      API_LIMIT_AUTH_FAILURES_PER_CODE="100000 per minute")  # fmt: skip
    koppeling(world)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def _operations(schema):  # type: ignore[no-untyped-def]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 5, [op.label for op in operations]
    return operations


def test_the_spec_declares_bearer_auth_and_the_docs_load_nothing_from_the_internet(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["verificatiecode"]["scheme"] == "bearer"
    assert {"/api/v1/aanvragen", "/api/v1/aanvragen/{aanvraagnummer}", "/api/v1/activatie"} <= set(spec["paths"])
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "POST /api/v1/aanvragen" in docs.text and "Contactpersoon" in docs.text
    assert not re.search(r"(src|href)=\"(https?:)?//", docs.text), "the docs page loads something from elsewhere"


def test_with_a_valid_code_no_5xx_and_every_answer_matches_the_spec(api_schema):
    for operation in _operations(api_schema):

        @given(case=operation.as_strategy())
        @SETTINGS
        def run(case):  # type: ignore[no-untyped-def]
            response = case.call(headers=bearer())
            case.validate_response(response, checks=CHECKS)

        run()


def test_with_a_wrong_or_no_code_no_5xx_and_every_answer_matches_the_spec(api_schema):
    for operation in _operations(api_schema):

        @given(case=operation.as_strategy())
        @SETTINGS
        def run(case):  # type: ignore[no-untyped-def]
            secured = bool(case.operation.definition.raw.get("security"))
            for headers in ({"Authorization": "Bearer 00YY00-een-verkeerde-code-x"}, {}):
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS)
                assert response.status_code == 401 or not secured

        run()


def test_valid_oso_dossiers_in_generated_aanvragen_get_no_5xx_and_match_the_spec(api_schema):
    """The generated bodies with a real OSO dossier from tests/oso_dossiers.py (varied), not random base64."""
    from hypothesis import strategies as st

    from tests.lvs_support import b64
    from tests.oso_dossiers import varianten

    dossiers = [b64(x) for x in varianten().values()]
    operation = api_schema["/api/v1/aanvragen"]["POST"]

    @given(case=operation.as_strategy(), oso=st.sampled_from(dossiers))
    @settings(max_examples=10, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def run(case, oso):  # type: ignore[no-untyped-def]
        if isinstance(case.body, dict):
            case.body = {**case.body, "oso_dossier": oso, "swv_code": "PO2806"}
        response = case.call(headers=bearer())
        case.validate_response(response, checks=CHECKS)

    run()
