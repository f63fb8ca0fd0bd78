import os
import sys

from .cli import main

try:
    sys.exit(main())
except BrokenPipeError:
    # Whatever read the output stopped early (`python -m decision show ID | head`): not our error.
    # Python's documented way out (the signal module's note on SIGPIPE): point stdout at devnull,
    # so that flushing it at exit raises nothing more, and exit with 1.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(1)
