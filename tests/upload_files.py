"""Files as they really are, for the tests of upload limits (organizations.uploads)."""

import io
import struct
import zipfile
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image(fmt="PNG", width=40, height=20) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "#0b6e69").save(buffer, format=fmt)
    return buffer.getvalue()


def office(main_part: str, *extra: str) -> bytes:
    """An Office Open XML file as far as its container goes: a zip with its parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in (main_part, *extra):
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels in a few bytes: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())
