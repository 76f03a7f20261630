"""`python -m bot`: the command line. See `python -m bot --help`."""
from bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
