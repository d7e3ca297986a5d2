"""URLs of the portal's own root (portal/urls.py) for tests/test_permission_matrix.py.

``/favicon.ico`` is an icon every browser asks for on every page, the sign-in page included:
anybody gets it, signed in or not, and it shows nothing about the portal or its users.
"""

URL_ROLES = {
    "favicon": {"anonymous": 200, "organizer": 200, "manager": 200, "admin": 200},
}
