"""The emulator's route handlers, one module per part of the API (jobs, assets, account), plus
the generated files and the admin view."""
