"""Scripts that measure the portal and print JSON lines (`make bench`)."""
