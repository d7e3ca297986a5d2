"""The fixed parts of the demo account: keys, groups, demo users and OAuth client.

These never depend on the seed, so tests and docs can name them.
"""

from __future__ import annotations

from dataclasses import dataclass

CLIENT_ID = "portal-demo"
CLIENT_SECRET = "portal-demo-secret"
DEMO_PASSWORD = "demo"
ACCOUNT_KEY = 7153264891230006001
EMAIL_DOMAIN = "acme.example"
LOCALE = "en_US"


@dataclass(frozen=True)
class GroupSpec:
    """A group of the demo account; ``parent`` is ``None`` for the top-level group."""

    key: int
    name: str
    parent: str | None
    ordinary: bool = True


TOP_GROUP = "Acme"
BIG_GROUP = "Field Sales"

GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec(7153264891230100001, TOP_GROUP, None),
    GroupSpec(7153264891230100002, "Engineering", TOP_GROUP),
    GroupSpec(7153264891230100003, "Platform", "Engineering"),
    GroupSpec(7153264891230100004, "Sales", TOP_GROUP),
    GroupSpec(7153264891230100005, "Support", TOP_GROUP),
    GroupSpec(7153264891230100006, "Marketing", TOP_GROUP),
    GroupSpec(7153264891230100007, "Finance", TOP_GROUP),
    GroupSpec(7153264891230100008, BIG_GROUP, "Sales", ordinary=False),
)

# Groups that generated organizers are spread over (each stays at or under 50 organizers).
ORDINARY_GROUPS: tuple[str, ...] = (
    "Engineering",
    "Platform",
    "Sales",
    "Support",
    "Marketing",
    "Finance",
)


@dataclass(frozen=True)
class DemoUser:
    """A fixed user who can log in with ``DEMO_PASSWORD``."""

    key: int
    email: str
    first_name: str
    last_name: str
    group: str
    admin: bool
    role_hint: str


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        7153264891230200001,
        f"admin@{EMAIL_DOMAIN}",
        "Ada",
        "Admin",
        TOP_GROUP,
        True,
        "account admin",
    ),
    DemoUser(
        7153264891230200002,
        f"manager@{EMAIL_DOMAIN}",
        "Max",
        "Manager",
        "Engineering",
        False,
        "organizer (make them a portal manager)",
    ),
    DemoUser(
        7153264891230200003,
        f"organizer@{EMAIL_DOMAIN}",
        "Olive",
        "Organizer",
        "Engineering",
        False,
        "organizer",
    ),
)


def group_spec(name: str) -> GroupSpec:
    """The fixed group called ``name``."""
    for spec in GROUPS:
        if spec.name == name:
            return spec
    raise KeyError(name)
