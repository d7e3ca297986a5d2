"""A sync worker stand-in for the API budget tests: its own process, sending ``--calls`` API
operations on one token through the shared budget, then printing what it saw as JSON.

``python -m tests.sync.budget_worker --api URL --token-json JSON --calls N --rate R``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--token-json", required=True)
    parser.add_argument("--owner", default="budget-test")
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--rate", type=int, required=True)
    parser.add_argument("--priority", default="background")
    parser.add_argument("--area", default="", help="count the calls as this sync area's")
    parser.add_argument("--key-prefix", default="", help="the budget's (and usage's) key prefix")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.GOTO_API_CALLS_PER_SECOND = args.rate
    if args.key_prefix:
        settings.GOTO_API_BUDGET_KEY_PREFIX = args.key_prefix

    from accounts.connections import oauth_config
    from gotomeeting import GoToMeetingClient
    from sync.budget import Priority, SharedBudget
    from sync.usage import count_api_call, counted_as

    client = GoToMeetingClient(
        api_base_url=args.api,
        oauth=oauth_config(),
        token=json.loads(args.token_json),
        budget=SharedBudget(args.owner, priority=Priority(args.priority)),
        max_retries=20,
        max_retry_seconds=120,
        on_send=count_api_call if args.area else None,
    )
    print("ready", flush=True)
    sys.stdin.readline()  # every worker starts on the same signal
    started = time.time()
    with counted_as(args.area or "interactive"):
        for _ in range(args.calls):
            client.get_groups()
    print(
        json.dumps(
            {
                "operations": args.calls,
                "calls_made": client.calls_made,
                "started": started,
                "finished": time.time(),
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
