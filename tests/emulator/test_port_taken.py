"""An emulator asked for a port another server holds: the error says so, and it holds no socket
afterwards (the sandbox then tries a free port; a lingering socket would surface later as a
ResourceWarning in whatever code ran next)."""

from __future__ import annotations

import gc
import socket
import warnings

import pytest

from productai_notebook.emulator import Emulator


def test_a_taken_port_is_an_error_and_leaves_no_socket_behind() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        with pytest.raises(OSError, match="in use") as raised:
            Emulator(port=holder.getsockname()[1]).start()
        del raised  # its traceback holds the emulator: let it go, as the sandbox's caller does
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []
    with Emulator() as other:  # and a new one starts on a free port
        assert other.base_url.startswith("http://127.0.0.1:")
