import sys

from auditor.engine.cli import main

sys.exit(main())
