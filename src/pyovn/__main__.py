import sys

from pyovn.cli.main import main

sys.exit(main())
