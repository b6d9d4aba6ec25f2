"""Fixtures of the end-to-end tests: the real Pulumi engine (built from Go modules, cached)."""

from __future__ import annotations

import pytest

from local_pulumi import engine_bin_dir, engine_env


@pytest.fixture(scope="session")
def engine_bin():
    return engine_bin_dir()


@pytest.fixture(scope="module")
def engine(engine_bin, tmp_path_factory):
    """Environment for the CLI with a file backend of this test module's own."""
    return engine_env(engine_bin, tmp_path_factory.mktemp("state"), passphrase="e2e-passphrase")
