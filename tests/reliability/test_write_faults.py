"""Write faults, for real (the scenarios are in ``write_faults``): a full disk, a file-size limit,
a read-only index folder, the folder deleted under a running build. Each ends the real
``vnsearch index`` with one line and a non-zero status, keeps a last commit that passes
``vnsearch check`` and answers searches, and the next run completes with every document once.
The ones that mount a tmpfs or a read-only bind mount are skipped, with the reason, where
mounting is not permitted."""

from __future__ import annotations

import pytest

from . import write_faults


@pytest.fixture
def mountable(tmp_path):
    reason = write_faults.can_mount(tmp_path)
    if reason:
        pytest.skip(reason)
    return tmp_path


def test_disk_full_during_a_build(mountable):
    assert write_faults.disk_full(mountable)["kept"] >= 5


def test_file_size_limit_during_a_build(tmp_path):
    write_faults.file_size_limit(tmp_path)


def test_read_only_index_folder(mountable):
    write_faults.read_only_folder(mountable)


def test_index_folder_deleted_under_a_running_build(tmp_path):
    write_faults.folder_deleted(tmp_path)
