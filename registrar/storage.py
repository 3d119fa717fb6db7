"""The local file storage of the files the application keeps (docs/architecture.md, « Shared
machinery »): Django's FileSystemStorage, written so that a failed write leaves nothing.

Django's own writes the file in place: a disk that fills up mid-way leaves a truncated file
under its final name. Here the bytes go first to a hidden temporary file in the same folder,
which is renamed to its name only once complete (a rename within one file system is atomic);
on any error the temporary file is removed and the error raised (registrar/views/errors.py
answers a full disk with its page). An S3-compatible store (django-storages, when
AWS_STORAGE_BUCKET_NAME is set) needs none of this: an object appears whole or not at all.
"""

import contextlib
import os
import tempfile

from django.core.files import File
from django.core.files.storage import FileSystemStorage as DjangoFileSystemStorage


class _WrittenFile(File):
    """A complete temporary file, handed to Django's storage to be moved into place."""

    def __init__(self, path: str) -> None:
        super().__init__(None, name=path)
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path

    def close(self) -> None:
        pass


class FileSystemStorage(DjangoFileSystemStorage):
    def _save(self, name: str, content) -> str:
        directory = os.path.dirname(self.path(name))
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk)
            return super()._save(name, _WrittenFile(temporary))
        finally:
            # Moved into place on success; on failure, what was written goes.
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
