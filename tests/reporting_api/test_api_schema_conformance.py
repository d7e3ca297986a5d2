"""The OpenAPI document at /api/v1/schema/ describes what the API really answers.

1. schemathesis over the running API (pytest-django's live server, real HTTP, a real token of
   an Admin, the meetings tests' history in the database): for every operation it generates
   requests from the document, valid and invalid, and checks each answer: no 5xx, a status
   code and content type the document lists, the body valid against the documented schema,
   and a request without the token refused. One check is left out: "schema-valid data is
   accepted". The document says what a value looks like (an id is a positive integer, a cursor
   is base64, a date is a date), but whether it is acceptable is only known at the request:
   an id of a group outside the token's scope, a cursor not taken from a ``next`` link, an end
   before the start are all well-formed and all refused with a 400 naming the parameter,
   which is what the project wants for bad input.
2. openapi-core validates one real, non-empty answer of each operation against the document
   (schemathesis's random filters often select nothing), plus the 400, 401 and 403 bodies.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

pytestmark = pytest.mark.django_db(transaction=True)

WEEK = {"start": "2026-03-02", "end": "2026-03-08"}


@pytest.fixture
def admin_secret(make_token, admin_user, history):
    return make_token(admin_user)


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_answers_as_its_openapi_document_says(live_server, admin_secret, settings, mode):
    """Every operation, with requests generated from the document: valid ones (``positive``)
    and ones that break it (``negative``: wrong types, formats, enum values)."""
    from schemathesis import GenerationMode
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    settings.API_RATE_LIMIT = "100000/min"  # fuzzing is not what the rate limit is about
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {
        "/api/v1/meeting-instances/",
        "/api/v1/attendees/",
        "/api/v1/organizers/",
        "/api/v1/dashboard/",
        "/api/v1/sync-freshness/",
    }
    headers = {"Authorization": f"Bearer {admin_secret}"}
    statuses: set[int] = set()
    for operation in operations:

        @given(case=operation.as_strategy(GenerationMode(mode)))
        @hypothesis_settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            response = case.call_and_validate(
                base_url=live_server.url,
                headers=headers,
                excluded_checks=[positive_data_acceptance],
            )
            statuses.add(response.status_code)

        call()
    # Both kinds of answer were really checked, not only refusals.
    assert 200 in statuses
    if mode == "negative":
        assert 400 in statuses


# --- openapi-core over real answers -----------------------------------------------------------


@pytest.fixture
def openapi(client):
    from openapi_core import OpenAPI

    document = client.get(reverse("api:schema"), {"format": "json"}).json()
    return OpenAPI.from_dict(document)


def check(openapi, response) -> None:
    from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

    openapi.validate_response(
        DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
    )


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("api:meeting_instances", WEEK),
        ("api:attendees", WEEK),
        ("api:organizers", {}),
        ("api:dashboard", WEEK),
        ("api:sync_freshness", {}),
    ],
)
def test_real_answers_validate_against_the_document(
    openapi, api_get, admin_secret, make_token, organizer_user, url_name, params
):
    response = api_get(reverse(url_name), admin_secret, **params)
    assert response.status_code == 200
    body = response.json()
    assert body if not isinstance(body, dict) or "results" not in body else body["results"]
    check(openapi, response)
    check(openapi, api_get(reverse(url_name), None))  # 401
    check(openapi, api_get(reverse(url_name), admin_secret, nonsense="1"))  # 400
    if url_name in ("api:organizers", "api:dashboard"):
        refused = api_get(reverse(url_name), make_token(organizer_user))
        assert refused.status_code == 403
        check(openapi, refused)


def test_the_document_is_valid_openapi_without_generator_warnings(tmp_path):
    """drf-spectacular validates what it generates against the OpenAPI 3 meta-schema; a
    warning (a field it had to guess the type of) fails too, so the document never says
    "string" where the API writes a number."""
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/meeting-instances/" in text and "personalAccessToken" in text
