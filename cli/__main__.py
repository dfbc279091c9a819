"""`python -m cli`: uspk's command line, every command, as the `uspk` script runs it."""

from cli.main import main

if __name__ == "__main__":
    main()
