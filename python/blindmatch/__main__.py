"""``python -m blindmatch ...`` runs the ``blindmatch`` command installed by the same wheel."""

import os
import shutil
import sys
import sysconfig


def main():
    scripts = sysconfig.get_path("scripts")
    command = os.path.join(scripts, "blindmatch")
    if not os.path.isfile(command):
        command = shutil.which("blindmatch")
    if command is None:
        sys.exit("blindmatch: the command is not installed next to this Python")
    os.execv(command, [command] + sys.argv[1:])


if __name__ == "__main__":
    main()
