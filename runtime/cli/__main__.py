"""`python -m alur.runtime.cli`: the runtime's commands without the web app's."""
import sys

from . import main

sys.exit(main())
