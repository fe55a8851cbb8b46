# The Action's entry point: `python main.py prepare|install|run` (see action.yml).
#
# Kept free of syntax newer than Python 2.7 and 3.0 so that any runner's python reaches the
# version check below and says what is wrong, instead of failing on a SyntaxError.
import os
import sys

NEEDED = (3, 10)

if sys.version_info[:2] < NEEDED:
    sys.stdout.write(
        "::error title=trustycheck::trustycheck needs Python %d.%d or later; the runner's python "
        "(%s) is %s. Add actions/setup-python with python-version '3.12' before this step.\n"
        % (NEEDED[0], NEEDED[1], sys.executable, sys.version.split()[0])
    )
    sys.exit(2)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trustycheck_action import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
