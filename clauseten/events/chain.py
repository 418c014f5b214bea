"""How an event is hashed. Kept apart so the writer and the verifier can never disagree."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64


def canonical(value):
    """JSON-safe form of a value, exactly as it will be stored and hashed (dates as ISO strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def event_hash(*, prev_hash: str, seq: int, at, actor_id, actor_name: str, subject_type: str, subject_id: str,
               record: str, verb: str, changes: dict, comment: str) -> str:
    body = json.dumps(
        [seq, at.isoformat(timespec="microseconds"), actor_id, actor_name, subject_type, str(subject_id),
         record, verb, changes, comment],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()
