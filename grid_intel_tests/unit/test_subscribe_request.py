"""The subscription body's filters: any text is data, but a control character (NUL
would be a 500 from PostgreSQL) is a 422 with the reason."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from grid_intel.api.routes.subscriptions import SubscribeRequest

URL = "http://127.0.0.1:9000/hook"


@pytest.mark.parametrize("field", ["asset", "kind"])
@pytest.mark.parametrize("value", ["a\x00b", "\x00", "tx\n1", "tx\x7f"])
def test_control_characters_are_refused(field, value):
    with pytest.raises(ValidationError, match="control characters"):
        SubscribeRequest(url=URL, **{field: value})


@pytest.mark.parametrize("value", ["' or 1=1--", "tx_1", "ünïcode ☃", ""])
def test_other_text_is_kept_as_sent(value):
    request = SubscribeRequest(url=URL, asset=value, kind=value)
    assert request.asset == request.kind == value
