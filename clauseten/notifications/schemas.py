import datetime as dt
from uuid import UUID

from ninja import Field, Schema


class EndpointIn(Schema):
    url: str = Field(max_length=500)
    event_kinds: list[str] = []
    secret: str = ""


class EndpointPatch(Schema):
    url: str | None = None
    event_kinds: list[str] | None = None
    secret: str | None = None
    active: bool | None = None
    version: int | None = None


class EndpointOut(Schema):
    id: int
    url: str
    event_kinds: list[str]
    secret: str
    active: bool
    version: int
    created_at: dt.datetime


class DeliveryOut(Schema):
    uuid: UUID
    endpoint: int = Field(alias="endpoint_id")
    event_seq: int = Field(alias="event.seq")
    verb: str = Field(alias="event.verb")
    record: str = Field(alias="event.record")
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: dt.datetime
    delivered_at: dt.datetime | None
    created_at: dt.datetime


class CalendarOut(Schema):
    active: bool
    prefix: str = ""
    created_at: dt.datetime | None = None
    url: str | None = Field(None, description="Only in the answer that made the token; never shown again.")


class RevokedOut(Schema):
    revoked: int
