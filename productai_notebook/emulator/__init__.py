"""A local ProductAI server: the no-key sandbox of the demos and the peer every test talks to.

It implements the documented v1 API over real HTTP (Starlette + uvicorn), with jobs whose
progress follows the clock, Pillow-rendered product photos, signed webhooks, rate limits,
optional injected faults and SQLite persistence. It never imports the client: it shares only
`productai_notebook.contract` with it, so tests pitting one against the other catch contract
mistakes on either side.

A prompt or image URL containing `contract.FAIL_MARKER` ("#fail") makes the job fail.
"""

from .server import Emulator

__all__ = ["Emulator"]
