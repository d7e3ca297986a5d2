"""A faithful local GoToMeeting API + OAuth server (the "sandbox").

Pure standard library, no Django: it runs as its own process::

    python -m sandbox --port 8765 --seed 1 --size demo --state var/sandbox-8765.json \\
        [--reset] [--no-rate-limit] [--error-rate 0.2] [--latency-ms 100] [--expire-tokens] \\
        [--token-ttl 3600] [--anchor 2026-03-02T12:00:00Z] [--host 127.0.0.1] [--log-requests]

and serves

* the GoToMeeting REST API under ``/G2M/rest``: every operation of ``gotomeeting-api.md``
  in the older and newer path forms (``api_meetings``, ``api_meeting_lists``,
  ``api_organizers``, ``api_groups``, ``api_attendees``; shapes in ``shapes``);
* OAuth at the root (``oauth``): ``/oauth/authorize`` (sign-in page), ``/oauth/token``
  (authorization_code with optional PKCE S256, refresh_token with rotation, password) and
  the legacy Direct Login ``/oauth/access_token`` (GET or POST);
* a control API for tests and demos under ``/_sandbox/`` (``control``, loopback only):
  ``health``, ``faults`` (GET/POST), ``reset``, ``organizers/confirm``, ``tokens``,
  ``state``, ``stats`` (+ ``stats/reset``), ``meetings/{meetingId}/hold``,
  ``meetings/{meetingId}/start`` (the host starts it now) and
  ``organizers/{organizerKey}/instant`` (a "Meet now" meeting nobody scheduled, running);
* ``/join/<meetingId>`` (what ``joinURL``/``hostURL`` open) and an index page at ``/``.

The data is generated deterministically from seed, size and anchor (``generator``; fixed
keys and users in ``demo_account``), kept in memory (``store``) and persisted to the state
file after every change (``persistence``). ``sandbox.testing.running_sandbox`` starts it as
a subprocess for tests.
"""
