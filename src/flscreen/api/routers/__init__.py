"""One router per resource; each validates and caps its input, then calls the services."""
