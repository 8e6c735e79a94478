"""Evidence uploads: PDF, JPEG or PNG judged by their content, not their name; a size limit; server-chosen names."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


class UploadRefused(ValueError):
    """An upload that cannot be kept; the message is for the clerk."""


def sniff(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def check_upload(upload: UploadedFile[bytes]) -> tuple[str, str]:
    """(content type, sha256) of an acceptable upload; UploadRefused otherwise."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size == 0:
        raise UploadRefused("文件为空，请重新选择")
    if upload.size > limit:
        raise UploadRefused(f"文件过大：{upload.size / 1048576:.1f} MB，单个文件不得超过 {limit // 1048576} MB")
    upload.seek(0)
    content_type = sniff(upload.read(16))
    if content_type is None:
        raise UploadRefused("只接受 PDF、JPEG 或 PNG 文件（按文件内容判断，改扩展名无效）")
    upload.seek(0)
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return content_type, sha.hexdigest()
