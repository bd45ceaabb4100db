from pathlib import Path

import pytest

import storage


def test_url_precedence_flag_env_file_default(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.delenv("HPSEARCH_STORAGE", raising=False)
    monkeypatch.delenv("HPSEARCH_STORAGE_FILE", raising=False)
    assert storage.resolve_storage_url() == "sqlite:///hpsearch.db"
    secret = tmp_path / "url"
    secret.write_text("postgresql+psycopg://u:pw@db/x\n")
    monkeypatch.setenv("HPSEARCH_STORAGE_FILE", str(secret))
    assert storage.resolve_storage_url() == "postgresql+psycopg://u:pw@db/x"
    monkeypatch.setenv("HPSEARCH_STORAGE", "sqlite:///env.db")
    assert storage.resolve_storage_url() == "sqlite:///env.db"
    assert storage.resolve_storage_url("sqlite:///flag.db") == "sqlite:///flag.db"


def test_password_is_masked() -> None:
    url = "postgresql+psycopg://hp:s3cr3t@db.example:5432/studies"
    assert storage.mask_url(url) == "postgresql+psycopg://hp:***@db.example:5432/studies"
    assert "s3cr3t" not in storage.mask_secrets(f"could not connect to {url}: s3cr3t", url)


def test_blob_round_trip_and_replace(storage_url: str, study_name: str) -> None:
    assert storage.get_blob(storage_url, study_name, "k") is None
    digest = storage.put_blob(storage_url, study_name, "k", b"first")
    assert storage.get_blob(storage_url, study_name, "k") == (b"first", digest)
    storage.put_blob(storage_url, study_name, "k", b"second")
    assert storage.get_blob(storage_url, study_name, "k")[0] == b"second"  # type: ignore[index]
    storage.delete_blobs(storage_url, study_name)
    assert storage.get_blob(storage_url, study_name, "k") is None


def test_unreachable_server_gives_a_masked_storage_error() -> None:
    url = "postgresql+psycopg://hp:topsecret@127.0.0.1:1/none"
    with pytest.raises(storage.StorageError) as info:
        storage.open_storage(url)
    assert "topsecret" not in str(info.value)
    assert "hp:***@127.0.0.1:1/none" in str(info.value)
