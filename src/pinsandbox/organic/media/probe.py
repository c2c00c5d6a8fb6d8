"""What an uploaded file is: reads the box structure of an ISO base media file (MP4, MOV, M4V), the
video formats Pinterest takes for video Pins, without decoding anything.

A usable video has a movie header (`moov/mvhd`: timescale and duration) and a video track
(`trak` whose `mdia/hdlr` handler is `vide`, with its size in `tkhd`). Anything else is unusable:
the upload then ends in status `failed`, as Pinterest's processing does for a file that is not a video.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

# Top-level box types that may open an MP4/MOV file (QuickTime files may lack `ftyp`).
_FIRST_BOXES = {b"ftyp", b"moov", b"wide", b"free", b"skip", b"mdat", b"pnot"}
_CONTAINERS = {b"trak", b"mdia"}
MAX_MOOV_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class VideoInfo:
    duration_ms: int
    width: int
    height: int
    brand: str


class Unusable(Exception):
    """The file is not a video Pinterest could process; the message says why."""


def _boxes(data: bytes, start: int = 0, end: int | None = None):
    """(type, payload start, payload end) of the boxes laid one after another in data[start:end]."""
    end = len(data) if end is None else end
    i = start
    while i + 8 <= end:
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        header = 8
        if size == 1:
            if i + 16 > end:
                return
            size = struct.unpack(">Q", data[i + 8:i + 16])[0]
            header = 16
        elif size == 0:
            size = end - i
        if size < header or i + size > end:
            return
        yield kind, i + header, i + size
        i += size


def _mvhd(payload: bytes) -> tuple[int, int] | None:
    if payload[0] == 1:
        return struct.unpack(">IQ", payload[20:32]) if len(payload) >= 32 else None
    return struct.unpack(">II", payload[12:20]) if len(payload) >= 20 else None


def _tkhd_size(payload: bytes) -> tuple[int, int] | None:
    base = 88 if payload[0] == 1 else 76  # width and height (16.16 fixed point) close the box
    if len(payload) < base + 8:
        return None
    width, height = struct.unpack(">II", payload[base:base + 8])
    return width >> 16, height >> 16


def _track(data: bytes, start: int, end: int) -> tuple[str | None, tuple[int, int] | None]:
    handler, size = None, None
    for kind, s, e in _boxes(data, start, end):
        if kind == b"tkhd" and e > s:
            size = _tkhd_size(data[s:e])
        elif kind == b"mdia":
            for sub, ss, se in _boxes(data, s, e):
                if sub == b"hdlr" and se - ss >= 12:
                    handler = data[ss + 8:ss + 12].decode("latin-1")
    return handler, size


def _read_top_level(f: BinaryIO, size: int) -> tuple[list[bytes], bytes | None, str]:
    """The top-level box types, the `moov` payload (read whole) and the major brand."""
    kinds: list[bytes] = []
    moov = None
    brand = ""
    pos = 0
    while pos + 8 <= size:
        f.seek(pos)
        head = f.read(16)
        box_size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if box_size == 1:
            if len(head) < 16:
                break
            box_size = struct.unpack(">Q", head[8:16])[0]
            header = 16
        elif box_size == 0:
            box_size = size - pos
        if box_size < header or pos + box_size > size:
            raise Unusable(f"the file is cut or damaged: box {kind!r} at byte {pos} runs past its end")
        if not kinds and kind not in _FIRST_BOXES:
            raise Unusable("the file is not an MP4, MOV or M4V video (no ISO base media file box at its start)")
        kinds.append(kind)
        if kind == b"ftyp":
            f.seek(pos + header)
            brand = f.read(4).decode("latin-1").strip()
        elif kind == b"moov":
            if box_size - header > MAX_MOOV_BYTES:
                raise Unusable("the movie header (moov) is larger than the sandbox reads")
            f.seek(pos + header)
            moov = f.read(box_size - header)
        pos += box_size
    return kinds, moov, brand


def probe(f: BinaryIO, size: int) -> VideoInfo:
    """Describe the video in the open file `f` of `size` bytes, or raise Unusable."""
    if size < 8:
        raise Unusable("the file is empty or too short to be a video")
    _, moov, brand = _read_top_level(f, size)
    if moov is None:
        raise Unusable("the video has no movie header (moov box)")
    timescale = duration = None
    video_size = None
    for kind, s, e in _boxes(moov):
        if kind == b"mvhd" and e > s:
            timescale, duration = _mvhd(moov[s:e]) or (None, None)
        elif kind == b"trak":
            handler, dims = _track(moov, s, e)
            if handler == "vide" and dims and dims[0] > 0 and dims[1] > 0 and video_size is None:
                video_size = dims
    if not timescale or duration is None:
        raise Unusable("the video has no usable movie header (mvhd: timescale and duration)")
    if video_size is None:
        raise Unusable("the file has no video track (an audio-only or empty movie)")
    return VideoInfo(duration_ms=round(duration * 1000 / timescale), width=video_size[0], height=video_size[1],
                     brand=brand or "qt")
