import pytest

from conftest import SHARED
from paintflow import PaintflowError, resources


def test_fetch_copies_and_verifies(tmp_path):
    lines = resources.fetch(tmp_path, SHARED)
    assert all(line.startswith("copied") for line in lines)
    for rel, (_, digest, _) in resources.MANIFEST.items():
        assert resources.sha256(tmp_path / rel) == digest
    assert all(line.startswith("ok") for line in resources.fetch(tmp_path, SHARED))


def test_fetch_rejects_a_file_with_the_wrong_hash(tmp_path, monkeypatch):
    fake_shared = tmp_path / "shared"
    (fake_shared / "video").mkdir(parents=True)
    (fake_shared / "video" / "cockatoo.mp4").write_bytes(b"not the real video")
    monkeypatch.setattr(resources, "MANIFEST", {"video/cockatoo.mp4": resources.MANIFEST["video/cockatoo.mp4"]})
    with pytest.raises(PaintflowError, match="sha256 mismatch"):
        resources.fetch(tmp_path / "dest", fake_shared)
    assert not (tmp_path / "dest" / "video" / "cockatoo.mp4").exists()
