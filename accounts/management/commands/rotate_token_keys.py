"""Re-encrypt every stored token with the newest key in TOKEN_ENCRYPTION_KEYS.

Put the new key first in the list, keep the old ones after it, run this, then drop the old keys.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import StoredToken


class Command(BaseCommand):
    help = "Re-encrypt every stored GoTo token with the newest TOKEN_ENCRYPTION_KEYS key."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            # Reading decrypts with any configured key; saving encrypts with the first one.
            for stored in StoredToken.objects.select_for_update().iterator():
                stored.save(update_fields=["access_token", "refresh_token"])
                count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} stored token(s)."))
