"""Audit actions become an enum (``AuditAction``, one ``<object>.<verb>`` scheme) and entries
get a structured ``changes`` field. Entries stored under the old names are renamed, so the
audit log's filter by action still finds them; going back renames them again."""

from django.db import migrations, models

# Frozen here (not read from accounts.models): a migration must keep meaning what it did.
RENAMED = {
    "organizers.suspend_bulk": "organizer.bulk_suspend",
    "organizers.reactivate_bulk": "organizer.bulk_reactivate",
    "organizers.import_preview": "import.preview",
    "organizers.import_start": "import.start",
    "organizers.import": "import.run",
}


def rename_forwards(apps, schema_editor):
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    for old, new in RENAMED.items():
        AuditEntry.objects.filter(action=old).update(action=new)


def rename_backwards(apps, schema_editor):
    AuditEntry = apps.get_model("accounts", "AuditEntry")
    for old, new in RENAMED.items():
        AuditEntry.objects.filter(action=new).update(action=old)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_stored_token_identity"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="changes",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("user.sign_in", "User: sign in"),
                    ("user.connect", "User: link a GoTo sign-in"),
                    ("user.create", "User: create"),
                    ("role.change", "Role: change"),
                    ("role.scope", "Role: scope to groups"),
                    ("access.grant", "Access: grant"),
                    ("access.revoke", "Access: revoke"),
                    ("service_connection.change", "Service connection: change"),
                    ("sync.trigger", "Sync: refresh now"),
                    ("organizer.invite", "Organizer: invite"),
                    ("organizer.recheck", "Organizer: re-check"),
                    ("organizer.reconcile", "Organizer: re-read after a lost answer"),
                    ("organizer.suspend", "Organizer: suspend"),
                    ("organizer.reactivate", "Organizer: reactivate"),
                    ("organizer.delete", "Organizer: delete"),
                    ("organizer.bulk_suspend", "Organizer: suspend several"),
                    ("organizer.bulk_reactivate", "Organizer: reactivate several"),
                    ("import.preview", "Import: preview a file"),
                    ("import.start", "Import: start"),
                    ("import.run", "Import: run"),
                    ("meeting.create", "Meeting: create"),
                    ("meeting.update", "Meeting: update"),
                    ("meeting.delete", "Meeting: delete"),
                    ("meeting.start", "Meeting: start"),
                    ("meeting.reconcile", "Meeting: re-read after a lost answer"),
                    ("digest.subscribe", "Digest: subscribe"),
                    ("digest.unsubscribe", "Digest: unsubscribe"),
                    ("api_token.create", "API token: create"),
                    ("api_token.revoke", "API token: revoke"),
                ],
                db_index=True,
                max_length=64,
            ),
        ),
        migrations.RunPython(rename_forwards, rename_backwards),
    ]
