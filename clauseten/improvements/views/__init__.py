"""Pages of the improvements app, one module per concept: register, audits, reviews and change log."""
