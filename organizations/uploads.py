"""What each kind of upload may be, stated on its form and enforced on the server.

One ``UploadKind`` per kind of upload (logos, training and resource files, the HR file):
its size limit and the file types it takes. A type is judged by the file's own bytes,
not by the name or the content type the browser sends, which anyone can set: images
are opened with Pillow, a PDF must start as one, an Office document must be the zip
container with its main part, text must decode as UTF-8. ``apply_to`` puts the limit in
a form field's help text and ``accept=`` attribute and adds the kind as the field's
validator, so the refusal comes in form validation, before anything is stored; the kind
is itself a validator for a serializer field or a service.

Operators may raise or lower a size with the ``UPLOAD_MAX_BYTES`` setting, a dict by
kind name, e.g. ``{"material": 50 * 1024 * 1024}``. ``RequestSizeLimitMiddleware``
refuses, before anything reads it, a request body larger than any upload may be.
"""

import codecs
import math
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.errors import API_PREFIX, api_error

KB = 1024
MB = 1024 * KB
GB = 1024 * MB
# Enough of the start of a file to tell what it is; text is decoded this far.
_HEAD_BYTES = 64 * KB

Check = Callable[["_Upload", "FileType"], str | None]


@dataclass(frozen=True)
class FileType:
    """One type an upload may be: the names it may carry and how its bytes are checked.

    ``check`` answers None when the content is of this type, or the refusal's words."""

    name: Promise  # as a refusal names it: "a PDF file"
    extensions: tuple[str, ...]
    media_types: tuple[str, ...]  # for the file input's accept=, to guide the picker
    check: Check


class _Upload:
    """The uploaded file, read from its start whatever was read of it before, and left
    where it was afterwards (storage saves it from its start)."""

    def __init__(self, file, kind: "UploadKind"):
        self.file, self.kind = file, kind
        self.name = str(getattr(file, "name", "") or "")
        self.extension = self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""
        self._head: bytes | None = None
        self._zip_names: set[str] | None = None

    def read(self, reader):
        position = self.file.tell()
        self.file.seek(0)
        try:
            return reader(self.file)
        finally:
            self.file.seek(position)

    @property
    def head(self) -> bytes:
        if self._head is None:
            self._head = self.read(lambda stream: stream.read(_HEAD_BYTES))
        return self._head

    @property
    def zip_names(self) -> set[str]:
        """The names in the file as a zip archive; none if it is not one. Only the
        archive's directory is read: nothing is unpacked."""
        if self._zip_names is None:

            def names(stream) -> set[str]:
                try:
                    with zipfile.ZipFile(stream) as archive:
                        return set(archive.namelist())
                except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                    return set()

            self._zip_names = self.read(names)
        return self._zip_names


# --- What a file really is --------------------------------------------------------------

_FOUND = {
    "png": gettext_lazy("a PNG image"),
    "jpeg": gettext_lazy("a JPEG image"),
    "gif": gettext_lazy("a GIF image"),
    "webp": gettext_lazy("a WebP image"),
    "pdf": gettext_lazy("a PDF file"),
    "ole": gettext_lazy("an old-style Office file (.doc, .xls or .ppt)"),
    "program": gettext_lazy("a program"),
    "rtf": gettext_lazy("an RTF document"),
    "utf16": gettext_lazy("UTF-16 text"),
    "svg": gettext_lazy("an SVG image"),
    "html": gettext_lazy("an HTML page"),
    "word": gettext_lazy("a Word document"),
    "powerpoint": gettext_lazy("a PowerPoint presentation"),
    "excel": gettext_lazy("an Excel workbook"),
    "zip": gettext_lazy("a zip archive"),
}
# Found in a file named as text, these are not text (the others are, of a kind).
_BINARY = _FOUND.keys() - {"rtf", "utf16", "svg", "html"}
_OFFICE_PARTS = {
    "word": "word/document.xml",
    "powerpoint": "ppt/presentation.xml",
    "excel": "xl/workbook.xml",
}


def _sniff(upload: _Upload) -> str | None:
    """What the bytes say the file is (a key of _FOUND); None when not known."""
    head = upload.head
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    signatures = [
        ("png", head.startswith(b"\x89PNG\r\n\x1a\n")),
        ("jpeg", head.startswith(b"\xff\xd8\xff")),
        ("gif", head[:6] in (b"GIF87a", b"GIF89a")),
        ("webp", head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
        ("pdf", head.startswith(b"%PDF-")),
        ("ole", head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")),
        # Windows, Linux and macOS programs (a Windows one has NULs soon after its "MZ";
        # a text that happens to start with those letters does not).
        ("program", head.startswith(b"MZ") and b"\0" in head[:64]),
        ("program", head.startswith((b"\x7fELF", b"\xcf\xfa\xed\xfe"))),
        ("rtf", head.startswith(b"{\\rtf")),
        ("utf16", head[:2] in (b"\xff\xfe", b"\xfe\xff")),
        ("svg", b"<svg" in start),
        ("html", start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script"))),
    ]
    found = next((key for key, matched in signatures if matched), None)
    if found is None and head.startswith(b"PK\x03\x04"):
        names = upload.zip_names
        office = [key for key, part in _OFFICE_PARTS.items() if part in names]
        found = office[0] if office and "[Content_Types].xml" in names else "zip"
    return found


def _named_but_is_not(upload: _Upload, file_type: FileType) -> str:
    found = _sniff(upload)
    if found:
        return _("“%(file)s” is named as %(type)s but is %(found)s.") % {
            "file": upload.name,
            "type": file_type.name,
            "found": _FOUND[found],
        }
    return _("“%(file)s” is named as %(type)s but is not one.") % {
        "file": upload.name,
        "type": file_type.name,
    }


def _pdf(upload: _Upload, file_type: FileType) -> str | None:
    return None if upload.head.startswith(b"%PDF-") else _named_but_is_not(upload, file_type)


def _office(part: str) -> Check:
    """An Office Open XML file: a zip with its content types and its main part. Macros
    (vbaProject.bin) are refused: they are programs."""

    def check(upload: _Upload, file_type: FileType) -> str | None:
        names = upload.zip_names
        if "[Content_Types].xml" not in names or part not in names:
            return _named_but_is_not(upload, file_type)
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            return _("“%(file)s” contains macros, which are not accepted.") % {"file": upload.name}
        return None

    return check


def _image(pillow_format: str) -> Check:
    """An image Pillow reads as ``pillow_format`` (only that format is tried), of a
    number of pixels that is safe to decode: a small file can decode to gigabytes."""

    def check(upload: _Upload, file_type: FileType) -> str | None:
        from PIL import Image

        def inspect(stream) -> tuple[int, int]:
            # Opening reads the header only; verify() checks the data without decoding it.
            with Image.open(stream, formats=[pillow_format]) as image:
                size = image.size
                image.verify()
            return size

        too_many = _("“%(file)s” has too many pixels to be opened safely.") % {"file": upload.name}
        try:
            width, height = upload.read(inspect)
        except Image.DecompressionBombError:
            return too_many
        except Exception:  # Pillow raises many kinds for a file it cannot read
            return _named_but_is_not(upload, file_type)
        # Pillow only warns between its limit and twice it; here that is a refusal too
        # (compared here rather than by making the warning an error: warning filters are
        # global to the process, and not safe to change per request).
        if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
            return too_many
        limit = upload.kind.max_side
        if limit and max(width, height) > limit:
            return _(
                "“%(file)s” is %(width)s × %(height)s pixels; the limit is %(limit)s pixels on "
                "the longer side."
            ) % {"file": upload.name, "width": width, "height": height, "limit": limit}
        return None

    return check


def _text(upload: _Upload, file_type: FileType) -> str | None:
    """Text in UTF-8 (a byte-order mark allowed). The start of the file is decoded: a
    binary file shows itself there. The rest is read by whatever uses the file: the HR
    import names the row of any later byte that is not UTF-8."""
    head = upload.head
    found = _sniff(upload)
    if found == "utf16":
        return _not_utf8(upload)
    # Binary: a known signature, or NULs in earnest (more than one byte in a hundred). A
    # stray NUL in text is left to the reader, which names its row and column.
    if found in _BINARY or head.count(b"\0") * 100 > max(len(head), 100):
        return _named_but_is_not(upload, file_type)
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        # A character cut at the end of the head is left open, not taken for an error.
        decoder.decode(head, final=len(head) < _HEAD_BYTES)
    except UnicodeDecodeError:
        return _not_utf8(upload)
    return None


def _not_utf8(upload: _Upload) -> str:
    if upload.extension == "csv":
        message = _("“%(file)s” is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
    else:
        message = _("“%(file)s” is not UTF-8 text. Save it as UTF-8 and try again.")
    return message % {"file": upload.name}


# --- The types ---------------------------------------------------------------------------

PDF = FileType(gettext_lazy("a PDF file"), ("pdf",), ("application/pdf",), _pdf)
WORD = FileType(
    gettext_lazy("a Word document"),
    ("docx",),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    _office("word/document.xml"),
)
POWERPOINT = FileType(
    gettext_lazy("a PowerPoint presentation"),
    ("pptx",),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation",),
    _office("ppt/presentation.xml"),
)
EXCEL = FileType(
    gettext_lazy("an Excel workbook"),
    ("xlsx",),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    _office("xl/workbook.xml"),
)
PNG = FileType(gettext_lazy("a PNG image"), ("png",), ("image/png",), _image("PNG"))
JPEG = FileType(gettext_lazy("a JPEG image"), ("jpg", "jpeg"), ("image/jpeg",), _image("JPEG"))
GIF = FileType(gettext_lazy("a GIF image"), ("gif",), ("image/gif",), _image("GIF"))
WEBP = FileType(gettext_lazy("a WebP image"), ("webp",), ("image/webp",), _image("WEBP"))
PLAIN_TEXT = FileType(gettext_lazy("a text file"), ("txt",), ("text/plain",), _text)
CSV = FileType(gettext_lazy("a CSV file"), ("csv",), ("text/csv",), _text)


# --- The kinds of upload -----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class UploadKind:
    """One kind of upload: its size limit and its types. Call it on a file to validate it
    (it raises ValidationError naming the file, the limit and what was received)."""

    name: str  # its key in settings.UPLOAD_MAX_BYTES
    default_max_bytes: int
    types: tuple[FileType, ...]
    accepted: Promise  # for the help text: "PNG, JPEG or WebP"
    expected: Promise  # for a refusal: "“x.svg” is not <a PNG, JPEG or WebP image>."
    max_side: int | None = None  # images: pixels on the longer side
    refused_note: dict[str, Promise] | None = None  # by extension: why it is refused

    @property
    def max_bytes(self) -> int:
        return int(getattr(settings, "UPLOAD_MAX_BYTES", {}).get(self.name, self.default_max_bytes))

    @property
    def help_text(self) -> str:
        return _("%(accepted)s; at most %(limit)s.") % {
            "accepted": self.accepted,
            "limit": file_size(self.max_bytes),
        }

    @property
    def accept(self) -> str:
        """The file input's accept= attribute: extensions, and media types for pickers
        that go by them. A hint to the browser only; the server checks the bytes."""
        extensions = [f".{extension}" for t in self.types for extension in t.extensions]
        media_types = dict.fromkeys(media for t in self.types for media in t.media_types)
        return ",".join([*extensions, *media_types])

    def apply_to(self, field: forms.FileField) -> forms.FileField:
        """State the limit on a form field (help text, accept=) and enforce it in the
        field's validation. Call it after setting the field's widget."""
        field.help_text = self.help_text
        field.widget.attrs["accept"] = self.accept
        if self not in field.validators:
            field.validators.append(self)
        return field

    def __call__(self, file) -> None:
        upload = _Upload(file, self)
        file_type = next((t for t in self.types if upload.extension in t.extensions), None)
        if file_type is None:
            message = _("“%(file)s” is not %(expected)s.") % {
                "file": upload.name,
                "expected": self.expected,
            }
            note = (self.refused_note or {}).get(upload.extension)
            raise ValidationError(f"{message} {note}" if note else message, code="file_type")
        self.check_size(file)
        refusal = file_type.check(upload, file_type)
        if refusal:
            raise ValidationError(refusal, code="file_content")

    def check_size(self, file) -> None:
        size, limit = file.size, self.max_bytes
        if size > limit:
            raise ValidationError(
                _("“%(file)s” is %(size)s; the limit is %(limit)s.")
                % {
                    "file": getattr(file, "name", "") or _("The file"),
                    "size": file_size(size, round_up=True),
                    "limit": file_size(limit),
                },
                code="file_size",
            )


def file_size(size: int, *, round_up: bool = False) -> str:
    """Bytes in words: "512 KB", "20 MB", "31.4 MB". A file's own size is rounded up, so
    a file one byte over the limit never reads as the limit itself."""
    units = [(GB, _("GB")), (MB, _("MB")), (KB, _("KB"))]
    unit, unit_name = next(((u, name) for u, name in units if size >= u), units[-1])
    # In tenths of the unit, or whole kilobytes.
    step = 10 if unit == KB else 1
    steps = size * 10 / unit / step
    tenths = step * (math.ceil(steps) if round_up else round(steps))
    decimals = 0 if tenths % 10 == 0 else 1
    return f"{number_format(tenths / 10, decimal_pos=decimals)} {unit_name}"


LOGO = UploadKind(
    name="logo",
    default_max_bytes=1 * MB,
    types=(PNG, JPEG, WEBP),
    max_side=4096,
    accepted=gettext_lazy("PNG, JPEG or WebP, up to 4096 pixels on the longer side"),
    expected=gettext_lazy("a PNG, JPEG or WebP image"),
    refused_note={
        "svg": gettext_lazy("SVG is not accepted: an SVG file can carry scripts."),
    },
)
# Training modules' and resources' files: what people read or watch in a program.
MATERIAL = UploadKind(
    name="material",
    default_max_bytes=20 * MB,
    types=(PDF, WORD, POWERPOINT, EXCEL, PNG, JPEG, GIF, WEBP, PLAIN_TEXT),
    accepted=gettext_lazy(
        "PDF, Word, PowerPoint, Excel, an image (PNG, JPEG, GIF or WebP) or plain text"
    ),
    expected=gettext_lazy("a PDF, Word, PowerPoint, Excel, image or plain-text file"),
    refused_note={
        "svg": gettext_lazy("SVG is not accepted: an SVG file can carry scripts."),
        "doc": gettext_lazy("Save it as .docx and try again."),
        "ppt": gettext_lazy("Save it as .pptx and try again."),
        "xls": gettext_lazy("Save it as .xlsx and try again."),
        "docm": gettext_lazy("Files with macros are not accepted."),
        "pptm": gettext_lazy("Files with macros are not accepted."),
        "xlsm": gettext_lazy("Files with macros are not accepted."),
    },
)
# The HR file: 200,000 employees of the demo roster come to 29 MB (about 150 bytes a
# row), so 50 MB leaves room for longer titles and locations.
HR_FILE = UploadKind(
    name="hr_file",
    default_max_bytes=50 * MB,
    types=(CSV,),
    accepted=gettext_lazy("CSV in UTF-8, with a comma or a semicolon between values"),
    expected=gettext_lazy("a CSV file"),
    refused_note={
        "xlsx": gettext_lazy("Save it as “CSV UTF-8” and try again."),
        "xls": gettext_lazy("Save it as “CSV UTF-8” and try again."),
    },
)

KINDS = (LOGO, MATERIAL, HR_FILE)
# Room for a form's other fields and the multipart framing around its file.
_FORM_ROOM = 1 * MB
# Bodies that carry no file, outside the API: forms without a file.
_OTHER_BODY_MAX_BYTES = 10 * MB
# The API's JSON bodies. Its largest is the bulk upsert at its row maximum
# (directory.serializers.MAX_BULK_ROWS), every value at its longest and every character
# written as a JSON \uXXXX escape (12 bytes for one beyond the BMP, as json.dumps writes it
# by default): about 18 MB; tests/directory/test_api_limits.py holds the two together.
# Django's DATA_UPLOAD_MAX_MEMORY_SIZE, which binds DRF's reading of the body, is at least
# this (config/settings.py; the check organizations.E003 says so if not).
API_BODY_MAX_BYTES = 20 * MB


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than any upload may be (413), before anything
    reads it.

    Django writes every file of a multipart body to a temporary file before a form can
    look at it; DRF reads a JSON body whole (bound, past this, by
    DATA_UPLOAD_MAX_MEMORY_SIZE, which would end in a server error); and
    CsrfViewMiddleware parses the body of any POST that comes with a CSRF cookie, which
    anyone can have. So the size is judged here, from the Content-Length, ahead of them
    all. A body sent without a length is not read by Django. Within this cap, a file over
    its own kind's limit is refused by its form, by name.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = request_body_limit(
            request.META.get("CONTENT_TYPE", ""), api=request.path.startswith(API_PREFIX)
        )
        if length > limit:
            return _too_large(request, length, limit)
        return self.get_response(request)


def request_body_limit(content_type: str, *, api: bool = False) -> int:
    if content_type.lower().startswith("multipart/form-data"):
        return max(kind.max_bytes for kind in KINDS) + _FORM_ROOM
    if api:
        return API_BODY_MAX_BYTES
    return int(getattr(settings, "REQUEST_BODY_MAX_BYTES", _OTHER_BODY_MAX_BYTES))


def _too_large(request, length: int, limit: int) -> HttpResponse:
    message = _("The request is %(size)s; the limit is %(limit)s. Nothing was saved.") % {
        "size": file_size(length, round_up=True),
        "limit": file_size(limit),
    }
    if request.path.startswith(API_PREFIX):
        return api_error("too_large", message, 413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
