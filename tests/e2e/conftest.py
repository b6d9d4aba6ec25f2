"""Fixtures of the end-to-end tests: the real Pulumi engine (built from Go modules, cached)."""

from __future__ import annotations

import pytest

from local_pulumi import engine_bin_dir, engine_env


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    """Environment for the CLI with a fresh file backend for this test session."""
    return engine_env(engine_bin_dir(), tmp_path_factory.mktemp("state"), passphrase="e2e-passphrase")
