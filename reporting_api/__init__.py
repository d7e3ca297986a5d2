"""The read-only reporting API for BI tools (``/api/v1/``) and the personal access tokens that
open it (``/portal/profile/tokens/``).

Why Django REST Framework with drf-spectacular, not django-ninja: the data teams who connect
Power BI, Tableau or Excel have met DRF's conventions (``next`` links, ``{"detail": ...}``
errors, ``Retry-After`` on 429) in many other APIs; DRF's cursor pagination, throttling against
the Django cache, and pluggable authentication are the three things this API needs, each a
class to configure rather than code to write; and drf-spectacular derives the OpenAPI document
from the same serializers that write the responses, so the schema test checks the real thing.
django-ninja would have meant pydantic schemas beside the models and hand-written cursors.
The portal's pages stay plain Django: only ``/api/v1/`` goes through DRF.
"""
