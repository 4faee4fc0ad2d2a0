from __future__ import annotations

import pytest

from tests.unit.runtime.fakes import FakeCRM, FakeShop, customer


@pytest.fixture
def shop() -> FakeShop:
    return FakeShop(customers=[customer(i) for i in range(1, 251)])


@pytest.fixture
def crm() -> FakeCRM:
    return FakeCRM()
