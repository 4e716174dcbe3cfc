"""The file store in an S3-compatible object store (``FILE_STORE=s3://bucket[/prefix]``), through
``boto3`` (``pip install 'parindex[s3]'``). Credentials and region come the usual AWS way
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``); ``FILE_STORE_ENDPOINT``
points at a store that is not AWS (MinIO, Ceph, Garage, a provider's S3 endpoint).

An object is written whole or not at all (a single PUT, or a multipart upload completed only
once every part is sent), so a reader never sees half a file.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Iterator

from survey_app.filestore import PART_BYTES


class S3Store:
    external = True

    def __init__(self, setting: str, endpoint: str | None = None):
        import boto3
        from botocore.config import Config

        bucket, _, prefix = setting[len("s3://"):].partition("/")
        if not bucket:
            raise ValueError("FILE_STORE=s3://bucket[/prefix] needs a bucket")
        self.bucket, self.prefix = bucket, (prefix.strip("/") + "/" if prefix.strip("/") else "")
        self.client = boto3.client("s3", endpoint_url=endpoint,
                                   config=Config(retries={"max_attempts": 3, "mode": "standard"}))

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}{sha256[:2]}/{sha256}"

    def exists(self, sha256: str) -> bool:
        from botocore.exceptions import ClientError
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def put_parts(self, sha256: str, size: int, parts: Iterable[bytes]) -> None:
        if self.exists(sha256):
            return
        self.client.upload_fileobj(_Joined(parts), self.bucket, self._key(sha256))

    def chunks(self, sha256: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"]
        yield from body.iter_chunks(PART_BYTES)

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(sha256))

    def keys(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"].rsplit("/", 1)[-1]


class _Joined(io.RawIOBase):
    """The parts as one readable file, for ``upload_fileobj`` (which sends large ones in parts)."""

    def __init__(self, parts: Iterable[bytes]):
        self.parts, self.left = iter(parts), b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.left:
            try:
                self.left = next(self.parts)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self.left))
        buffer[:size], self.left = self.left[:size], self.left[size:]
        return size
