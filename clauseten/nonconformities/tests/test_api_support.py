"""A small client for the API tests: one signed-in person per instance, JSON in and out. (No tests here.)"""

import datetime as dt
import json

from django.test import Client
from django.utils import timezone

BASE = "/api/v1"


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


class Api:
    def __init__(self, user=None):
        self.client = Client()
        if user is not None:
            self.client.force_login(user)

    def get(self, path, **query):
        return self.client.get(BASE + path, query)

    def post(self, path, body=None, **kwargs):
        return self.client.post(BASE + path, json.dumps(body or {}), content_type="application/json", **kwargs)

    def patch(self, path, body):
        return self.client.patch(BASE + path, json.dumps(body), content_type="application/json")

    def upload(self, path, name, content: bytes, **fields):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(BASE + path, {"file": SimpleUploadedFile(name, content), **fields})

    def step(self, reference, **body):
        return self.post(f"/nonconformities/{reference}/transitions", body)


def report_body(**fields) -> dict:
    body = {"title": "Server room door propped open", "description": "Found the door wedged open at 18:00.",
            "requirement": "ISO/IEC 27001:2022 A.7.1", "area": "Data centre", "detected_on": days(0),
            "source": "inspection"}
    body.update(fields)
    return body
