"""Fixtures shared by the evaluation tests."""

import pytest


@pytest.fixture(scope="module")
def one_thread():
    """One torch thread for a module's model tests (steadier on a shared 2-core CPU)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
