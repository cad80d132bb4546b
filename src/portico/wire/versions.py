"""API versions of Backend.AI's manager protocol."""

API_VERSION = "v9.20250722"

# Versions a client may name in X-BackendAI-Version; clients negotiate min(server, client).
VALID_VERSIONS = frozenset(
    {
        "v4.20181215",
        "v4.20190115",
        "v4.20190315",
        "v4.20190615",
        "v5.20191215",
        "v6.20200815",
        "v6.20210815",
        "v6.20220315",
        "v6.20220615",
        "v6.20230315",
        "v7.20230615",
        "v8.20240315",
        "v8.20240915",
        API_VERSION,
    }
)
