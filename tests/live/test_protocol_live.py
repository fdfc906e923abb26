"""The protocol tests again, over a real socket (the `dav` fixture of tests/live/conftest.py)."""

from tests.protocol.test_dav import *  # noqa: F403
from tests.protocol.test_readonly import *  # noqa: F403
from tests.protocol.test_subscriber import *  # noqa: F403
