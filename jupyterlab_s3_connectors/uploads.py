"""Multipart uploads the proxy started: an upload ID is only good for its own key.

Some S3-compatible stores (moto among them) do not tie an upload ID to the key it was
created for: with an ID started elsewhere, UploadPart and CompleteMultipartUpload on a key
inside a connector's folder would write the object outside it. The proxy therefore
remembers each upload it started (connector, bucket, key, upload ID) and refuses UploadPart,
CompleteMultipartUpload, AbortMultipartUpload and ListParts for any other pairing.

The memory is bounded (least recently used first out). An upload the proxy does not
remember, e.g. after a restart, is re-derived from the endpoint: ListMultipartUploads with
the key as prefix must list that upload ID for exactly that key.

Pure logic, free of tornado.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from collections import OrderedDict
from dataclasses import dataclass

#: Uploads remembered at once (each entry is a few hundred bytes).
MAX_REMEMBERED_UPLOADS = 4096
#: Pages of ListMultipartUploads read to re-derive one upload.
MAX_LISTING_PAGES = 10
#: Largest XML answer parsed here (CreateMultipartUpload, ListMultipartUploads).
MAX_XML_ANSWER = 4 * 1024 * 1024

UploadKey = tuple[str, str, str, str]


class UploadRegistry:
    """A bounded set of (connector id, bucket, key, upload id), least recently used out."""

    def __init__(self, capacity: int = MAX_REMEMBERED_UPLOADS):
        self.capacity = capacity
        self._entries: OrderedDict[UploadKey, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, connector_id: str, bucket: str, key: str, upload_id: str) -> None:
        entry = (connector_id, bucket, key, upload_id)
        self._entries[entry] = None
        self._entries.move_to_end(entry)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def knows(self, connector_id: str, bucket: str, key: str, upload_id: str) -> bool:
        entry = (connector_id, bucket, key, upload_id)
        if entry not in self._entries:
            return False
        self._entries.move_to_end(entry)
        return True

    def forget(self, connector_id: str, bucket: str, key: str, upload_id: str) -> None:
        self._entries.pop((connector_id, bucket, key, upload_id), None)

    def record_answer(
        self,
        where: tuple[str, str, str],
        operation: str,
        upload_id: str | None,
        status: int,
        body: bytes,
    ) -> None:
        """Remember the upload a CreateMultipartUpload answer started; forget finished ones.

        ``where`` is (connector id, bucket, key) of the request.
        """
        if operation == "CreateMultipartUpload" and status == 200:
            created = parse_created_upload(body)
            if created is not None:
                self.add(*where, created[1])
        elif operation in ("CompleteMultipartUpload", "AbortMultipartUpload"):
            if 200 <= status < 300 and upload_id is not None:
                self.forget(*where, upload_id)


def _parse(body: bytes) -> ET.Element | None:
    if len(body) > MAX_XML_ANSWER or b"<!" in body:  # no DOCTYPE or entities
        return None
    try:
        return ET.fromstring(body)  # noqa: S314 - bounded size, no DTD (checked above)
    except ET.ParseError:
        return None


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if child.tag.rsplit("}", 1)[-1] == name]


def _text(element: ET.Element, name: str) -> str | None:
    found = _children(element, name)
    return found[0].text if found else None


def parse_created_upload(body: bytes) -> tuple[str, str] | None:
    """(key, upload id) of a CreateMultipartUpload answer, or None if it has none."""
    root = _parse(body)
    if root is None:
        return None
    key, upload_id = _text(root, "Key"), _text(root, "UploadId")
    if not key or not upload_id:
        return None
    return key, upload_id


@dataclass
class UploadsPage:
    """One page of ListMultipartUploads: the (key, upload id) pairs and where to go on."""

    uploads: list[tuple[str, str]]
    next_key_marker: str | None = None
    next_upload_id_marker: str | None = None


def parse_uploads_page(body: bytes) -> UploadsPage | None:
    root = _parse(body)
    if root is None:
        return None
    url_encoded = _text(root, "EncodingType") == "url"
    uploads = []
    for upload in _children(root, "Upload"):
        key, upload_id = _text(upload, "Key"), _text(upload, "UploadId")
        if key and upload_id:
            uploads.append((urllib.parse.unquote(key) if url_encoded else key, upload_id))
    page = UploadsPage(uploads)
    if _text(root, "IsTruncated") == "true":
        page.next_key_marker = _text(root, "NextKeyMarker")
        page.next_upload_id_marker = _text(root, "NextUploadIdMarker")
    return page


def list_uploads_query(key: str, page: UploadsPage | None) -> str:
    """The raw query of ListMultipartUploads for ``key`` (the next page after ``page``)."""
    params = [("prefix", key)]
    if page is not None and page.next_key_marker:
        params.append(("key-marker", page.next_key_marker))
        if page.next_upload_id_marker:
            params.append(("upload-id-marker", page.next_upload_id_marker))
    quoted = "&".join(f"{name}={urllib.parse.quote(value, safe='-_.~')}" for name, value in params)
    return "uploads&" + quoted
