"""Prepare the demo's people: ``python manage.py demo_setup`` (safe to run again).

- admin@acme.example: Admin (GoTo says so at sign-in anyway; this makes it so beforehand).
- manager@acme.example: a Manager scoped to one group: "Sales" if the cache has it, else the
  first cached group (by name). Without any cached group the Manager sees nothing yet (a Manager
  with no group never sees the whole account): ``make demo`` runs this command again after its
  first sync.
- organizer@acme.example is left to the first sign-in, which makes them an Organizer.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role
from accounts.services import AccessChangeRefused, user_access_update, user_ensure
from organizers.models import Group

ADMIN_EMAIL = "admin@acme.example"
MANAGER_EMAIL = "manager@acme.example"
MANAGER_GROUP_NAME = "Sales"


def demo_manager_group() -> Group | None:
    """The group the demo Manager is scoped to."""
    return (
        Group.objects.filter(name__iexact=MANAGER_GROUP_NAME).order_by("pk").first()
        or Group.objects.order_by("name", "pk").first()
    )


class Command(BaseCommand):
    help = "Make admin@acme.example an Admin and manager@acme.example a group-scoped Manager."

    def handle(self, *args, **options) -> None:
        try:
            self._set_up()
        except AccessChangeRefused as exc:
            raise CommandError(str(exc)) from exc

    def _set_up(self) -> None:
        admin, created = user_ensure(email=ADMIN_EMAIL)
        if admin.role != Role.ADMIN or not admin.portal_access:
            admin = user_access_update(
                user=admin, role=Role.ADMIN, portal_access=True, acting_user=None
            )
        self.stdout.write(f"{ADMIN_EMAIL}: Admin{' (created)' if created else ''}")

        manager, created = user_ensure(email=MANAGER_EMAIL)
        group = demo_manager_group()
        groups = [group] if group else []
        current = set(manager.managed_groups.values_list("pk", flat=True))
        if (
            manager.role != Role.MANAGER
            or not manager.portal_access
            or current != {g.pk for g in groups}
        ):
            manager = user_access_update(
                user=manager,
                role=Role.MANAGER,
                portal_access=True,
                managed_groups=groups,
                acting_user=None,
            )
        scope = f'group "{group.name}"' if group else "no group yet (sync, then run this again)"
        self.stdout.write(
            f"{MANAGER_EMAIL}: Manager scoped to {scope}{' (created)' if created else ''}"
        )
