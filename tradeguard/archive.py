"""Archive rotated audit files before retention may delete them: gzip, SHA-256, a manifest.

Each rotated file not yet archived is compressed into the archive (a folder, by default
``<state folder>/archive/``, or ``s3://bucket/prefix`` with the ``aws`` extra), and one line is
added to the manifest ``<state folder>/archive/manifest.jsonl``: the file's name and SHA-256, the
archive's location and SHA-256, its line count and the hash of its last line (where the next file's
chain continues). A ``SHA256SUMS`` beside the archived files lets ``sha256sum -c`` check them
without this tool. Rotation (:mod:`tradeguard.audit`) deletes a rotated file only when the manifest
holds its checksum, so nothing leaves the disk unarchived.
"""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from tradeguard.audit import MANIFEST, archive_folder, archived_checksums, file_sha256, line_hash, rotated_files

S3_SCHEME = "s3://"
SUMS = "SHA256SUMS"


class ArchiveError(Exception):
    """The archive could not be written; the message names where."""


@dataclass(frozen=True)
class Archived:
    name: str
    location: str
    lines: int


def archive_rotated(log: os.PathLike | str, to: Optional[str] = None) -> list[Archived]:
    """Archive every rotated file of the log at ``log`` that the manifest does not hold yet."""
    log = Path(log)
    folder = archive_folder(log)
    folder.mkdir(parents=True, exist_ok=True)
    destination = _destination(to or str(folder))
    done = []
    with _manifest_lock(folder):
        known = archived_checksums(log)
        for rotated in rotated_files(log):
            checksum = file_sha256(rotated)
            if known.get(rotated.name) == checksum:
                continue
            done.append(_archive_one(rotated, checksum, folder, destination))
    return done


def _archive_one(rotated: Path, checksum: str, folder: Path, destination: "_Destination") -> Archived:
    staged = folder / f".{rotated.name}.gz.tmp"
    lines, last = _compress(rotated, staged)
    gz_checksum = file_sha256(staged)
    location = destination.store(staged, f"{rotated.name}.gz", gz_checksum)
    entry = {
        "name": rotated.name, "sha256": checksum, "gz": f"{rotated.name}.gz", "gz_sha256": gz_checksum,
        "location": location, "lines": lines, "last_hash": last, "archived_at": time.time(),
    }
    with open(folder / MANIFEST, "a", encoding="utf-8") as manifest:
        manifest.write(json.dumps(entry, sort_keys=True) + "\n")
        manifest.flush()
        os.fsync(manifest.fileno())
    return Archived(rotated.name, location, lines)


def _compress(source: Path, target: Path) -> tuple[int, Optional[str]]:
    lines, last = 0, None
    with open(source, "rb") as raw, open(target, "wb") as out:
        with gzip.GzipFile(filename=source.name, mode="wb", fileobj=out, mtime=0) as packed:
            for line in raw:
                packed.write(line)
                lines, last = lines + 1, line
        out.flush()
        os.fsync(out.fileno())
    return lines, line_hash(last) if last is not None else None


@contextmanager
def _manifest_lock(folder: Path) -> Iterator[None]:
    descriptor = os.open(folder / f"{MANIFEST}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


class _Destination:
    def store(self, staged: Path, name: str, checksum: str) -> str:
        raise NotImplementedError


class _Folder(_Destination):
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def store(self, staged: Path, name: str, checksum: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / name
        shutil.move(staged, target)
        with open(self.folder / SUMS, "a", encoding="ascii") as sums:
            sums.write(f"{checksum}  {name}\n")
        return str(target)


class _Bucket(_Destination):
    """``s3://bucket/prefix``: uploaded with boto3 (the ``aws`` extra), checked by its size after upload.
    Credentials, region and endpoint come from boto3's own chain (``AWS_ENDPOINT_URL`` for MinIO, moto…)."""

    def __init__(self, url: str) -> None:
        bucket, _, prefix = url[len(S3_SCHEME):].partition("/")
        if not bucket:
            raise ArchiveError(f"{url}: no bucket named (s3://bucket/prefix)")
        try:
            import boto3
        except ImportError:
            raise ArchiveError("archiving to s3:// needs boto3: pip install 'tradeguard[aws]'") from None
        self.client = boto3.client("s3")
        self.bucket, self.prefix = bucket, prefix.strip("/")

    def store(self, staged: Path, name: str, checksum: str) -> str:
        key = f"{self.prefix}/{name}" if self.prefix else name
        size = staged.stat().st_size
        try:
            self.client.upload_file(str(staged), self.bucket, key, ExtraArgs={"Metadata": {"sha256": checksum}})
            stored = self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except Exception as exc:  # botocore's errors: the message may name credentials' sources, not values
            raise ArchiveError(f"s3://{self.bucket}/{key}: upload failed ({type(exc).__name__})") from None
        if stored != size:
            raise ArchiveError(f"s3://{self.bucket}/{key}: stored {stored} bytes of {size}")
        staged.unlink()
        return f"s3://{self.bucket}/{key}"


def _destination(to: str) -> _Destination:
    return _Bucket(to) if to.startswith(S3_SCHEME) else _Folder(Path(to).expanduser().absolute())
