"""The request engine: every request of an account waits its turn here; followed jobs are kept fresh."""
