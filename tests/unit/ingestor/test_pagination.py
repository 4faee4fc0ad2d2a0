"""Pagination detection for every style the Ingestor knows, from parameters, envelopes and headers."""

from __future__ import annotations

import pytest

from vitesse.graph.ingestor.pagination import Evidence, detect_pagination
from vitesse.graph.ingestor.resources import classify, plural, singular
from vitesse.schemas import Field, HttpMethod, PaginationStyle


def ev(params, envelope=(), headers=(), records_at="data[]", pk="id"):
    return Evidence(
        query_params=list(params),
        envelope=[Field(path=p, type=t) for p, t in envelope],
        headers=list(headers),
        records_at=records_at,
        primary_key=pk,
    )


CASES = [
    # Stripe: a record-id cursor with has_more and no explicit next cursor.
    (
        ev(["limit", "starting_after", "ending_before"], [("has_more", "boolean"), ("url", "string")]),
        {
            "style": PaginationStyle.CURSOR,
            "cursor_param": "starting_after",
            "cursor_path": "data[-1].id",
            "limit_param": "limit",
            "has_more_path": "has_more",
        },
    ),
    # Slack: cursor in response_metadata.
    (
        ev(["cursor", "limit"], [("response_metadata.next_cursor", "string")]),
        {"style": PaginationStyle.CURSOR, "cursor_param": "cursor", "cursor_path": "response_metadata.next_cursor"},
    ),
    # HubSpot: after in paging.next.after.
    (
        ev(
            ["after", "limit"],
            [("paging.next.after", "string"), ("paging.next.link", "string")],
            records_at="results[]",
        ),
        {"style": PaginationStyle.CURSOR, "cursor_param": "after", "cursor_path": "paging.next.after"},
    ),
    # Okta: the cursor comes back in the Link header.
    (
        ev(["after", "limit"], headers=["Link"], records_at="[]"),
        {"style": PaginationStyle.LINK_HEADER, "cursor_param": "after"},
    ),
    # Pipedrive: start/limit with a nested more-items flag.
    (
        ev(["start", "limit"], [("additional_data.pagination.more_items_in_collection", "boolean")]),
        {
            "style": PaginationStyle.OFFSET,
            "offset_param": "start",
            "limit_param": "limit",
            "has_more_path": "additional_data.pagination.more_items_in_collection",
        },
    ),
    # Jira: startAt/maxResults with a total.
    (
        ev(["startAt", "maxResults"], [("total", "integer")], records_at="values[]"),
        {
            "style": PaginationStyle.OFFSET,
            "offset_param": "startAt",
            "limit_param": "maxResults",
            "total_path": "total",
        },
    ),
    # CRM-style page/per_page.
    (
        ev(["page", "per_page"], [("meta.total", "integer")], records_at="results[]"),
        {"style": PaginationStyle.PAGE, "page_param": "page", "limit_param": "per_page", "total_path": "meta.total"},
    ),
    # Google-style page tokens.
    (
        ev(["pageToken", "pageSize"], [("nextPageToken", "string")], records_at="items[]"),
        {
            "style": PaginationStyle.TOKEN,
            "cursor_param": "pageToken",
            "next_path": "nextPageToken",
            "limit_param": "pageSize",
        },
    ),
    # A next URL in the body and no paging parameters.
    (ev([], [("links.next", "string")]), {"style": PaginationStyle.NEXT_URL, "next_path": "links.next"}),
    (ev([], [("_links.next.href", "string")]), {"style": PaginationStyle.NEXT_URL, "next_path": "_links.next.href"}),
    (ev([], headers=["Link"]), {"style": PaginationStyle.LINK_HEADER}),
]


@pytest.mark.parametrize(("evidence", "expected"), CASES)
def test_pagination_style_and_names_are_detected(evidence, expected):
    detected = detect_pagination(evidence)
    assert detected is not None
    got = detected.model_dump(exclude_none=True)
    assert {k: got.get(k) for k in expected} == expected


def test_a_list_without_any_paging_signal_has_no_pagination():
    assert detect_pagination(ev(["status"], [("object", "string")])) is None


CLASSIFY = [
    ("GET", "/v1/customers", None, ("customers", "list")),
    ("GET", "/v1/customers/{customer}", None, ("customers", "get")),
    ("POST", "/v1/customers", None, ("customers", "create")),
    ("POST", "/v1/customers/{customer}", None, ("customers", "update")),
    ("PUT", "/v3/marketing/contacts", None, ("contacts", "upsert")),
    ("GET", "/admin/api/2021-10/customers.json", None, ("customers", "list")),
    ("POST", "/v3/company/{realm-id}/customer", None, ("customers", "create")),
    ("GET", "/users.list", None, ("users", "list")),
    ("POST", "/chat.postMessage", None, ("chats", "create")),
    ("POST", "/crm/v3/objects/contacts/search", None, ("contacts", "search")),
    ("GET", "/persons", None, ("persons", "list")),
    ("POST", "/contacts/batch", "upsertContacts", ("batches", "upsert")),
]


@pytest.mark.parametrize(("method", "path", "op_id", "expected"), CLASSIFY)
def test_resource_and_action_are_read_from_the_path_and_operation(method, path, op_id, expected):
    assert classify(HttpMethod(method), path, op_id) == expected


@pytest.mark.parametrize(
    ("one", "many"),
    [
        ("customer", "customers"),
        ("company", "companies"),
        ("address", "addresses"),
        ("person", "persons"),
        ("box", "boxes"),
    ],
)
def test_plural_and_singular_round_trip(one, many):
    assert plural(one) == many
    assert singular(many) == one
