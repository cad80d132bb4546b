from portico.manager.services.user_agents import describe

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"
)


def test_browsers_and_systems_are_named() -> None:
    assert describe(CHROME_LINUX) == {"browser": "Chrome 156", "os": "Linux"}
    assert describe(SAFARI_IPHONE) == {"browser": "Mobile Safari 17", "os": "iOS 17"}
    assert describe(EDGE_WINDOWS) == {"browser": "Edge 120", "os": "Windows 10"}


def test_other_clients_keep_their_product_name_cut_at_a_word() -> None:
    assert describe("Backend.AI Client for Python 25.1.0") == {
        "browser": "Backend.AI Client for Python 25.1.0",
        "os": None,
    }
    long = "Some Very Long Client Name " * 4 + "(details)"
    browser = describe(long)["browser"]
    assert browser == "Some Very Long Client Name Some Very Long…"
    assert describe("") == {"browser": None, "os": None}
