"""Backend.AI's GraphQL API on the manager (POST /admin/gql), signed like every route: the
queries Backend.AI's CLI and WebUI send answer portico's real accounts and keypairs, each
caller sees only what the admin console would show it, and bad or oversized queries get
GraphQL errors with HTTP 200, never a 5xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from portico.manager.container import ManagerServices
from tests.conftest import Account, signed


@pytest.fixture
async def people(make_account, services: ManagerServices) -> dict[str, Account]:  # type: ignore[no-untyped-def]
    return {
        "root": await make_account("root@example.com", "root", role="superadmin"),
        "ada": await make_account("ada@example.com", "ada", role="admin"),
        "uma": await make_account("uma@example.com", "uma"),
        "kim": await make_account("kim@lab.example.org", "kim"),
    }


async def gql(
    manager: httpx.AsyncClient, who: Account, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    r = await signed(
        manager, "POST", "/admin/gql", who, json={"query": query, "variables": variables}
    )
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def emails(answer: dict[str, Any]) -> list[str]:
    return [u["email"] for u in answer["data"]["user_list"]["items"]]


USERS = (
    "query($f: String, $o: String) { user_list(limit: 100, offset: 0, filter: $f, order: $o)"
    " { items { email role } total_count } }"
)


async def test_the_cli_s_own_keypair_and_account(
    manager: httpx.AsyncClient, people: dict[str, Account]
) -> None:
    uma = people["uma"]
    answer = await gql(
        manager,
        uma,
        "query { keypair { user_id access_key secret_key is_active resource_policy user_info"
        " { full_name } } user { email username role status need_password_change"
        " main_access_key groups { name } } }",
    )
    assert "errors" not in answer, answer
    keypair = answer["data"]["keypair"]
    assert keypair["user_id"] == uma.email and keypair["access_key"] == uma.access_key
    assert keypair["secret_key"] is None  # shown once, when it was made; never again
    me = answer["data"]["user"]
    assert me["email"] == uma.email and me["role"] == "user" and me["status"] == "active"
    assert me["main_access_key"] == uma.access_key


async def test_a_user_sees_herself_only(
    manager: httpx.AsyncClient, people: dict[str, Account]
) -> None:
    uma = people["uma"]
    listed = await gql(manager, uma, USERS)
    assert emails(listed) == [uma.email]
    assert listed["data"]["user_list"]["total_count"] == 1
    other = await gql(manager, uma, 'query { user(email: "root@example.com") { email role } }')
    assert other["data"]["user"] is None
    keys = await gql(
        manager,
        uma,
        "query { keypair_list(limit: 100, offset: 0) { items { access_key } total_count } }",
    )
    assert keys["data"]["keypair_list"]["items"] == [{"access_key": uma.access_key}]
    theirs = await gql(
        manager,
        uma,
        f'query {{ keypair(access_key: "{people["root"].access_key}") {{ user_id }} }}',
    )
    assert theirs["data"]["keypair"] is None


async def test_an_admin_sees_lower_ranks_and_a_superadmin_everyone(
    manager: httpx.AsyncClient, people: dict[str, Account]
) -> None:
    seen_by_admin = emails(await gql(manager, people["ada"], USERS))
    assert sorted(seen_by_admin) == ["ada@example.com", "kim@lab.example.org", "uma@example.com"]
    seen_by_root = emails(await gql(manager, people["root"], USERS))
    assert set(seen_by_root) >= {p.email for p in people.values()}
    hidden = await gql(manager, people["ada"], 'query { user(email: "root@example.com") { role } }')
    assert hidden["data"]["user"] is None


async def test_filter_and_order_in_backendai_s_language(
    manager: httpx.AsyncClient, people: dict[str, Account]
) -> None:
    root = people["root"]
    found = await gql(
        manager,
        root,
        USERS,
        {"f": 'email ilike "%@example.com" & role in ["USER", "ADMIN"]', "o": "-email"},
    )
    assert emails(found) == ["uma@example.com", "ada@example.com"]
    active = await gql(manager, root, USERS, {"f": 'status == "ACTIVE" & !(role == "superadmin")'})
    assert "root@example.com" not in emails(active)
    assert "kim@lab.example.org" in emails(active)


@pytest.mark.parametrize(
    ("condition", "says"),
    [
        ("email ==", "not a filter"),
        ('password == "x"', "unknown field 'password'"),
        ('role in "admin"', "give a list"),
    ],
)
async def test_a_filter_it_cannot_answer_is_a_graphql_error(
    manager: httpx.AsyncClient, people: dict[str, Account], condition: str, says: str
) -> None:
    answer = await gql(manager, people["root"], USERS, {"f": condition})
    assert answer["data"]["user_list"] is None
    assert says in answer["errors"][0]["message"]


async def test_limits_hold(manager: httpx.AsyncClient, people: dict[str, Account]) -> None:
    uma = people["uma"]
    big_page = await gql(
        manager, uma, "query { user_list(limit: 1000, offset: 0) { total_count } }"
    )
    assert "at most 100" in big_page["errors"][0]["message"]
    # Each root may be a list: a request of many aliased lists would be many queries.
    lists = " ".join(f"l{i}: user_list(limit: 100, offset: 0) {{ total_count }}" for i in range(33))
    refused = await gql(manager, uma, f"query {{ {lists} }}")
    assert "at most 32 root fields" in refused["errors"][0]["message"]
    wide = " ".join(f"e{i}: email" for i in range(1001))
    refused = await gql(manager, uma, f"query {{ user {{ {wide} }} }}")
    assert "at most 1000 fields" in refused["errors"][0]["message"]
    # The schema is Backend.AI's; a user does not get it read out, an administrator does.
    introspect = "query { __schema { queryType { name } } }"
    assert "introspection" in (await gql(manager, uma, introspect))["errors"][0]["message"]
    assert (await gql(manager, people["ada"], introspect))["data"]["__schema"]["queryType"] == {
        "name": "Query"
    }
    changed = await gql(manager, uma, "mutation { nothing }")
    assert changed["data"] is None and changed["errors"]


@pytest.mark.parametrize(
    "body",
    [
        {"query": "query { user { email "},
        {"query": 7},
        {"query": "{ user { email } }", "variables": 3},
        [],
    ],
)
async def test_bad_requests_are_errors_never_5xx(
    manager: httpx.AsyncClient, people: dict[str, Account], body: Any
) -> None:
    r = await signed(manager, "POST", "/admin/gql", people["uma"], json=body)
    assert r.status_code == 200, r.text
    assert r.json()["errors"]


async def test_unsigned_is_refused(manager: httpx.AsyncClient) -> None:
    r = await manager.post("/admin/gql", json={"query": "{ user { email } }"})
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"


async def test_empty_lists_for_what_portico_does_not_run(
    manager: httpx.AsyncClient, people: dict[str, Account]
) -> None:
    answer = await gql(
        manager,
        people["root"],
        "query { compute_session_list(limit: 10, offset: 0)"
        " { items { id name status } total_count }"
        " vfolder_list(limit: 10, offset: 0) { items { name host } total_count }"
        " images { name } scaling_groups { name is_active } domains { name is_active }"
        " groups { id name } keypair_resource_policies { name max_concurrent_sessions } }",
    )
    assert "errors" not in answer, answer
    data = answer["data"]
    assert data["compute_session_list"] == {"items": [], "total_count": 0}
    assert data["images"] == []
    assert {"name": "default", "is_active": True} in data["domains"]
    assert any(p["name"] == "default" for p in data["keypair_resource_policies"])


async def test_through_the_webserver_as_backendai_s_webui_sends_it(
    console: httpx.AsyncClient, people: dict[str, Account]
) -> None:
    login = {"username": "uma", "password": people["uma"].password}
    assert (await console.post("/server/login", json=login)).status_code == 200
    query = {"query": "query { keypair { user_id resource_policy user } }"}
    for _ in range(2):  # the same query again: a read may be sent twice
        r = await console.post("/func/admin/gql", json=query)
        assert r.status_code == 200, r.text
        assert r.json()["data"]["keypair"]["user_id"] == "uma@example.com"


async def test_the_26x_webui_s_header_mixes_v2_roots_into_the_same_request(
    manager: httpx.AsyncClient, people: dict[str, Account]
) -> None:
    # As Backend.AI's 26.x WebUI sends it (its UserDropdownMenuQuery beside a legacy root).
    answer = await gql(
        manager,
        people["ada"],
        "query UserDropdownMenuQuery { myUserV2 { id basicInfo { email fullName }"
        " security { allowedClientIp } organization { role } status { status } }"
        " myClientIp { clientIp } user { email } }",
    )
    assert "errors" not in answer, answer
    me = answer["data"]["myUserV2"]
    assert me["basicInfo"]["email"] == "ada@example.com"
    assert me["organization"]["role"] == "ADMIN" and me["status"]["status"] == "ACTIVE"
    assert answer["data"]["myClientIp"]["clientIp"]
    assert answer["data"]["user"]["email"] == "ada@example.com"
