"""Writes to organizers: the only module here that calls the GoTo API.

Each service calls the API, then updates the cache from the answer (write-through) and records
an audit entry in the same transaction. On an API error it records a failure audit entry,
leaves the cached rows as they were, and raises :class:`OrganizerActionError`, whose
``message`` — the sentence of :func:`portal.api_outcomes.describe`, the same in every area —
the view shows as it is; a sign-in GoTo no longer accepts raises ``TokenRevoked`` instead (the
middleware signs the user out). Retries are the client's alone (its retry policy): nothing
here sends a request again, the import included. When GoTo's answer to a write was lost
(``OutcomeUnknown``), the service first looks at GoTo whether it was done, and otherwise says
the outcome is unknown and has :func:`organizer_reconcile` re-read the organizer later (see
:mod:`portal.api_outcomes`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.audit import audit_changes, audit_record
from accounts.models import AuditAction, AuditOutcome
from accounts.tokens import TokenRevoked
from gotomeeting import errors
from gotomeeting import models as api
from portal.api_outcomes import (
    ActionFailed,
    action_failed,
    audit_detail,
    check_outcome,
    describe,
    mark_done_late,
    reconcile_client,
    reconcile_later,
    without_addresses,
)
from portal.locks import LockBusy, cache_lock

from .csv_import import GroupRef, ParsedCsv, validate_rows
from .models import (
    Group,
    ImportJob,
    ImportRow,
    ImportRowOutcome,
    ImportStatus,
    Organizer,
    OrganizerStatus,
)

logger = logging.getLogger(__name__)


class OrganizerActionError(ActionFailed):
    """An action on an organizer failed; ``message`` is written for the admin (the one shape
    of :class:`portal.api_outcomes.ActionFailed`, named for this area)."""


class ImportEnqueueError(Exception):
    """The import could not be handed to the task queue (the job stays previewable)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _fail(
    *,
    acting_user,
    action: AuditAction,
    organizer: Organizer | None,
    label: str,
    message: str = "",
    api_error: errors.ApiError | None = None,
    what: str = "",
    advice: str | None = None,
) -> Exception:
    """Record a failure audit entry (outside any rolled-back block) and build the error to
    raise: ``message`` for a refusal of our own, else the vocabulary's sentence for
    ``api_error`` (``portal.api_outcomes.describe``) — ``TokenRevoked`` when GoTo no longer
    accepts the sign-in."""
    if api_error is not None:
        error = action_failed(
            api_error, what=what, advice=advice, message=message, failure=OrganizerActionError
        )
        message = getattr(error, "message", str(error))
    else:
        error = OrganizerActionError(message)
    detail = audit_detail(message, api_error)
    if organizer is not None and organizer.pk:
        audit_record(
            actor=acting_user,
            action=action,
            target=organizer,
            outcome=AuditOutcome.FAILURE,
            detail=detail,
        )
    else:
        audit_record(
            actor=acting_user,
            action=action,
            target_type="organizer",
            target_label=label,
            outcome=AuditOutcome.FAILURE,
            detail=detail,
        )
    return error


def _label(organizer: Organizer) -> str:
    if organizer.full_name:
        return f"{organizer.full_name} ({organizer.email})"
    return organizer.email


def _products(products: Iterable[api.ProductType]) -> str:
    return ",".join(p.value for p in products)


# The Celery task that runs a started import (organizers.tasks, registered by the app's ready()).
IMPORT_TASK = "organizers.import_organizers"
_LATE_DETAIL = " GoTo's answer was lost; re-reading at GoTo showed it was done."


def _group_for_key(group_key: int | None) -> Group | None:
    if group_key is None:
        return None
    return Group.objects.filter(group_key=group_key).first()


# --- invite and re-check --------------------------------------------------------------------


def organizer_invite(
    *,
    client,
    email: str,
    first_name: str,
    last_name: str,
    group: Group,
    product_type: str,
    acting_user,
) -> Organizer:
    """Create an organizer at GoTo in ``group`` and cache it (pending until it has a key).

    A cached organizer with this email that was deleted earlier is brought back (same row, so
    its old meetings keep their owner). 409 from GoTo raises with ``api_error`` a Conflict.
    """
    email = email.strip()
    label = f"{first_name} {last_name} ({email})".strip()
    what = f"invite {email}"
    existing = Organizer.objects.filter(email__iexact=email).first()
    if existing is not None and existing.deleted_at is None:
        raise _fail(
            acting_user=acting_user,
            action=AuditAction.ORGANIZER_INVITE,
            organizer=existing,
            label=label,
            message=f"Could not {what}: an organizer with this email is already in the portal.",
        )
    try:
        request = api.OrganizerRequest(
            email=email,
            first_name=first_name,
            last_name=last_name,
            product_type=api.ProductType(product_type),
        )
    except ValueError as exc:
        raise _fail(
            acting_user=acting_user,
            action=AuditAction.ORGANIZER_INVITE,
            organizer=None,
            label=label,
            message=f"Could not {what}: {exc}.",
        ) from exc
    late = False
    try:
        created = client.create_organizer(request, group_key=group.group_key)
    except errors.OutcomeUnknown as exc:
        created = check_outcome(client, lambda: client.get_organizer_by_email(email))
        if created is None:
            # No row to re-read yet: the organizers sync brings it in if GoTo has it.
            reconcile_later("organizers.sync_organizers", triggered_by=f"re-check: {what}")
            raise _fail(
                acting_user=acting_user,
                action=AuditAction.ORGANIZER_INVITE,
                organizer=existing,
                label=label,
                what=what,
                advice="inviting again is safe: GoTo refuses a second invitation for the same "
                "email.",
                api_error=exc,
            ) from exc
        late = True
    except errors.ApiError as exc:
        raise _fail(
            acting_user=acting_user,
            action=AuditAction.ORGANIZER_INVITE,
            organizer=existing,
            label=label,
            what=what,
            api_error=exc,
        ) from exc
    if isinstance(created, list | tuple):  # the API answers an array of one
        created = created[0] if created else None
    key = getattr(created, "organizer_key", None)
    products = [api.ProductType(product_type)]
    if products[0] in (api.ProductType.G2W, api.ProductType.G2T):
        products.insert(0, api.ProductType.G2M)  # GoTo gives G2W/G2T organizers G2M too
    now = timezone.now()
    with transaction.atomic():
        organizer = existing or Organizer(email=getattr(created, "email", "") or email)
        if key is not None:
            Organizer.objects.filter(organizer_key=key).exclude(pk=organizer.pk).update(
                organizer_key=None
            )
        organizer.organizer_key = key
        organizer.first_name = first_name
        organizer.last_name = last_name
        organizer.group = group
        organizer.status = OrganizerStatus.ACTIVE
        organizer.products = _products(products)
        organizer.deleted_at = None
        organizer.synced_at = now
        organizer.save()
        audit_record(
            actor=acting_user,
            action=AuditAction.ORGANIZER_INVITE,
            target=organizer,
            outcome=AuditOutcome.SUCCESS,
            detail=(
                f"Invited into group {group.name} as {product_type}; "
                + ("pending confirmation (no key yet)." if key is None else f"key {key}.")
                + (_LATE_DETAIL if late else "")
            ),
        )
    return mark_done_late(organizer) if late else organizer


def organizer_recheck(*, client, organizer: Organizer, acting_user) -> Organizer:
    """Ask GoTo for the organizer by email and update the cache (key, status, products…)."""
    what = f"re-check {_label(organizer)}"
    try:
        answer = client.get_organizer_by_email(organizer.email)
    except errors.ApiError as exc:
        raise _fail(
            acting_user=acting_user,
            action=AuditAction.ORGANIZER_RECHECK,
            organizer=organizer,
            label=_label(organizer),
            what=what,
            api_error=exc,
        ) from exc
    if isinstance(answer, list | tuple):
        answer = answer[0] if answer else None
    if answer is None:
        raise _fail(
            acting_user=acting_user,
            action=AuditAction.ORGANIZER_RECHECK,
            organizer=organizer,
            label=_label(organizer),
            message=f"Could not {what}: GoTo has no organizer with this email.",
        )
    before = (organizer.organizer_key, organizer.status, organizer.products)
    with transaction.atomic():
        _apply_answer(organizer, answer)
        after = (organizer.organizer_key, organizer.status, organizer.products)
        state = _state_at_goto(organizer)
        audit_record(
            actor=acting_user,
            action=AuditAction.ORGANIZER_RECHECK,
            target=organizer,
            outcome=AuditOutcome.SUCCESS,
            detail=f"{'Changed' if after != before else 'Unchanged'}: {state}.",
        )
    return organizer


def _apply_answer(organizer: Organizer, answer: api.Organizer) -> None:
    """Update and save the cached row from GoTo's answer about it (inside a transaction)."""
    if answer.organizer_key is not None:
        Organizer.objects.filter(organizer_key=answer.organizer_key).exclude(
            pk=organizer.pk
        ).update(organizer_key=None)
    organizer.organizer_key = answer.organizer_key
    if answer.status is not None:
        organizer.status = answer.status.value
    if answer.products:
        organizer.products = _products(answer.products)
    organizer.first_name = answer.first_name or organizer.first_name
    organizer.last_name = answer.last_name or organizer.last_name
    organizer.group = _group_for_key(answer.group_key) or organizer.group
    if answer.max_attendees is not None:
        organizer.max_attendees = answer.max_attendees
    organizer.synced_at = timezone.now()
    organizer.save()


def _state_at_goto(organizer: Organizer) -> str:
    if organizer.is_pending:
        return "still pending confirmation"
    return f"key {organizer.organizer_key}, {organizer.status}"


def _at_goto(client, organizer: Organizer) -> api.Organizer | None:
    """GoTo's record of the organizer (by key, or by email while pending); None when gone."""
    try:
        if organizer.organizer_key is not None:
            return client.get_organizer(organizer.organizer_key)
        return client.get_organizer_by_email(organizer.email)
    except errors.NotFound:
        return None


def _reconcile_later(organizer: Organizer, acting_user) -> None:
    reconcile_later(
        "organizers.reconcile_organizer",
        organizer_id=organizer.pk,
        acting_user_id=getattr(acting_user, "pk", None),
    )


def organizer_reconcile(*, organizer: Organizer, acting_user=None, client=None) -> Organizer:
    """Re-read an organizer at GoTo after a write whose outcome was unknown; cache what it says.

    Gone at GoTo: the row is marked deleted (its meetings are kept). Errors GoTo may get over
    (429, 5xx, no answer) are raised for the task to retry; ``client`` defaults to the acting
    admin's token, else the service connection.
    """
    if client is None:
        client = reconcile_client(acting_user, or_service=True)
        if client is None:
            logger.info("No GoTo connection to re-check %s; the sync will.", organizer.email)
            return organizer
    answer = _at_goto(client, organizer)
    with transaction.atomic():
        if answer is None:
            if organizer.deleted_at is None:
                organizer.deleted_at = timezone.now()
                organizer.synced_at = organizer.deleted_at
                organizer.save(update_fields=["deleted_at", "synced_at"])
            state = "gone at GoTo: marked deleted; its meetings are kept"
        else:
            _apply_answer(organizer, answer)
            state = _state_at_goto(organizer)
        audit_record(
            actor=acting_user,
            action=AuditAction.ORGANIZER_RECONCILE,
            target=organizer,
            outcome=AuditOutcome.SUCCESS,
            detail=f"Re-read at GoTo after an answer was lost: {state}.",
        )
    return organizer


# --- status ---------------------------------------------------------------------------------


def _set_status(*, client, organizer: Organizer, acting_user, status: str) -> Organizer:
    verb = "suspend" if status == OrganizerStatus.SUSPENDED else "reactivate"
    action = (
        AuditAction.ORGANIZER_SUSPEND
        if status == OrganizerStatus.SUSPENDED
        else AuditAction.ORGANIZER_REACTIVATE
    )
    what = f"{verb} {_label(organizer)}"

    def refuse(message: str) -> OrganizerActionError:
        return _fail(
            acting_user=acting_user,
            action=action,
            organizer=organizer,
            label=_label(organizer),
            message=f"Could not {what}: {message}",
        )

    if organizer.deleted_at is not None:
        raise refuse("it has been deleted.")
    if organizer.is_pending:
        raise refuse("it has not confirmed its invitation yet (no organizer key).")
    if organizer.status == status:
        raise refuse(f"it is already {OrganizerStatus(status).label.lower()}.")
    late = False
    try:
        client.update_organizer_status(organizer.organizer_key, api.OrganizerStatus(status))
    except errors.OutcomeUnknown as exc:
        answer = check_outcome(client, lambda: _at_goto(client, organizer))
        if answer is None or answer.status != api.OrganizerStatus(status):
            _reconcile_later(organizer, acting_user)
            raise _fail(
                acting_user=acting_user,
                action=action,
                organizer=organizer,
                label=_label(organizer),
                what=what,
                api_error=exc,
            ) from exc
        late = True
    except errors.ApiError as exc:
        raise _fail(
            acting_user=acting_user,
            action=action,
            organizer=organizer,
            label=_label(organizer),
            what=what,
            api_error=exc,
        ) from exc
    with transaction.atomic():
        previous = organizer.status
        organizer.status = status
        organizer.synced_at = timezone.now()
        organizer.save(update_fields=["status", "synced_at"])
        audit_record(
            actor=acting_user,
            action=action,
            target=organizer,
            outcome=AuditOutcome.SUCCESS,
            detail=f"Status {previous} → {status}." + (_LATE_DETAIL if late else ""),
            changes=audit_changes({"status": previous}, {"status": status}),
        )
    return mark_done_late(organizer) if late else organizer


def organizer_suspend(*, client, organizer: Organizer, acting_user) -> Organizer:
    """Suspend an organizer at GoTo (frees the licence; keeps its history)."""
    return _set_status(
        client=client,
        organizer=organizer,
        acting_user=acting_user,
        status=OrganizerStatus.SUSPENDED,
    )


def organizer_reactivate(*, client, organizer: Organizer, acting_user) -> Organizer:
    """Make a suspended organizer active again at GoTo."""
    return _set_status(
        client=client, organizer=organizer, acting_user=acting_user, status=OrganizerStatus.ACTIVE
    )


# --- delete -----------------------------------------------------------------------------------


def organizer_delete(*, client, organizer: Organizer, acting_user) -> Organizer:
    """Delete an organizer at GoTo: by key, or by email while pending (no key).

    The cached row is kept and marked ``deleted_at`` so its meetings keep their owner.
    """
    what = f"delete {_label(organizer)}"
    if organizer.deleted_at is not None:
        raise _fail(
            acting_user=acting_user,
            action=AuditAction.ORGANIZER_DELETE,
            organizer=organizer,
            label=_label(organizer),
            message=f"Could not {what}: it is already deleted.",
        )
    late = False
    how = (
        f"by key {organizer.organizer_key}"
        if organizer.organizer_key is not None
        else "by email (pending invitation)"
    )
    try:
        if organizer.organizer_key is not None:
            client.delete_organizer(organizer.organizer_key)
        else:
            client.delete_organizer_by_email(organizer.email)
    except errors.OutcomeUnknown as exc:
        gone = check_outcome(client, lambda: _at_goto(client, organizer) is None)
        if not gone:
            _reconcile_later(organizer, acting_user)
            raise _fail(
                acting_user=acting_user,
                action=AuditAction.ORGANIZER_DELETE,
                organizer=organizer,
                label=_label(organizer),
                what=what,
                api_error=exc,
            ) from exc
        late = True
    except errors.ApiError as exc:
        raise _fail(
            acting_user=acting_user,
            action=AuditAction.ORGANIZER_DELETE,
            organizer=organizer,
            label=_label(organizer),
            what=what,
            api_error=exc,
        ) from exc
    with transaction.atomic():
        organizer.deleted_at = timezone.now()
        organizer.synced_at = organizer.deleted_at
        organizer.save(update_fields=["deleted_at", "synced_at"])
        audit_record(
            actor=acting_user,
            action=AuditAction.ORGANIZER_DELETE,
            target=organizer,
            outcome=AuditOutcome.SUCCESS,
            detail=f"Deleted at GoTo {how}; the cached row and its meetings are kept."
            + (_LATE_DETAIL if late else ""),
        )
    return mark_done_late(organizer) if late else organizer


# --- bulk ---------------------------------------------------------------------------------------


@dataclass
class BulkOutcome:
    organizer: Organizer
    ok: bool
    message: str


@dataclass
class BulkResult:
    action: str
    outcomes: list[BulkOutcome] = field(default_factory=list)

    @property
    def succeeded(self) -> list[BulkOutcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[BulkOutcome]:
        return [o for o in self.outcomes if not o.ok]


def _bulk(
    *,
    service,
    verb: str,
    action: AuditAction,
    client,
    organizers: Iterable[Organizer],
    acting_user,
) -> BulkResult:
    """Run ``service`` on each organizer. After an error that stops a batch (429, no answer:
    the client has already waited and retried) the rest are not attempted; a sign-in GoTo no
    longer accepts ends the batch (``TokenRevoked``, after its audit entry)."""
    result = BulkResult(action=verb)
    stopped: OrganizerActionError | None = None
    ended: TokenRevoked | None = None
    try:
        for organizer in organizers:
            if stopped is not None or ended is not None:
                reason = (
                    "the GoTo sign-in ended"
                    if ended is not None
                    else (stopped.outcome.reason if stopped.outcome else "")
                )
                result.outcomes.append(
                    BulkOutcome(organizer, False, f"Not attempted: {reason}".strip())
                )
                continue
            try:
                service(client=client, organizer=organizer, acting_user=acting_user)
            except TokenRevoked as exc:
                # The ones done before stay done; the entry below says so, then the sign-out.
                result.outcomes.append(BulkOutcome(organizer, False, "The GoTo sign-in ended."))
                ended = exc
            except OrganizerActionError as exc:
                result.outcomes.append(BulkOutcome(organizer, False, exc.message))
                if exc.stops_batch:
                    stopped = exc
            else:
                result.outcomes.append(BulkOutcome(organizer, True, f"{verb.capitalize()}ed."))
    finally:
        if result.outcomes:
            audit_record(
                actor=acting_user,
                action=action,
                target_type="organizer",
                target_label=f"{len(result.outcomes)} organizers",
                outcome=AuditOutcome.SUCCESS if not result.failed else AuditOutcome.FAILURE,
                detail=f"{len(result.succeeded)} done, {len(result.failed)} failed."
                + (" Stopped: the GoTo sign-in ended." if ended is not None else ""),
            )
    if ended is not None:
        raise ended
    return result


def organizers_suspend_bulk(*, client, organizers: Iterable[Organizer], acting_user) -> BulkResult:
    """Suspend each organizer; one failing does not stop the others (a 429 does)."""
    return _bulk(
        service=organizer_suspend,
        verb="suspend",
        action=AuditAction.ORGANIZER_BULK_SUSPEND,
        client=client,
        organizers=organizers,
        acting_user=acting_user,
    )


def organizers_reactivate_bulk(
    *, client, organizers: Iterable[Organizer], acting_user
) -> BulkResult:
    """Reactivate each organizer; one failing does not stop the others (a 429 does)."""
    result = _bulk(
        service=organizer_reactivate,
        verb="reactivate",
        action=AuditAction.ORGANIZER_BULK_REACTIVATE,
        client=client,
        organizers=organizers,
        acting_user=acting_user,
    )
    for outcome in result.succeeded:
        outcome.message = "Reactivated."
    return result


# --- bulk import ---------------------------------------------------------------------------------


def organizers_import_prepare(*, parsed: ParsedCsv, filename: str, acting_user) -> ImportJob:
    """Check every row of an uploaded file and keep them as a previewable job (no API call)."""
    groups = [GroupRef(g.id, g.name, g.group_key) for g in Group.objects.all()]

    def email_exists(emails: set[str]) -> set[str]:
        found: set[str] = set()
        wanted = sorted(emails)
        for start in range(0, len(wanted), 500):
            found |= set(
                Organizer.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__in=wanted[start : start + 500], deleted_at__isnull=True)
                .values_list("email_lower", flat=True)
            )
        return found

    validate_rows(parsed, groups=groups, email_exists=email_exists)
    with transaction.atomic():
        job = ImportJob.objects.create(
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
            filename=filename[:255],
            delimiter=parsed.delimiter,
        )
        ImportRow.objects.bulk_create(
            [
                ImportRow(
                    job=job,
                    line_number=row.line_number,
                    email=row.email[:254],
                    first_name=row.first_name[:255],
                    last_name=row.last_name[:255],
                    group_name=row.group[:255],
                    product_type=row.product_type[:32],
                    group_id=row.group_id,
                    error=row.error[:500],
                    outcome=ImportRowOutcome.INVALID if row.error else ImportRowOutcome.WAITING,
                )
                for row in parsed.rows
            ],
            batch_size=500,
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.IMPORT_PREVIEW,
            target=job,
            target_type="import",
            outcome=AuditOutcome.SUCCESS,
            detail=f"{len(parsed.valid_rows)} valid and {len(parsed.invalid_rows)} invalid rows.",
        )
    return job


def organizers_import_start(*, job: ImportJob, acting_user) -> ImportJob:
    """Hand a previewed job to the task queue; on a broker error the job stays previewable."""
    from celery import current_app
    from kombu.exceptions import OperationalError

    if job.is_active:
        return job
    if job.status == ImportStatus.FINISHED:
        raise ImportEnqueueError("This import has already run; upload the file again to redo it.")
    if not job.rows.filter(outcome=ImportRowOutcome.WAITING).exists():
        raise ImportEnqueueError("This import has no valid rows to create.")
    claimed = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportStatus.PREVIEW, ImportStatus.FAILED]
    ).update(status=ImportStatus.QUEUED, enqueue_error="", error="")
    if not claimed:
        job.refresh_from_db()
        return job
    try:
        current_app.tasks[IMPORT_TASK].apply_async(
            args=[job.pk], retry=True, retry_policy={"max_retries": 1, "interval_start": 0}
        )
    except OperationalError as exc:
        message = (
            "The import could not be started: the task queue (Redis) is not reachable. "
            "Nothing was sent to GoTo; the preview is kept — try again in a moment."
        )
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.PREVIEW, enqueue_error=f"{message} ({without_addresses(str(exc))})"
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.IMPORT_START,
            target=job,
            target_type="import",
            outcome=AuditOutcome.FAILURE,
            detail=f"Task queue unreachable: {without_addresses(str(exc))}",
        )
        job.refresh_from_db()
        raise ImportEnqueueError(message) from exc
    audit_record(
        actor=acting_user,
        action=AuditAction.IMPORT_START,
        target=job,
        target_type="import",
        outcome=AuditOutcome.SUCCESS,
        detail=f"{job.rows.filter(outcome=ImportRowOutcome.WAITING).count()} rows queued.",
    )
    job.refresh_from_db()
    return job


def _import_row(*, client, row: ImportRow, acting_user) -> tuple[str, str, Organizer | None]:
    """Create one row's organizer; returns (outcome, detail, organizer).

    Sent once: the client's retry policy (``gotomeeting.retry_policy``) already waited out a
    429 as long as it allows, so a row still refused fails with the vocabulary's sentence and
    the import goes on with the next row.
    """
    existing = Organizer.objects.filter(email__iexact=row.email, deleted_at__isnull=True).first()
    if existing is not None:
        return ImportRowOutcome.EXISTS, "Already in the portal; not sent again.", existing
    if row.group is None:
        return ImportRowOutcome.FAILED, "Its group is no longer in the portal.", None
    try:
        organizer = organizer_invite(
            client=client,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            group=row.group,
            product_type=row.product_type,
            acting_user=acting_user,
        )
    except OrganizerActionError as exc:
        if isinstance(exc.api_error, errors.Conflict):
            return ImportRowOutcome.EXISTS, "Already exists at GoTo (409).", None
        return ImportRowOutcome.FAILED, exc.message, None
    state = "pending confirmation" if organizer.is_pending else "active"
    return ImportRowOutcome.CREATED, f"Invited ({state}).", organizer


def organizers_import_run(*, client, job: ImportJob, acting_user=None) -> ImportJob:
    """Create the waiting rows of ``job`` one by one, recording each row's outcome.

    Safe to run twice (a redelivered task): only rows still waiting are sent, and an email
    already in the cache, or a 409 from GoTo, counts as "already exists".
    """
    acting_user = acting_user or job.created_by
    timeout = int(getattr(settings, "CELERY_TASK_TIME_LIMIT", 960))
    try:
        with cache_lock(f"organizers-import:{job.pk}", timeout=timeout):
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.RUNNING, started_at=timezone.now()
            )
            try:
                for row in job.rows.filter(outcome=ImportRowOutcome.WAITING).select_related(
                    "group"
                ):
                    outcome, detail, organizer = _import_row(
                        client=client, row=row, acting_user=acting_user
                    )
                    ImportRow.objects.filter(pk=row.pk).update(
                        outcome=outcome,
                        detail=detail[:500],
                        organizer=organizer,
                        processed_at=timezone.now(),
                    )
            except Exception as exc:
                reason = _stop_reason(exc)
                ImportJob.objects.filter(pk=job.pk).update(
                    status=ImportStatus.FAILED, error=reason[:2000], finished_at=timezone.now()
                )
                # What was done before the stop is recorded too, not only the stop.
                audit_record(
                    actor=acting_user,
                    action=AuditAction.IMPORT_RUN,
                    target=job,
                    target_type="import",
                    outcome=AuditOutcome.FAILURE,
                    detail=f"Stopped: {reason} {_import_counts_text(job)}",
                )
                raise
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.FINISHED, finished_at=timezone.now()
            )
    except LockBusy:
        logger.info("Import %s is already running elsewhere; skipped.", job.pk)
        return job
    job.refresh_from_db()
    failed = job.rows.filter(outcome=ImportRowOutcome.FAILED).exists()
    audit_record(
        actor=acting_user,
        action=AuditAction.IMPORT_RUN,
        target=job,
        target_type="import",
        outcome=AuditOutcome.FAILURE if failed else AuditOutcome.SUCCESS,
        detail=_import_counts_text(job),
    )
    return job


def _import_counts_text(job: ImportJob) -> str:
    """How the rows of ``job`` ended so far: "3 created, 1 already existed, 0 failed." (and
    how many still wait, when some do)."""
    counts = {
        outcome: job.rows.filter(outcome=outcome).count()
        for outcome in (
            ImportRowOutcome.CREATED,
            ImportRowOutcome.EXISTS,
            ImportRowOutcome.FAILED,
            ImportRowOutcome.WAITING,
        )
    }
    text = (
        f"{counts[ImportRowOutcome.CREATED]} created, {counts[ImportRowOutcome.EXISTS]} "
        f"already existed, {counts[ImportRowOutcome.FAILED]} failed."
    )
    if counts[ImportRowOutcome.WAITING]:
        text += f" {counts[ImportRowOutcome.WAITING]} not sent yet."
    return text


def _stop_reason(exc: BaseException) -> str:
    """Why an import stopped, for the Admin: the vocabulary's sentence for GoTo's errors and a
    sign-in GoTo no longer accepts; the exception's own text for anything else."""
    if isinstance(exc, errors.ApiError | TokenRevoked):
        return describe(exc, what="go on with the import").message
    return str(exc) or type(exc).__name__


def organizers_import_abort(*, job: ImportJob, message: str) -> ImportJob:
    """Mark a queued job as stopped before it could send anything (e.g. no GoTo connection)."""
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        audit_record(
            actor=job.created_by,
            action=AuditAction.IMPORT_RUN,
            target=job,
            target_type="import",
            outcome=AuditOutcome.FAILURE,
            detail=message,
        )
    job.refresh_from_db()
    return job


def organizers_import_execute(*, job: ImportJob) -> ImportJob:
    """Run a queued import as the admin who uploaded it (their GoTo token, else the service
    connection); stop it with a message when there is no GoTo connection at all."""
    from accounts.connections import client_for_user, service_client

    try:
        try:
            if job.created_by is None:
                raise TokenRevoked("The uploader is gone.")
            client = client_for_user(
                job.created_by, deadline=settings.GOTO_BACKGROUND_DEADLINE_SECONDS
            )
        except TokenRevoked:
            from sync.budget import Priority

            client = service_client(priority=Priority.INTERACTIVE)  # an Admin waits on it
    except (TokenRevoked, errors.ApiError) as exc:
        return organizers_import_abort(
            job=job,
            message="No GoTo connection to create the organizers with: "
            + (str(exc) if isinstance(exc, TokenRevoked) else describe(exc).reason),
        )
    return organizers_import_run(client=client, job=job)
