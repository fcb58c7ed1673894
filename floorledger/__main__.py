import sys

from floorledger.cli import main

sys.exit(main())
