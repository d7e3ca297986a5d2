"""The local cache of the account's groups and organizers, refreshed by the sync."""

from __future__ import annotations

from django.db import models


class Group(models.Model):
    """A GoTo group; ``parent`` is None for a top-level group."""

    group_key = models.BigIntegerField(unique=True)
    name = models.CharField(max_length=255)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    status = models.CharField(max_length=32, blank=True)
    num_organizers = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class Organizer(models.Model):
    """A GoTo organizer. No ``organizer_key`` means the invitation is not yet confirmed."""

    organizer_key = models.BigIntegerField(null=True, blank=True, unique=True)
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="organizers"
    )
    status = models.CharField(
        max_length=16, choices=OrganizerStatus.choices, default=OrganizerStatus.ACTIVE
    )
    # Comma-separated product types, e.g. "G2M,G2W".
    products = models.CharField(max_length=64, blank=True)
    max_attendees = models.PositiveIntegerField(null=True, blank=True)
    # Deleted at GoTo (by us or elsewhere): kept so its meetings keep their owner.
    deleted_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        indexes = [models.Index(fields=["group", "status"])]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_pending(self) -> bool:
        return self.organizer_key is None

    @property
    def product_list(self) -> list[str]:
        return [p for p in self.products.split(",") if p]
