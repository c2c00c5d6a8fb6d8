"""A streaming reader for the upload target's multipart form (HTTP layer of media uploads).

S3 takes the part named `file` as the object's bytes whether or not the part carries a filename
(clients such as Pinterest's quickstart send `files={"file": (None, fileobj)}`), so the file is
streamed to a temporary file by its name, never decoded as text; every other part is a short text field.
"""

from __future__ import annotations

import hashlib
import tempfile
from typing import Any

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from pinsandbox.organic.media.service import MAX_UPLOAD_BYTES, UploadedFile, UploadRejected

MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 50
_MALFORMED = UploadRejected(400, "MalformedPOSTRequest", "The body of your POST request is not well-formed "
                                                         "multipart/form-data.")


class _Form:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.file: UploadedFile | None = None
        self.file_count = 0
        self.ended = False
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""
        self._name: str | None = None
        self._is_file = False
        self._buffer = bytearray()
        self._stream: Any = None
        self._size = 0
        self._md5 = hashlib.md5()
        self._sha = hashlib.sha256()

    # python-multipart callbacks
    def on_part_begin(self) -> None:
        self._headers, self._buffer, self._name = {}, bytearray(), None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name")
        if name is None:
            raise _MALFORMED
        self._name = name.decode("utf-8", "replace")
        self._is_file = self._name == "file"
        if self._is_file:
            self.file_count += 1
            if self.file_count == 1:
                self._stream = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
                self._content_type = self._headers.get(b"content-type", b"").decode("latin-1") or None

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._is_file:
            if self.file_count != 1:
                return
            self._size += len(chunk)
            if self._size > MAX_UPLOAD_BYTES:
                raise UploadRejected(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
            self._md5.update(chunk)
            self._sha.update(chunk)
            self._stream.write(chunk)
        else:
            self._buffer += chunk
            if len(self._buffer) > MAX_FIELD_BYTES:
                raise UploadRejected(400, "MaxPostPreDataLengthExceeded", "Your POST request fields preceding the "
                                                                          "upload file were too large.")

    def on_part_end(self) -> None:
        if self._is_file:
            if self.file_count == 1:
                self._stream.seek(0)
                self.file = UploadedFile(stream=self._stream, size=self._size, md5=self._md5.hexdigest(),
                                         sha256=self._sha.hexdigest(), content_type=self._content_type)
        elif self._name is not None:
            if len(self.fields) >= MAX_FIELDS:
                raise UploadRejected(400, "InvalidArgument", f"The form has more than {MAX_FIELDS} fields.")
            self.fields[self._name] = bytes(self._buffer).decode("utf-8", "replace")

    def on_end(self) -> None:
        self.ended = True

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()


async def read_form(request: Request) -> _Form:
    """Parse the request body as multipart/form-data, streaming; UploadRejected when it is not."""
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRejected(412, "PreconditionFailed", "Bucket POST must be of the enclosure-type "
                                                        "multipart/form-data")
    form = _Form()
    callbacks = {name: getattr(form, name) for name in (
        "on_part_begin", "on_header_field", "on_header_value", "on_header_end", "on_headers_finished",
        "on_part_data", "on_part_end", "on_end")}
    try:
        parser = MultipartParser(boundary, callbacks)
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        form.close()
        raise _MALFORMED from None
    except UploadRejected:
        form.close()
        raise
    if not form.ended:
        form.close()
        raise _MALFORMED
    return form
