"""Checking uploaded evidence files: size, type, a safe name, and the SHA-256 of the content."""

import hashlib
import mimetypes
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.utils.text import get_valid_filename


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int
    sha256: str


def check_upload(upload, field: str = "file") -> CheckedUpload:
    """Refuse files over the limit or of a type not allowed; the client's content type is not trusted."""
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > limit:
        raise ValidationError({field: f"{upload.name} is {upload.size / 1048576:.1f} MB; "
                                      f"the limit is {settings.MAX_UPLOAD_MB} MB."})
    if upload.size == 0:
        raise ValidationError({field: f"{upload.name} is empty."})
    try:
        name = get_valid_filename(upload.name.replace("\\", "/").rsplit("/", 1)[-1])[:200]
    except SuspiciousFileOperation:  # get_valid_filename refuses names that reduce to nothing
        raise ValidationError({field: "The file name is not usable."}) from None
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in settings.ALLOWED_UPLOAD_EXTENSIONS:
        allowed = ", ".join(settings.ALLOWED_UPLOAD_EXTENSIONS)
        raise ValidationError({field: f"Files of type '.{extension}' are not accepted (allowed: {allowed})."})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return CheckedUpload(name=name, content_type=content_type, size=upload.size, sha256=digest.hexdigest())
