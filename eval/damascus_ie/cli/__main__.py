"""`python -m damascus_ie.cli`: the same as the `damascus-ie` command."""

import sys

from damascus_ie.cli import main

sys.exit(main())
