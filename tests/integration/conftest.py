import pytest

from mutua_server import MutuaServer


@pytest.fixture
def server():
    """A started server with its own store; stopped and removed after."""
    s = MutuaServer()
    s.start()
    yield s
    s.cleanup()


@pytest.fixture
def new_server():
    """A server that is configured but not started (for start-up tests)."""
    made = []

    def make(extra_conf=""):
        s = MutuaServer(extra_conf)
        made.append(s)
        return s
    yield make
    for s in made:
        s.cleanup()
