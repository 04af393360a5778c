"""Main job (until the training driver lands): score example responses with every preset."""

import sys

from agents.cli import main

if __name__ == "__main__":
    sys.exit(main(["demo", *sys.argv[1:]]))
