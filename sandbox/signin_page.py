"""HTML of the sign-in page (shaped like GoTo's) and of the OAuth error page."""

from __future__ import annotations

from html import escape

from sandbox.demo_account import DEMO_PASSWORD, DEMO_USERS
from sandbox.pages import FAVICON_LINK

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f5f7;margin:0}
main{max-width:400px;margin:48px auto;background:#fff;border-radius:8px;padding:32px;
box-shadow:0 1px 4px rgba(0,0,0,.15)}
.logo{font-weight:800;font-size:28px;color:#0a1f44;letter-spacing:-1px}
.logo span{color:#ffb400}
label{display:block;margin:16px 0 4px;font-weight:600}
input[type=email],input[type=password]{width:100%;box-sizing:border-box;padding:10px;
border:1px solid #c0c4cc;border-radius:4px;font-size:15px}
button{margin-top:20px;width:100%;padding:12px;border:0;border-radius:4px;background:#0a1f44;
color:#fff;font-size:16px;font-weight:600;cursor:pointer}
.error{background:#fdecea;color:#8a1c12;padding:10px;border-radius:4px;margin-top:16px}
.demo{margin-top:24px;font-size:13px;color:#444}
.demo code{background:#f0f1f3;padding:1px 4px;border-radius:3px}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">{FAVICON_LINK}'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def signin_page(hidden: dict[str, str], *, email: str = "", error: str | None = None) -> str:
    """The sign-in form; ``hidden`` carries the authorize parameters through the POST."""
    fields = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in hidden.items()
        if value
    )
    alert = f'<div class="error" role="alert">{escape(error)}</div>' if error else ""
    users = "".join(
        f"<li><code>{escape(user.email)}</code> — {escape(user.role_hint)}</li>"
        for user in DEMO_USERS
    )
    body = f"""
<div class="logo">Go<span>To</span></div>
<h1>Sign in</h1>
<p>Sign in to allow <strong>{escape(hidden.get("client_id", ""))}</strong> to access your
GoToMeeting account (local sandbox).</p>
{alert}
<form method="post" action="/oauth/authorize">
{fields}
<label for="email">Email</label>
<input type="email" id="email" name="email" autocomplete="username" required
 value="{escape(email)}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<div class="demo"><p>Demo users (password <code>{escape(DEMO_PASSWORD)}</code>):</p>
<ul>{users}</ul>
<p>Generated organizers can sign in with the same password once confirmed.</p></div>
"""
    return _page("Sign in | GoTo", body)


def error_page(message: str) -> str:
    """The page shown when the authorize request itself is wrong (400)."""
    body = (
        '<div class="logo">Go<span>To</span></div><h1>Sign-in request refused</h1>'
        f'<div class="error" role="alert">{escape(message)}</div>'
    )
    return _page("Error | GoTo", body)
