"""``python -m tracker``: the same command line as the installed ``tracker`` script."""

from tracker.cli.app import main

if __name__ == "__main__":
    main()
